package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// HardenedImages are the Docker Hardened Images mirrored into an organisation.
type HardenedImages struct {
	Organization  string          `json:"organization"`
	Total         int             `json:"total"`
	CanMirrorMore bool            `json:"can_mirror_more"` // the subscription allows more mirrors
	Images        []HardenedImage `json:"images"`
}

// HardenedImage is one mirrored repository.
type HardenedImage struct {
	Repository  string `json:"repository"`             // where to pull from, "acme/dhi-python"
	Source      string `json:"source"`                 // the DHI catalog repository, "dhi/python"
	DisplayName string `json:"display_name,omitempty"` // the catalog's name for it, "Python"
}

// mirroredReposQuery is the Scout query Docker's own hub-mcp server sends;
// its argument type (Context, with an organization field) comes from Scout's
// published GraphQL schema.
const mirroredReposQuery = `query ($context: Context!) {
  dhiListMirroredRepositories(context: $context) {
    totalCount
    canMirrorMoreRepositories
    mirroredRepositories {
      destinationRepository { namespace name }
      dhiSourceRepository { namespace name displayName }
    }
  }
}`

// ListHardenedImages lists the Docker Hardened Images mirrored into org.
// Mirrors are not part of the Hub REST API: Docker Scout's GraphQL API
// (Options.ScoutURL) answers with the Hub bearer token. It needs an account
// that owns the organisation, and a DHI subscription.
func (c *Client) ListHardenedImages(ctx context.Context, org string) (*HardenedImages, error) {
	if err := required("organisation", org); err != nil {
		return nil, err
	}
	if c.scoutURL == "" {
		return nil, fmt.Errorf("%w: not available: hardened images are listed by Docker Scout, whose address is not configured for the Docker Hub API at %s", errdef.ErrUnsupported, c.base)
	}
	what := fmt.Sprintf("hardened images of organisation %q", org)
	var out struct {
		Data struct {
			List *struct {
				TotalCount    int  `json:"totalCount"`
				CanMirrorMore bool `json:"canMirrorMoreRepositories"`
				Mirrored      []struct {
					Destination struct {
						Namespace string `json:"namespace"`
						Name      string `json:"name"`
					} `json:"destinationRepository"`
					Source struct {
						Namespace   string `json:"namespace"`
						Name        string `json:"name"`
						DisplayName string `json:"displayName"`
					} `json:"dhiSourceRepository"`
				} `json:"mirroredRepositories"`
			} `json:"dhiListMirroredRepositories"`
		} `json:"data"`
		Errors []graphQLError `json:"errors"`
	}
	err := c.do(ctx, call{
		method: http.MethodPost,
		url:    c.scoutURL,
		body: map[string]any{
			"query":     mirroredReposQuery,
			"variables": map[string]any{"context": map[string]string{"organization": org}},
		},
		account: true,
		what:    what,
		host:    c.scoutHost,
	}, &out)
	if err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, c.graphQLErr(out.Errors[0], what, org)
	}
	if out.Data.List == nil {
		return nil, fmt.Errorf("%w: Docker Scout sent no mirror list for %s", errdef.ErrBadResponse, what)
	}
	res := &HardenedImages{Organization: org, Total: out.Data.List.TotalCount, CanMirrorMore: out.Data.List.CanMirrorMore, Images: []HardenedImage{}}
	for _, m := range out.Data.List.Mirrored {
		res.Images = append(res.Images, HardenedImage{
			Repository:  m.Destination.Namespace + "/" + m.Destination.Name,
			Source:      m.Source.Namespace + "/" + m.Source.Name,
			DisplayName: m.Source.DisplayName,
		})
	}
	return res, nil
}

// graphQLError is an entry of a GraphQL "errors" list. Scout puts an HTTP
// status (a number or a word such as "FORBIDDEN") in its extensions.
type graphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code   string          `json:"code"`
		Status json.RawMessage `json:"status"`
	} `json:"extensions"`
}

func (c *Client) graphQLErr(e graphQLError, what, org string) error {
	status := strings.ToUpper(strings.Trim(string(e.Extensions.Status), `"`) + " " + e.Extensions.Code)
	msg := c.redact(e.Message, c.credentials(context.Background()))
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	switch {
	case strings.Contains(status, "401") || strings.Contains(status, "UNAUTHENTICATED") || strings.Contains(status, "UNAUTHORIZED"):
		return fmt.Errorf("%w: Docker Scout rejected the token for %s%s", errdef.ErrUnauthorized, what, suffix(msg))
	case strings.Contains(status, "403") || strings.Contains(status, "FORBIDDEN"):
		return fmt.Errorf("%w: %s: the account must be an owner of %q%s", errdef.ErrDenied, what, org, suffix(msg))
	case strings.Contains(status, "402") || strings.Contains(status, "PAYMENT"):
		return fmt.Errorf("%w: %s: the organisation has no Docker Hardened Images subscription%s", errdef.ErrDenied, what, suffix(msg))
	case strings.Contains(status, "404") || strings.Contains(status, "NOT_FOUND"):
		return fmt.Errorf("%w: %s", errdef.ErrNotFound, what)
	}
	return fmt.Errorf("%w: Docker Scout could not list %s%s", errdef.ErrBadResponse, what, suffix(msg))
}
