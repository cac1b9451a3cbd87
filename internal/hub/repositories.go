package hub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Repository is a Docker Hub repository.
type Repository struct {
	Namespace       string       `json:"namespace"`
	Name            string       `json:"name"`
	Description     string       `json:"description"`
	FullDescription string       `json:"full_description"` // only on single-repository answers
	IsPrivate       bool         `json:"is_private"`
	StarCount       int64        `json:"star_count"`
	PullCount       int64        `json:"pull_count"`
	LastUpdated     string       `json:"last_updated"` // RFC 3339, as sent
	DateRegistered  string       `json:"date_registered,omitempty"`
	Status          string       `json:"status"`      // "active", "inactive", or what Docker Hub says
	StatusCode      int          `json:"status_code"` // Docker Hub's number for Status
	Type            string       `json:"repository_type,omitempty"`
	Categories      []string     `json:"categories"` // display names
	MediaTypes      []string     `json:"media_types,omitempty"`
	ContentTypes    []string     `json:"content_types,omitempty"`
	StorageSize     int64        `json:"storage_size,omitempty"`
	Affiliation     string       `json:"affiliation,omitempty"` // the caller's role: owner, member, ...
	Permissions     *Permissions `json:"permissions,omitempty"` // the caller's rights, when authenticated
}

// Permissions are the caller's rights on a repository.
type Permissions struct {
	Read  bool `json:"read"`
	Write bool `json:"write"`
	Admin bool `json:"admin"`
}

// RepositoryPage is one page of a namespace's repositories.
type RepositoryPage struct {
	Count    int          `json:"count"`               // across all pages
	NextPage int          `json:"next_page,omitempty"` // 0 on the last page
	Results  []Repository `json:"results"`
}

// Orderings accepted by ListRepositories; "-" reverses.
var repoOrderings = []string{"last_updated", "-last_updated", "name", "-name", "pull_count", "-pull_count"}

// ListReposParams selects a page of repositories. Zero values mean the
// server's defaults.
type ListReposParams struct {
	Page         int
	PageSize     int    // 1-100
	Ordering     string // last_updated, -last_updated, name, -name, pull_count, -pull_count
	MediaTypes   string // comma-separated media types
	ContentTypes string // comma-separated content types ("image", "helm", ...)
}

// ListRepositories lists a namespace's repositories (GET /v2/namespaces/{namespace}/repositories).
// Private ones are included only for an account that may see them.
func (c *Client) ListRepositories(ctx context.Context, namespace string, p ListReposParams) (*RepositoryPage, error) {
	if err := required("namespace", namespace); err != nil {
		return nil, err
	}
	q := url.Values{}
	pageQuery(q, p.Page, p.PageSize)
	if p.Ordering != "" {
		if !slices.Contains(repoOrderings, p.Ordering) {
			return nil, fmt.Errorf("%w: ordering must be one of %s, got %q", errdef.ErrInvalidInput, strings.Join(repoOrderings, ", "), p.Ordering)
		}
		q.Set("ordering", p.Ordering)
	}
	if p.MediaTypes != "" {
		q.Set("media_types", p.MediaTypes)
	}
	if p.ContentTypes != "" {
		q.Set("content_types", p.ContentTypes)
	}
	var out page[wireRepository]
	err := c.do(ctx, call{
		method: http.MethodGet,
		url:    withQuery(c.endpoint(false, "v2", "namespaces", namespace, "repositories"), q),
		what:   fmt.Sprintf("repositories of namespace %q", namespace),
	}, &out)
	if err != nil {
		return nil, err
	}
	res := &RepositoryPage{Count: out.Count, NextPage: nextPage(out.Next, p.Page), Results: make([]Repository, 0, len(out.Results))}
	for _, r := range out.Results {
		res.Results = append(res.Results, r.repository())
	}
	return res, nil
}

// GetRepository reads one repository (GET /v2/namespaces/{namespace}/repositories/{repository}).
// A missing repository, or a private one the caller may not see, is errdef.ErrNotFound.
func (c *Client) GetRepository(ctx context.Context, namespace, repo string) (*Repository, error) {
	if err := required("namespace", namespace, "repository", repo); err != nil {
		return nil, err
	}
	var out wireRepository
	err := c.do(ctx, call{
		method: http.MethodGet,
		url:    c.endpoint(false, "v2", "namespaces", namespace, "repositories", repo),
		what:   fmt.Sprintf("repository %s/%s", namespace, repo),
	}, &out)
	if err != nil {
		return nil, err
	}
	r := out.repository()
	return &r, nil
}

// Limits Docker Hub puts on repository fields (see repo_creation_request in its API document).
const (
	maxDescription     = 100
	maxFullDescription = 25000
)

// repoNamePattern is Docker Hub's rule for new repository names.
var repoNamePattern = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// CreateRepoParams describes a new repository.
type CreateRepoParams struct {
	Name            string // 2-255 of a-z 0-9 . _ -, starting and ending alphanumeric
	Description     string // at most 100 characters
	FullDescription string // Markdown overview, at most 25 000 characters
	IsPrivate       bool
}

// CreateRepository creates a repository (POST /v2/namespaces/{namespace}/repositories).
// It needs an account allowed to write to the namespace.
func (c *Client) CreateRepository(ctx context.Context, namespace string, p CreateRepoParams) (*Repository, error) {
	if err := required("namespace", namespace); err != nil {
		return nil, err
	}
	if n := len(p.Name); n < 2 || n > 255 || !repoNamePattern.MatchString(p.Name) {
		return nil, fmt.Errorf("%w: repository name %q must be 2-255 lowercase letters, digits and single . _ - between them", errdef.ErrInvalidInput, p.Name)
	}
	if err := checkDescriptions(&p.Description, &p.FullDescription); err != nil {
		return nil, err
	}
	body := map[string]any{
		"namespace":  namespace,
		"name":       p.Name,
		"registry":   "docker.io",
		"is_private": p.IsPrivate,
	}
	if p.Description != "" {
		body["description"] = p.Description
	}
	if p.FullDescription != "" {
		body["full_description"] = p.FullDescription
	}
	var out wireRepository
	err := c.do(ctx, call{
		method:  http.MethodPost,
		url:     c.endpoint(false, "v2", "namespaces", namespace, "repositories"),
		body:    body,
		account: true,
		what:    fmt.Sprintf("creating repository %s/%s", namespace, p.Name),
	}, &out)
	if err != nil {
		return nil, err
	}
	r := out.repository()
	return &r, nil
}

// UpdateRepoParams lists the fields to change; nil fields are left alone and
// never sent.
type UpdateRepoParams struct {
	Description     *string
	FullDescription *string
	Active          *bool // the status: active (true) or inactive (false)
}

// Status numbers PATCH takes. Docker's repository API lists 1 as active;
// docker/hub-mcp sends 0 for inactive, the state Docker Hub shows for a
// repository without images.
const (
	statusActive   = 1
	statusInactive = 0
)

// UpdateRepository changes a repository's descriptions or status
// (PATCH /v2/namespaces/{namespace}/repositories/{repository}). It needs an
// account with admin rights on the repository.
func (c *Client) UpdateRepository(ctx context.Context, namespace, repo string, p UpdateRepoParams) (*Repository, error) {
	if err := required("namespace", namespace, "repository", repo); err != nil {
		return nil, err
	}
	if p.Description == nil && p.FullDescription == nil && p.Active == nil {
		return nil, fmt.Errorf("%w: nothing to update: give a description, a full description or a status", errdef.ErrInvalidInput)
	}
	if err := checkDescriptions(p.Description, p.FullDescription); err != nil {
		return nil, err
	}
	body := map[string]any{}
	if p.Description != nil {
		body["description"] = *p.Description
	}
	if p.FullDescription != nil {
		body["full_description"] = *p.FullDescription
	}
	if p.Active != nil {
		body["status"] = statusInactive
		if *p.Active {
			body["status"] = statusActive
		}
	}
	var out wireRepository
	err := c.do(ctx, call{
		method:  http.MethodPatch,
		url:     c.endpoint(false, "v2", "namespaces", namespace, "repositories", repo),
		body:    body,
		account: true,
		what:    fmt.Sprintf("updating repository %s/%s", namespace, repo),
	}, &out)
	if err != nil {
		return nil, err
	}
	r := out.repository()
	return &r, nil
}

func checkDescriptions(desc, full *string) error {
	if desc != nil && utf8.RuneCountInString(*desc) > maxDescription {
		return fmt.Errorf("%w: description is limited to %d characters; put longer text in full_description", errdef.ErrInvalidInput, maxDescription)
	}
	if full != nil && utf8.RuneCountInString(*full) > maxFullDescription {
		return fmt.Errorf("%w: full_description is limited to %d characters", errdef.ErrInvalidInput, maxFullDescription)
	}
	return nil
}

// required checks each named argument (name, value pairs) that becomes a
// path segment: it must be non-empty and not a dot segment, which servers and
// proxies resolve even when the rest of the segment is escaped.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		switch v := pairs[i+1]; {
		case strings.TrimSpace(v) == "":
			return fmt.Errorf("%w: %s is required", errdef.ErrInvalidInput, pairs[i])
		case v == "." || v == "..":
			return fmt.Errorf("%w: %s %q is not a valid name", errdef.ErrInvalidInput, pairs[i], v)
		}
	}
	return nil
}

// wireRepository is a repository as Docker Hub sends it, in list and single form.
type wireRepository struct {
	Namespace         string      `json:"namespace"`
	Name              string      `json:"name"`
	Description       string      `json:"description"`
	FullDescription   string      `json:"full_description"`
	IsPrivate         bool        `json:"is_private"`
	StarCount         int64       `json:"star_count"`
	PullCount         int64       `json:"pull_count"`
	LastUpdated       string      `json:"last_updated"`
	DateRegistered    string      `json:"date_registered"`
	Status            int         `json:"status"`
	StatusDescription string      `json:"status_description"`
	RepositoryType    looseString `json:"repository_type"`
	Categories        []struct {
		Name string `json:"name"`
		Slug string `json:"slug"`
	} `json:"categories"`
	MediaTypes   []string     `json:"media_types"`
	ContentTypes []string     `json:"content_types"`
	StorageSize  int64        `json:"storage_size"`
	Affiliation  string       `json:"affiliation"`
	Permissions  *Permissions `json:"permissions"`
}

func (w wireRepository) repository() Repository {
	r := Repository{
		Namespace:       w.Namespace,
		Name:            w.Name,
		Description:     w.Description,
		FullDescription: w.FullDescription,
		IsPrivate:       w.IsPrivate,
		StarCount:       w.StarCount,
		PullCount:       w.PullCount,
		LastUpdated:     w.LastUpdated,
		DateRegistered:  w.DateRegistered,
		Status:          strings.ToLower(w.StatusDescription),
		StatusCode:      w.Status,
		Type:            string(w.RepositoryType),
		MediaTypes:      w.MediaTypes,
		ContentTypes:    w.ContentTypes,
		StorageSize:     w.StorageSize,
		Affiliation:     w.Affiliation,
		Permissions:     w.Permissions,
		Categories:      []string{},
	}
	for _, cat := range w.Categories {
		r.Categories = append(r.Categories, orDefault(cat.Name, cat.Slug))
	}
	return r
}
