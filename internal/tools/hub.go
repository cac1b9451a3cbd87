package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// hubTools are the tools of the hub toolset, for the Docker Hub API.
func hubTools() []*toolDef {
	return []*toolDef{
		searchImagesTool(),
		listHubRepositoriesTool(),
		getHubRepositoryTool(),
		listHubTagsTool(),
		getHubTagTool(),
		listHubNamespacesTool(),
		getHubNamespaceTool(),
		listHardenedImagesTool(),
		createHubRepositoryTool(),
		updateHubRepositoryTool(),
	}
}

// hubClient returns the Docker Hub client, or an error the model can read
// when the server was built without one.
func hubClient(d Deps) (*hub.Client, error) {
	if d.Hub == nil {
		return nil, fmt.Errorf("%w: this server has no Docker Hub client configured", errdef.ErrUnsupported)
	}
	return d.Hub, nil
}

// SearchImagesInput is a search of Docker Hub or of a registry's catalog.
type SearchImagesInput struct {
	Query        string `json:"query" jsonschema:"Search text"`
	Limit        *int   `json:"limit,omitempty"`
	OfficialOnly bool   `json:"official_only,omitempty" jsonschema:"Only Docker Official Images"`
	Sort         string `json:"sort,omitempty" jsonschema:"Default relevance"`
	Registry     string `json:"registry,omitempty" jsonschema:"Default docker.io; other hosts: catalog name search"`
}

// SearchImagesOutput is what search_images returns.
type SearchImagesOutput struct {
	Total     int                `json:"total"`
	Results   []hub.SearchResult `json:"results"`
	Truncated bool               `json:"truncated,omitempty"`
	Note      string             `json:"note,omitempty"`
}

var (
	searchSorts    = []string{"relevance", "pulls", "updated"}
	searchLimitArg = intArg{name: "limit", def: 10, lo: 1, hi: hub.MaxPageSize}
)

func searchImagesTool() *toolDef {
	schema := inputSchema[SearchImagesInput]([]intArg{searchLimitArg}, map[string][]string{"sort": searchSorts})
	t := readOnlyTool("search_images", "Search images",
		"Search Docker Hub for images (or another registry's repositories by name).",
		schema)
	return define(ToolsetHub, t, searchImages)
}

func searchImages(ctx context.Context, d Deps, req *mcp.CallToolRequest, in SearchImagesInput) (SearchImagesOutput, error) {
	limit, err := searchLimitArg.value(in.Limit)
	if err != nil {
		return SearchImagesOutput{}, err
	}
	if strings.TrimSpace(in.Query) == "" {
		return SearchImagesOutput{}, fmt.Errorf("%w: query is empty; give a word such as nginx", errdef.ErrInvalidInput)
	}
	if in.Registry != "" && oci.CanonicalHost(in.Registry) != "docker.io" {
		return searchCatalog(ctx, d, req, in, limit)
	}
	c, err := hubClient(d)
	if err != nil {
		return SearchImagesOutput{}, err
	}
	res, err := c.Search(ctx, hub.SearchParams{Query: in.Query, Limit: limit, OfficialOnly: in.OfficialOnly, Sort: in.Sort})
	if err != nil {
		return SearchImagesOutput{}, err
	}
	return SearchImagesOutput{Total: res.Total, Results: res.Results}, nil
}

// Bounds of a catalog search. The catalog API has no search, so every name is
// read; a few pages answer small registries whole, and the cap keeps a huge
// catalog from costing more than catalogSearchMax/catalogSearchPage requests.
const catalogSearchPage = 1000

// catalogSearchMax is how many repositories a catalog search reads at most.
// A variable so that a test can lower it instead of pushing 10 000 images.
var catalogSearchMax = 10_000

// searchCatalog searches a registry's /v2/_catalog for names containing the query.
func searchCatalog(ctx context.Context, d Deps, req *mcp.CallToolRequest, in SearchImagesInput, limit int) (SearchImagesOutput, error) {
	switch {
	case d.Registry == nil:
		return SearchImagesOutput{}, fmt.Errorf("%w: searching a registry needs the registry toolset", errdef.ErrUnsupported)
	case in.OfficialOnly:
		return SearchImagesOutput{}, fmt.Errorf("%w: official_only applies to Docker Hub only; omit it or the registry", errdef.ErrInvalidInput)
	case in.Sort != "" && in.Sort != "relevance":
		return SearchImagesOutput{}, fmt.Errorf("%w: sort %q needs Docker Hub; a catalog search returns names in catalog order", errdef.ErrInvalidInput, in.Sort)
	}
	reg, err := d.Registry.ParseRegistry(in.Registry)
	if err != nil {
		return SearchImagesOutput{}, err
	}
	host := oci.CanonicalHost(reg.RegistryStr())
	query := strings.ToLower(strings.TrimSpace(in.Query))
	out := SearchImagesOutput{Results: []hub.SearchResult{}}
	read, last := 0, ""
	for {
		page, err := d.Registry.Catalog(ctx, reg, min(catalogSearchPage, catalogSearchMax-read), last)
		if err != nil {
			return SearchImagesOutput{}, err
		}
		for _, name := range page.Repositories {
			if !strings.Contains(strings.ToLower(name), query) {
				continue
			}
			out.Total++
			if len(out.Results) < limit {
				out.Results = append(out.Results, hub.SearchResult{Name: host + "/" + name, Type: "repository"})
			}
		}
		read += len(page.Repositories)
		progress(ctx, req, fmt.Sprintf("searched %d repositories of %s", read, host), float64(read))
		// An empty page or a cursor that does not move would loop forever
		// on a registry that pages wrongly; treat either as the end.
		if page.Last == "" || page.Last == last || len(page.Repositories) == 0 {
			return out, nil
		}
		if read >= catalogSearchMax {
			out.Truncated = true
			out.Note = fmt.Sprintf("only the first %d repositories of %s were searched; total counts matches among them. list_repositories pages through the rest", read, host)
			return out, nil
		}
		last = page.Last
	}
}
