package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
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

// writeTool builds the annotations of a tool that changes Docker Hub.
func writeTool(name, title, description string, input *jsonschema.Schema, destructive, idempotent bool) *mcp.Tool {
	return &mcp.Tool{
		Name: name, Title: title, Description: description, InputSchema: input,
		Annotations: &mcp.ToolAnnotations{
			// openWorldHint is left out: absent means true.
			ReadOnlyHint: false, DestructiveHint: ptr(destructive), IdempotentHint: idempotent,
		},
	}
}

// notNull types the optional (pointer) inputs as plain values: clients
// never send null, and ["null","integer"] costs bytes in every session.
func notNull(props map[string]*jsonschema.Schema) {
	for _, p := range props {
		if len(p.Types) == 2 && p.Types[0] == "null" {
			p.Type, p.Types = p.Types[1], nil
		}
	}
}

// HubPage selects a page of a Docker Hub listing.
type HubPage struct {
	Page     *int `json:"page,omitempty" jsonschema:"From 1"`
	PageSize *int `json:"page_size,omitempty" jsonschema:"1-100"`
}

// params validates the page arguments; zero means the server's default.
func (p HubPage) params() (page, size int, err error) {
	if p.Page != nil && *p.Page < 1 {
		return 0, 0, fmt.Errorf("%w: page %d is out of range; pages start at 1", errdef.ErrInvalidInput, *p.Page)
	}
	if p.PageSize != nil && (*p.PageSize < 1 || *p.PageSize > hub.MaxPageSize) {
		return 0, 0, fmt.Errorf("%w: page_size %d is out of range; use 1 to %d", errdef.ErrInvalidInput, *p.PageSize, hub.MaxPageSize)
	}
	if p.Page != nil {
		page = *p.Page
	}
	if p.PageSize != nil {
		size = *p.PageSize
	}
	return page, size, nil
}

// SearchImagesInput is a search of Docker Hub or of a registry's catalog.
type SearchImagesInput struct {
	Query        string `json:"query" jsonschema:"Search text"`
	Limit        *int   `json:"limit,omitempty" jsonschema:"1-100 (default 10)"`
	OfficialOnly bool   `json:"official_only,omitempty" jsonschema:"Only Docker Official Images"`
	Sort         string `json:"sort,omitempty" jsonschema:"Default relevance"`
	Registry     string `json:"registry,omitempty" jsonschema:"Default docker.io; other hosts: catalog name search"`
}

// SearchResult is one repository a search found.
type SearchResult struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Stars       int64  `json:"stars"`
	Pulls       int64  `json:"pulls"`
	PullCount   string `json:"pull_count,omitempty"` // as Docker Hub rounds it ("1B+"), which pulls reads as a number
	Official    bool   `json:"official"`
	Badge       string `json:"badge,omitempty"`
	Publisher   string `json:"publisher"`
	UpdatedAt   string `json:"updated_at"`
	Type        string `json:"type"`
}

// SearchImagesOutput is what search_images returns.
type SearchImagesOutput struct {
	Total     int            `json:"total"`
	Results   []SearchResult `json:"results"`
	Truncated bool           `json:"truncated,omitempty"`
	Note      string         `json:"note,omitempty"`
}

var searchSorts = []string{"relevance", "pulls", "updated"}

func searchImagesTool() *toolDef {
	schema := inputSchema[SearchImagesInput](func(p map[string]*jsonschema.Schema) {
		p["sort"].Enum = toAny(searchSorts)
		notNull(p)
	})
	t := readOnlyTool("search_images", "Search images",
		"Search Docker Hub for images (or another registry's repositories by name).",
		schema)
	return define(ToolsetHub, t, searchImages)
}

func searchImages(ctx context.Context, d Deps, req *mcp.CallToolRequest, in SearchImagesInput) (SearchImagesOutput, error) {
	limit, err := checkLimit(in.Limit, 10, 1, hub.MaxPageSize)
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
	out := SearchImagesOutput{Total: res.Total, Results: make([]SearchResult, 0, len(res.Results))}
	for _, r := range res.Results {
		out.Results = append(out.Results, SearchResult{
			Name: r.Name, Description: r.Description, Stars: r.Stars, Pulls: r.Pulls, PullCount: r.PullCount,
			Official: r.Official, Badge: r.Badge, Publisher: r.Publisher, UpdatedAt: r.UpdatedAt, Type: r.Type,
		})
	}
	return out, nil
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
	out := SearchImagesOutput{Results: []SearchResult{}}
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
				out.Results = append(out.Results, SearchResult{Name: host + "/" + name, Type: "repository"})
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
