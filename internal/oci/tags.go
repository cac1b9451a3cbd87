package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// TagPage is one page of a repository's tags in the registry's own order.
type TagPage struct {
	Tags []string
	// Last is the value to pass as last for the next page; empty on the last page.
	Last string
}

// Tags fetches one page of at most n tags after last, with one request. A
// page is kept for the tag TTL, like a tag's digest.
func (c *Client) Tags(ctx context.Context, repo name.Repository, n int, last string) (*TagPage, error) {
	k := tagPageKey(repo, n, last)
	if v, ok := c.cache.freshValue(k); ok {
		return v.(*TagPage).clone(), nil
	}
	if v, ok := c.cache.freshValue(allTagsKey(repo)); ok {
		if page, ok := pageOf(v.(*tagList).tags, n, last); ok {
			return page, nil
		}
	}
	page, err := coalesce(ctx, c, k.String(), func(ctx context.Context) (*TagPage, error) {
		var shared sharedTagPage
		if c.cache.sharedFresh(ctx, k, &shared) && shared.Tags != nil {
			page := &TagPage{Tags: shared.Tags, Last: shared.Last}
			c.cache.putFresh(k, page, tagsSize(page.Tags))
			return page, nil
		}
		page, err := c.fetchTags(ctx, repo, n, last)
		if err != nil {
			return nil, err
		}
		c.cache.putFresh(k, page, tagsSize(page.Tags))
		c.cache.shareFresh(ctx, k, sharedTagPage{Tags: page.Tags, Last: page.Last})
		return page, nil
	})
	if err != nil {
		return nil, err
	}
	return page.clone(), nil
}

// pageOf cuts a page out of a full tag list, which AllTags gathered in the
// registry's own order, the way the registry would have: n tags after last.
// It cannot when last is not in the list.
func pageOf(all []string, n int, last string) (*TagPage, bool) {
	start := 0
	if last != "" {
		i := slices.Index(all, last)
		if i < 0 {
			return nil, false
		}
		start = i + 1
	}
	end := min(start+n, len(all))
	page := &TagPage{Tags: slices.Clone(all[start:end])}
	if end < len(all) {
		page.Last = all[end-1]
	}
	return page, true
}

// sharedTagPage is a TagPage as the shared cache holds it.
type sharedTagPage struct {
	Tags []string `json:"tags"`
	Last string   `json:"last,omitempty"`
}

// clone gives each caller its own slice: callers may sort or trim it.
func (p *TagPage) clone() *TagPage {
	return &TagPage{Tags: slices.Clone(p.Tags), Last: p.Last}
}

// tagsSize estimates the memory a tag list holds, for the cache's byte bound.
func tagsSize(tags []string) int64 {
	n := int64(24 + 16*len(tags))
	for _, t := range tags {
		n += int64(len(t))
	}
	return n
}

// fetchTags GETs one page of tags.
func (c *Client) fetchTags(ctx context.Context, repo name.Repository, n int, last string) (*TagPage, error) {
	q := url.Values{"n": {strconv.Itoa(n)}}
	if last != "" {
		q.Set("last", last)
	}
	resp, err := c.do(ctx, request{
		method: http.MethodGet, repo: repo, path: "tags/list", query: q,
		what: "tags of " + DisplayName(repo), limit: MaxTagPageBytes,
	})
	if err != nil {
		return nil, err
	}
	var body struct {
		Tags []string `json:"tags"`
	}
	if looksLikeHTML(resp.body, resp.header) || json.Unmarshal(resp.body, &body) != nil {
		return nil, fmt.Errorf("%w: %s answered the tag list of %s with something that is not a tag list", errdef.ErrBadResponse, repo.RegistryStr(), DisplayName(repo))
	}
	page := &TagPage{}
	page.Tags, page.Last = cutPage(body.Tags, n, last, resp.header.Get("Link"))
	return page, nil
}

// AllTags returns every tag of a repository in the registry's order; see
// SortedTags.
func (c *Client) AllTags(ctx context.Context, repo name.Repository, max int, progress func(count int)) ([]string, error) {
	return c.SortedTags(ctx, repo, "registry", max, progress)
}

// SortedTags returns every tag of a repository in one of TagOrders. It reads
// them a page of 1000 at a time, stopping with ErrTooLarge past max;
// progress, if set, is told the running count. The list is kept for the tag
// TTL with each order it has been sorted in, so that the pages of a filtered
// or sorted listing neither read every tag nor sort them again. The caller
// owns the slice.
func (c *Client) SortedTags(ctx context.Context, repo name.Repository, order string, max int, progress func(count int)) ([]string, error) {
	if err := SortTags(nil, order); err != nil {
		return nil, err // an unknown order, refused before any request
	}
	k := allTagsKey(repo)
	if v, ok := c.cache.freshValue(k); ok {
		return c.boundTags(repo, v.(*tagList), order, max)
	}
	// Callers with different maxes do not share a fetch: one that fails past
	// a small max must not fail one that allows more.
	list, err := coalesce(ctx, c, k.String()+"|"+strconv.Itoa(max), func(ctx context.Context) (*tagList, error) {
		var shared []string
		if c.cache.sharedFresh(ctx, k, &shared) && shared != nil {
			list := newTagList(shared)
			c.cache.putFresh(k, list, list.size())
			return list, nil
		}
		// A list that fits this caller's max is complete, so it serves every
		// caller; each is held to its own max when reading it.
		all, err := c.fetchAllTags(ctx, repo, max, progress)
		if err != nil {
			return nil, err
		}
		list := newTagList(all)
		c.cache.putFresh(k, list, list.size())
		c.cache.shareFresh(ctx, k, all)
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return c.boundTags(repo, list, order, max)
}

// tagList is a repository's whole tag list as cached, with the orders it has
// been sorted in. The sorted copies live and expire with the list.
type tagList struct {
	tags []string // the registry's order

	mu     sync.Mutex
	sorted map[string][]string // by order
}

func newTagList(tags []string) *tagList {
	return &tagList{tags: tags, sorted: map[string][]string{}}
}

// size is what the list may come to weigh in the cache: its tags, and a
// slice of them for each order (the strings themselves are shared).
func (l *tagList) size() int64 {
	return tagsSize(l.tags) + int64(len(TagOrders)*(24+16*len(l.tags)))
}

// in returns the list in order, sorting it the first time that order is
// asked for. The slice is shared: callers copy it.
func (l *tagList) in(order string) ([]string, error) {
	if order == "" || order == "registry" {
		return l.tags, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.sorted[order]; ok {
		return s, nil
	}
	s := slices.Clone(l.tags)
	if err := SortTags(s, order); err != nil {
		return nil, err
	}
	l.sorted[order] = s
	return s, nil
}

func (c *Client) fetchAllTags(ctx context.Context, repo name.Repository, max int, progress func(count int)) ([]string, error) {
	var all []string
	last := ""
	seen := map[string]bool{}
	for {
		page, err := c.fetchTags(ctx, repo, 1000, last)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Tags...)
		if len(all) > max {
			return nil, tooManyTags(repo, max)
		}
		if progress != nil {
			progress(len(all))
		}
		if page.Last == "" || seen[page.Last] {
			return all, nil // seen guards against a registry that ignores last
		}
		seen[page.Last] = true
		last = page.Last
	}
}

// boundTags copies a shared list, in order, for one caller, held to its max.
func (c *Client) boundTags(repo name.Repository, list *tagList, order string, max int) ([]string, error) {
	if len(list.tags) > max {
		return nil, tooManyTags(repo, max)
	}
	tags, err := list.in(order)
	if err != nil {
		return nil, err
	}
	return slices.Clone(tags), nil
}

func tooManyTags(repo name.Repository, max int) error {
	return fmt.Errorf("%w: %s has more than %d tags; use the registry order (no pattern or sort) and page with the cursor", errdef.ErrTooLarge, DisplayName(repo), max)
}

// nextLast reads the "last" parameter of a Link header's rel="next" URL.
func nextLast(link string) (string, bool) {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(part, ";")
		if !ok || !isNextRel(params) {
			continue
		}
		target = strings.Trim(strings.TrimSpace(target), "<>")
		u, err := url.Parse(target)
		if err != nil {
			return "", true
		}
		return u.Query().Get("last"), true
	}
	return "", false
}

// isNextRel accepts rel="next" and the unquoted rel=next some registries send.
func isNextRel(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "rel") && strings.Trim(v, `"`) == "next" {
			return true
		}
	}
	return false
}

// cutPage applies the distribution API's paging to one answer (tags or
// repositories): at most n items, and the "last" to continue from — the
// Link header's when it has one, else the last item when there is more.
// Some registries (the distribution registry with filesystem storage among
// them) ignore n and last and send everything every time: for them the
// items up to the one we asked to continue after are skipped here, and the
// answer is cut to n so the promised page size holds.
func cutPage(items []string, n int, after, link string) ([]string, string) {
	if items == nil {
		items = []string{}
	}
	next, hasNext := nextLast(link)
	if len(items) > n && !hasNext {
		if i := slices.Index(items, after); after != "" && i >= 0 {
			items = items[i+1:]
		}
		if len(items) > n {
			return items[:n], items[n-1]
		}
		return items, ""
	}
	switch {
	case len(items) > n:
		return items[:n], items[n-1]
	case hasNext && next != "":
		return items, next
	case hasNext && len(items) > 0:
		return items, items[len(items)-1]
	}
	return items, ""
}
