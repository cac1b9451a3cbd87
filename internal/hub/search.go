package hub

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// SearchParams is a Docker Hub search. The caller checks Limit and Sort
// (the tools do, against their schema): the client does not check twice.
type SearchParams struct {
	Query        string
	Limit        int    // 1-MaxPageSize; 0 means Docker Hub's default
	OfficialOnly bool   // only Docker Official Images
	Sort         string // "relevance" (or ""), "pulls" or "updated", most first
}

// SearchResults is one page of search results.
type SearchResults struct {
	Total   int            `json:"total"` // matches across all pages
	Results []SearchResult `json:"results"`
}

// SearchResult is one repository found by Search.
type SearchResult struct {
	Name        string `json:"name"` // "nginx" for an official image, else "namespace/name"
	Description string `json:"description"`
	Stars       int64  `json:"stars"`
	Pulls       int64  `json:"pulls"`      // lower bound read from PullCount; 0 when unreadable
	PullCount   string `json:"pull_count"` // as Docker Hub rounds it: "1B+", "10M+"
	Official    bool   `json:"official"`
	Badge       string `json:"badge,omitempty"` // official, verified_publisher, open_source, hardened, ...
	Publisher   string `json:"publisher"`
	UpdatedAt   string `json:"updated_at"`
	Type        string `json:"type"` // image, plugin, extension, dhi, ... as given
	Archived    bool   `json:"archived,omitempty"`
}

// Search sorts, keyed by SearchParams.Sort, as Search v4 spells them.
var searchSorts = map[string]string{"pulls": "pull_count", "updated": "updated_at"}

// Search searches Docker Hub's public repositories (GET /api/search/v4).
func (c *Client) Search(ctx context.Context, p SearchParams) (*SearchResults, error) {
	if strings.TrimSpace(p.Query) == "" {
		return nil, fmt.Errorf("%w: query is required", errdef.ErrInvalidInput)
	}
	q := url.Values{"query": {p.Query}}
	if p.Limit > 0 {
		q.Set("size", strconv.Itoa(p.Limit))
	}
	if p.OfficialOnly {
		q.Set("badges", "official")
	}
	if sort, ok := searchSorts[p.Sort]; ok {
		q.Set("sort", sort)
		q.Set("order", "desc")
	}
	var out struct {
		Total   int `json:"total"`
		Results []struct {
			Name             string `json:"name"`
			Type             string `json:"type"`
			ShortDescription string `json:"short_description"`
			StarCount        int64  `json:"star_count"`
			PullCount        string `json:"pull_count"`
			Badge            string `json:"badge"`
			UpdatedAt        string `json:"updated_at"`
			Archived         bool   `json:"archived"`
			Publisher        struct {
				Name string `json:"name"`
			} `json:"publisher"`
		} `json:"results"`
	}
	err := c.do(ctx, call{
		method: http.MethodGet,
		url:    withQuery(c.endpoint(false, "api", "search", "v4"), q),
		what:   fmt.Sprintf("search for %q", p.Query),
	}, &out)
	if err != nil {
		return nil, err
	}
	res := &SearchResults{Total: out.Total, Results: make([]SearchResult, 0, len(out.Results))}
	for _, r := range out.Results {
		if p.OfficialOnly && r.Badge != "official" {
			// Docker Hub puts a Hardened Image (type dhi) first whatever
			// the badges filter says; it is not a Docker Official Image.
			res.Total = max(res.Total-1, 0)
			continue
		}
		res.Results = append(res.Results, SearchResult{
			Name:        r.Name,
			Description: r.ShortDescription,
			Stars:       r.StarCount,
			Pulls:       parsePullCount(r.PullCount),
			PullCount:   r.PullCount,
			Official:    r.Badge == "official",
			Badge:       r.Badge,
			Publisher:   r.Publisher.Name,
			UpdatedAt:   r.UpdatedAt,
			Type:        r.Type,
			Archived:    r.Archived,
		})
	}
	return res, nil
}

// parsePullCount reads Docker Hub's rounded pull counts ("1B+", "10M+",
// "500K+", "1.2K", "1,234") as the number they promise at least; 0 when the
// text is not such a number.
func parsePullCount(s string) int64 {
	s = strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(s), "+"), ",", "")
	if s == "" {
		return 0
	}
	mult := 1.0
	switch s[len(s)-1] {
	case 'k', 'K':
		mult = 1e3
	case 'm', 'M':
		mult = 1e6
	case 'b', 'B':
		mult = 1e9
	case 't', 'T':
		mult = 1e12
	}
	if mult != 1 {
		s = strings.TrimSpace(s[:len(s)-1])
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0
	}
	v := math.Round(f * mult)
	if v > math.MaxInt64/2 {
		return 0
	}
	return int64(v)
}
