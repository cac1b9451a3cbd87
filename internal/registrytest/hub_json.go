package registrytest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The emulator's answers, in the shapes of Docker's API document
// (repository_list_entry, repository_info, tag, page).

func hubTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func hubStatusWord(status int) string {
	if status == 1 {
		return "active"
	}
	return "inactive"
}

func hubCategoriesJSON(cs []hubCategory) []any {
	out := []any{}
	for _, c := range cs {
		out = append(out, map[string]any{"name": c.name, "slug": c.slug})
	}
	return out
}

func (repo *hubRepo) storageSize() int64 {
	var n int64
	for _, t := range repo.tags {
		for _, im := range t.images {
			n += im.size
		}
	}
	return n
}

// listEntry is a repository as GET /v2/namespaces/{namespace}/repositories lists it.
func (h *Hub) listEntry(acct *hubAccount, repo *hubRepo) map[string]any {
	affiliation := ""
	if h.canWrite(acct, repo.namespace) {
		affiliation = "owner"
	}
	return map[string]any{
		"name":               repo.name,
		"namespace":          repo.namespace,
		"repository_type":    "image",
		"status":             repo.status,
		"status_description": hubStatusWord(repo.status),
		"description":        repo.description,
		"is_private":         repo.private,
		"star_count":         repo.stars,
		"pull_count":         repo.pulls,
		"last_updated":       hubTime(repo.updated),
		"last_modified":      hubTime(repo.updated),
		"date_registered":    hubTime(repo.registered),
		"affiliation":        affiliation,
		"media_types":        hubNonNil(repo.mediaTypes()),
		"content_types":      repo.contentTypes,
		"categories":         hubCategoriesJSON(repo.categories),
		"storage_size":       repo.storageSize(),
	}
}

// repoInfo is a repository as the single-repository endpoints answer it.
func (h *Hub) repoInfo(acct *hubAccount, repo *hubRepo) map[string]any {
	m := h.listEntry(acct, repo)
	write := h.canWrite(acct, repo.namespace)
	m["user"] = repo.namespace
	m["hub_user"] = repo.namespace
	m["full_description"] = repo.full
	m["is_automated"] = false
	m["collaborator_count"] = 0
	m["has_starred"] = false
	m["permissions"] = map[string]any{"read": true, "write": write, "admin": write}
	m["immutable_tags_settings"] = map[string]any{"enabled": false, "rules": []string{}}
	m["source"] = nil
	return m
}

// hubTagJSON is a tag with one entry per platform image. Docker Hub sends
// "images" as an array although its document describes a single object.
func hubTagJSON(repo *hubRepo, t *hubTag) map[string]any {
	status := "inactive"
	if t.active {
		status = "active"
	}
	var images []any
	var fullSize int64
	for _, im := range t.images {
		m := map[string]any{
			"architecture": im.arch,
			"os":           im.os,
			"digest":       im.digest,
			"size":         im.size,
			"status":       status,
			"last_pushed":  hubTime(t.pushed),
			"last_pulled":  hubTime(t.pulled),
			"features":     "",
			"os_features":  "",
			"layers":       []any{},
		}
		if im.variant != "" {
			m["variant"] = im.variant
		}
		images = append(images, m)
		fullSize = max(fullSize, im.size)
	}
	return map[string]any{
		"id":                    len(t.name) + 1000,
		"name":                  t.name,
		"digest":                t.digest,
		"media_type":            t.mediaType,
		"content_type":          "image",
		"full_size":             fullSize,
		"images":                hubNonNil(images),
		"last_updated":          hubTime(t.pushed),
		"last_updater":          1,
		"last_updater_username": repo.namespace,
		"repository":            1,
		"tag_status":            status,
		"tag_last_pushed":       hubTime(t.pushed),
		"tag_last_pulled":       hubTime(t.pulled),
	}
}

// hubPageWindow is one page of a listing of n items.
type hubPageWindow struct {
	from, to, count int
	next, previous  *string
}

// hubPaginate reads page and page_size as Docker Hub does (defaults 1 and 10,
// at most 100 per page) and answers 400 or 404 itself when they are out of range.
func hubPaginate(w http.ResponseWriter, r *http.Request, n int) (hubPageWindow, bool) {
	q := r.URL.Query()
	page, size := 1, 10
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			hubWriteError(w, http.StatusBadRequest, "invalid page")
			return hubPageWindow{}, false
		}
	}
	if v := q.Get("page_size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 100 {
			hubWriteError(w, http.StatusBadRequest, "page_size must be between 1 and 100")
			return hubPageWindow{}, false
		}
	}
	from := (page - 1) * size
	if page > 1 && from >= n {
		hubWriteError(w, http.StatusNotFound, "Invalid page.")
		return hubPageWindow{}, false
	}
	pw := hubPageWindow{from: min(from, n), to: min(from+size, n), count: n}
	link := func(p int) *string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("page_size", strconv.Itoa(size))
		u.RawQuery = q.Encode()
		s := u.String()
		return &s
	}
	if pw.to < n {
		pw.next = link(page + 1)
	}
	if page > 1 {
		pw.previous = link(page - 1)
	}
	return pw, true
}

func (p hubPageWindow) envelope(results []any) map[string]any {
	return map[string]any{"count": p.count, "next": p.next, "previous": p.previous, "results": hubNonNil(results)}
}

func hubNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
