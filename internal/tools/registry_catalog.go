package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// ListRepositoriesInput selects a page of a registry's catalog.
type ListRepositoriesInput struct {
	Registry string `json:"registry" jsonschema:"Registry host[:port]"`
	Limit    *int   `json:"limit,omitempty" jsonschema:"Repositories per page"`
	Cursor   string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
}

// ListRepositoriesOutput is one page of repository names.
type ListRepositoriesOutput struct {
	Registry     string   `json:"registry"`
	Repositories []string `json:"repositories"`
	NextCursor   string   `json:"next_cursor,omitempty" jsonschema:"Pass as cursor for the next page; absent on the last page"`
}

var catalogLimitArg = intArg{name: "limit", def: 100, lo: 1, hi: 1000}

func listRepositoriesTool() *toolDef {
	t := readOnlyTool("list_repositories", "List repositories",
		"List a registry's repositories (/v2/_catalog), a page at a time; Docker Hub has no catalog.",
		inputSchema[ListRepositoriesInput]([]intArg{catalogLimitArg}, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ListRepositoriesInput) (ListRepositoriesOutput, error) {
		reg, err := d.Registry.ParseRegistry(in.Registry)
		if err != nil {
			return ListRepositoriesOutput{}, err
		}
		limit, err := catalogLimitArg.value(in.Limit)
		if err != nil {
			return ListRepositoriesOutput{}, err
		}
		host := oci.CanonicalHost(reg.RegistryStr())
		scope := "catalog|" + host
		var cur cursor
		if in.Cursor != "" {
			if cur, err = decodeCursor(in.Cursor, scope); err != nil {
				return ListRepositoriesOutput{}, err
			}
		}
		page, err := d.Registry.Catalog(ctx, reg, limit, cur.Last)
		if errors.Is(err, oci.ErrNoCatalog) {
			return ListRepositoriesOutput{}, fmt.Errorf("%w; use list_hub_repositories with a namespace (e.g. library), or search_images", err)
		}
		if err != nil {
			return ListRepositoriesOutput{}, err
		}
		out := ListRepositoriesOutput{Registry: host, Repositories: page.Repositories}
		if page.Last != "" {
			out.NextCursor = encodeCursor(cursor{Scope: scope, Last: page.Last})
		}
		return out, nil
	})
}

// RateLimitInput names the registry whose pull quota to read.
type RateLimitInput struct {
	Registry string `json:"registry,omitempty" jsonschema:"Registry host (default docker.io)"`
}

// RateLimitOutput is a pull quota.
type RateLimitOutput struct {
	Registry      string `json:"registry"`
	Limit         int    `json:"limit" jsonschema:"Pulls allowed per window"`
	Remaining     int    `json:"remaining" jsonschema:"Pulls left in the current window"`
	WindowSeconds int    `json:"window_seconds"`
	Source        string `json:"source,omitempty" jsonschema:"What the quota is counted against: an IP address or an account"`
}

func getRateLimitTool() *toolDef {
	t := readOnlyTool("get_rate_limit", "Docker Hub pull quota",
		"Docker Hub pull quota (limit, remaining, window) for the credentials in use; costs no pull.",
		inputSchema[RateLimitInput](nil, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in RateLimitInput) (RateLimitOutput, error) {
		reg, err := d.Registry.ParseRegistry(in.Registry)
		if err != nil {
			return RateLimitOutput{}, err
		}
		q, err := d.Registry.RateLimit(ctx, reg)
		if err != nil {
			return RateLimitOutput{}, err
		}
		return RateLimitOutput{Registry: oci.CanonicalHost(reg.RegistryStr()), Limit: q.Limit, Remaining: q.Remaining, WindowSeconds: q.WindowSeconds, Source: q.Source}, nil
	})
}
