package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// NamespaceList is the account's personal namespace and one page of the
// organisations it belongs to.
type NamespaceList struct {
	Personal      string         `json:"personal"`            // the account's own namespace (its username)
	Count         int            `json:"count"`               // organisations across all pages
	NextPage      int            `json:"next_page,omitempty"` // 0 on the last page
	Organizations []Organization `json:"organizations"`
}

// Organization is an organisation the account belongs to.
type Organization struct {
	Name     string   `json:"name"`
	FullName string   `json:"full_name,omitempty"`
	Role     string   `json:"role,omitempty"` // the account's role: Owner, Editor, Member
	Groups   []string `json:"groups,omitempty"`
	Plan     string   `json:"plan,omitempty"`
}

// ListNamespaces lists the namespaces the account can use: its own and its
// organisations (GET /v2/user/orgs, which leaves out the personal namespace).
// It needs an account.
func (c *Client) ListNamespaces(ctx context.Context, page, pageSize int) (*NamespaceList, error) {
	q := url.Values{}
	pageQuery(q, page, pageSize)
	var out struct {
		Count   int    `json:"count"`
		Next    string `json:"next"`
		Results []struct {
			OrgName    string   `json:"orgname"`
			FullName   string   `json:"full_name"`
			UserRole   string   `json:"user_role"`
			UserGroups []string `json:"user_groups"`
			PlanName   string   `json:"plan_name"`
		} `json:"results"`
	}
	err := c.do(ctx, call{
		method:  http.MethodGet,
		url:     withQuery(c.endpoint(false, "v2", "user", "orgs"), q),
		account: true,
		what:    "listing the account's namespaces",
	}, &out)
	if err != nil {
		return nil, err
	}
	// The token names its user; an organisation access token's identifier is
	// the organisation, so the claim is preferred over the configured name.
	personal := c.tokens.username()
	if personal == "" {
		personal = c.credentials(ctx).user
	}
	res := &NamespaceList{Personal: personal, Count: out.Count, NextPage: nextPage(out.Next, page), Organizations: []Organization{}}
	for _, o := range out.Results {
		res.Organizations = append(res.Organizations, Organization{
			Name: o.OrgName, FullName: o.FullName, Role: o.UserRole, Groups: o.UserGroups, Plan: o.PlanName,
		})
	}
	return res, nil
}

// Namespace is the public profile of a user or an organisation.
type Namespace struct {
	Name            string `json:"name"`
	FullName        string `json:"full_name"`
	Location        string `json:"location"`
	Company         string `json:"company"`
	IsOrganization  bool   `json:"is_organization"`
	DateJoined      string `json:"date_joined"`
	ProfileURL      string `json:"profile_url,omitempty"`
	Badge           string `json:"badge,omitempty"` // an organisation's publisher badge, e.g. verified_publisher
	RepositoryCount int    `json:"repository_count"`
}

// wireProfile is the answer of /v2/orgs/{name}/ and /v2/users/{name}/; see
// docker/hub-tool's pkg/hub (organizations.go, user.go) and the "user" schema
// of Docker's API document.
type wireProfile struct {
	Username   string `json:"username"`
	OrgName    string `json:"orgname"`
	FullName   string `json:"full_name"`
	Location   string `json:"location"`
	Company    string `json:"company"`
	DateJoined string `json:"date_joined"`
	ProfileURL string `json:"profile_url"`
	Type       string `json:"type"` // "User", "Org" or "Organization"
	Badge      string `json:"badge"`
}

// GetNamespace reads a namespace's public profile: GET /v2/orgs/{name}/, then
// GET /v2/users/{name}/ when there is no such organisation. Neither profile
// carries a repository count, so a third request reads the count of
// GET /v2/namespaces/{name}/repositories?page_size=1 (repositories the caller
// can see: public ones, plus private ones the account may read).
func (c *Client) GetNamespace(ctx context.Context, name string) (*Namespace, error) {
	if err := required("namespace", name); err != nil {
		return nil, err
	}
	var p wireProfile
	isOrg := true
	orgErr := c.do(ctx, call{
		method: http.MethodGet,
		url:    c.endpoint(true, "v2", "orgs", name),
		what:   fmt.Sprintf("organisation %q", name),
	}, &p)
	if orgErr != nil {
		// Only "not an organisation" (or an organisation profile this caller
		// may not read) moves on to users; anything else is the answer.
		if !errors.Is(orgErr, errdef.ErrNotFound) && !errors.Is(orgErr, errdef.ErrUnauthorized) && !errors.Is(orgErr, errdef.ErrDenied) {
			return nil, orgErr
		}
		isOrg = false
		p = wireProfile{}
		err := c.do(ctx, call{
			method: http.MethodGet,
			url:    c.endpoint(true, "v2", "users", name),
			what:   fmt.Sprintf("namespace %q", name),
		}, &p)
		if errors.Is(err, errdef.ErrNotFound) && !errors.Is(orgErr, errdef.ErrNotFound) {
			return nil, orgErr // an organisation that would not show its profile
		}
		if err != nil {
			return nil, err
		}
	}
	switch strings.ToLower(p.Type) {
	case "org", "organization", "organisation":
		isOrg = true
	case "user":
		isOrg = false
	}
	ns := &Namespace{
		Name:           orDefault(p.OrgName, orDefault(p.Username, name)),
		FullName:       p.FullName,
		Location:       p.Location,
		Company:        p.Company,
		IsOrganization: isOrg,
		DateJoined:     p.DateJoined,
		ProfileURL:     p.ProfileURL,
		Badge:          p.Badge,
	}
	repos, err := c.ListRepositories(ctx, name, ListReposParams{PageSize: 1})
	switch {
	case err == nil:
		ns.RepositoryCount = repos.Count
	case errors.Is(err, errdef.ErrNotFound):
		// A namespace without a repository listing has no repositories.
	default:
		return nil, err
	}
	return ns, nil
}
