package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// ListTagsInput selects a page of a repository's tags.
type ListTagsInput struct {
	Repository string `json:"repository" jsonschema:"Repository, e.g. alpine, bitnami/redis, ghcr.io/org/app"`
	Limit      *int   `json:"limit,omitempty" jsonschema:"Tags per page"`
	Cursor     string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
	Pattern    string `json:"pattern,omitempty" jsonschema:"Glob on tag names, e.g. 1.2* or *-alpine"`
	Sort       string `json:"sort,omitempty" jsonschema:"Default registry (cheapest); semver puts non-versions last"`
}

// ListTagsOutput is one page of tags.
type ListTagsOutput struct {
	Repository string   `json:"repository"`
	Tags       []string `json:"tags"`
	NextCursor string   `json:"next_cursor,omitempty" jsonschema:"Pass as cursor for the next page; absent on the last page"`
}

var tagsLimitArg = intArg{name: "limit", def: 100, lo: 1, hi: 1000}

func listTagsTool() *toolDef {
	schema := inputSchema[ListTagsInput]([]intArg{tagsLimitArg}, map[string][]string{"sort": oci.TagOrders})
	t := readOnlyTool("list_tags", "List tags",
		"List a repository's tags a page at a time; pattern or sort reads all tags first.",
		schema)
	return define(ToolsetRegistry, t, listTags)
}

func listTags(ctx context.Context, d Deps, req *mcp.CallToolRequest, in ListTagsInput) (ListTagsOutput, error) {
	repo, err := d.Registry.ParseRepository(in.Repository)
	if err != nil {
		return ListTagsOutput{}, err
	}
	limit, err := tagsLimitArg.value(in.Limit)
	if err != nil {
		return ListTagsOutput{}, err
	}
	if _, err := oci.FilterTags(nil, in.Pattern); err != nil {
		return ListTagsOutput{}, err
	}
	scope := fmt.Sprintf("tags|%s|%s|%s", repo.Name(), orDefault(in.Sort, "registry"), in.Pattern)
	var cur cursor
	if in.Cursor != "" {
		if cur, err = decodeCursor(in.Cursor, scope); err != nil {
			return ListTagsOutput{}, err
		}
	}
	out := ListTagsOutput{Repository: oci.DisplayName(repo)}
	if in.Pattern == "" && orDefault(in.Sort, "registry") == "registry" {
		page, err := d.Registry.Tags(ctx, repo, limit, cur.Last)
		if err != nil {
			return ListTagsOutput{}, err
		}
		out.Tags = page.Tags
		if page.Last != "" {
			out.NextCursor = encodeCursor(cursor{Scope: scope, Last: page.Last})
		}
		return out, nil
	}
	all, err := d.Registry.SortedTags(ctx, repo, in.Sort, oci.MaxTags, func(n int) {
		progress(ctx, req, fmt.Sprintf("read %d tags of %s", n, out.Repository), float64(n))
	})
	if err != nil {
		return ListTagsOutput{}, err
	}
	// Filtering the sorted list keeps the order the filtered list would sort to.
	if all, err = oci.FilterTags(all, in.Pattern); err != nil {
		return ListTagsOutput{}, err
	}
	start := min(cur.Offset, len(all))
	end := min(start+limit, len(all))
	out.Tags = nonNil(all[start:end])
	if end < len(all) {
		out.NextCursor = encodeCursor(cursor{Scope: scope, Offset: end})
	}
	return out, nil
}
