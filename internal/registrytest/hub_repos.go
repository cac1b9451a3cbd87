package registrytest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Repository endpoints: list, read, create, update, tags.

func (h *Hub) handleListRepos(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	ns := r.PathValue("namespace")
	q := r.URL.Query()
	ordering := q.Get("ordering")
	if ordering == "" {
		ordering = "-last_updated"
	}
	if !slices.Contains([]string{"name", "-name", "last_updated", "-last_updated", "pull_count", "-pull_count"}, ordering) {
		hubWriteJSON(w, http.StatusBadRequest, map[string]any{
			"fields": map[string]any{"ordering": []string{"Invalid ordering value"}}, "text": "Invalid ordering value",
		})
		return
	}
	h.mu.Lock()
	if h.profiles[ns] == nil {
		h.mu.Unlock()
		hubWriteError(w, http.StatusNotFound, "object not found")
		return
	}
	var list []*hubRepo
	for _, repo := range h.repos {
		if repo.namespace == ns && h.canSee(acct, repo) && hubMatchesAny(q.Get("content_types"), repo.contentTypes) &&
			hubMatchesAny(q.Get("media_types"), repo.mediaTypes()) && strings.Contains(repo.name, q.Get("name")) {
			list = append(list, repo)
		}
	}
	hubSortRepos(list, ordering)
	var results []any
	pg, ok := hubPaginate(w, r, len(list))
	if ok {
		for _, repo := range list[pg.from:pg.to] {
			results = append(results, h.listEntry(acct, repo))
		}
	}
	h.mu.Unlock()
	if ok {
		hubWriteJSON(w, http.StatusOK, pg.envelope(results))
	}
}

func (h *Hub) handleGetRepo(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	repo := h.visibleRepo(acct, r)
	if repo == nil {
		hubWriteError(w, http.StatusNotFound, "object not found")
		return
	}
	hubWriteJSON(w, http.StatusOK, h.repoInfo(acct, repo))
}

var hubRepoNameRule = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

func (h *Hub) handleCreateRepo(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.account(w, r)
	if !ok {
		return
	}
	ns := r.PathValue("namespace")
	var req struct {
		Name            string `json:"name"`
		Namespace       string `json:"namespace"`
		Description     string `json:"description"`
		FullDescription string `json:"full_description"`
		IsPrivate       bool   `json:"is_private"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		hubWriteError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.profiles[ns] == nil:
		hubWriteError(w, http.StatusNotFound, "namespace not found")
	case !h.canWrite(acct, ns):
		hubWriteError(w, http.StatusForbidden, "you do not have permission to create repositories in "+ns)
	case req.Namespace != ns:
		hubWriteError(w, http.StatusBadRequest, "namespace in the body must match the path")
	case len(req.Name) < 2 || len(req.Name) > 255 || !hubRepoNameRule.MatchString(req.Name):
		hubWriteError(w, http.StatusBadRequest, "invalid repository name")
	case utf8.RuneCountInString(req.Description) > 100 || utf8.RuneCountInString(req.FullDescription) > 25000:
		hubWriteError(w, http.StatusBadRequest, "description too long")
	case h.repos[ns+"/"+req.Name] != nil:
		hubWriteError(w, http.StatusBadRequest, "Repository with this Name and Namespace already exists.")
	default:
		repo := &hubRepo{namespace: ns, name: req.Name, description: req.Description, full: req.FullDescription, private: req.IsPrivate}
		h.addRepo(repo)
		// Docker's document shows a new repository as active (status 1).
		repo.status, repo.registered, repo.updated = 1, time.Now().UTC(), time.Now().UTC()
		hubWriteJSON(w, http.StatusCreated, h.repoInfo(acct, repo))
	}
}

func (h *Hub) handleUpdateRepo(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.account(w, r)
	if !ok {
		return
	}
	var req map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		hubWriteError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	repo := h.visibleRepo(acct, r)
	if repo == nil {
		hubWriteError(w, http.StatusNotFound, "object not found")
		return
	}
	if !h.canWrite(acct, repo.namespace) {
		hubWriteError(w, http.StatusForbidden, "admin rights on the repository are required")
		return
	}
	next := *repo
	for k, v := range req {
		var err error
		switch k {
		case "description":
			err = json.Unmarshal(v, &next.description)
		case "full_description":
			err = json.Unmarshal(v, &next.full)
		case "status":
			// 1 is active and 0 inactive; a word or any other number is refused.
			if err = json.Unmarshal(v, &next.status); err == nil && next.status != 0 && next.status != 1 {
				hubWriteError(w, http.StatusBadRequest, "status must be 0 (inactive) or 1 (active)")
				return
			}
		default:
			hubWriteError(w, http.StatusBadRequest, "unknown field "+k)
			return
		}
		if err != nil {
			hubWriteError(w, http.StatusBadRequest, "invalid "+k+": "+err.Error())
			return
		}
	}
	if utf8.RuneCountInString(next.description) > 100 || utf8.RuneCountInString(next.full) > 25000 {
		hubWriteError(w, http.StatusBadRequest, "description too long")
		return
	}
	next.updated = time.Now().UTC()
	*repo = next
	hubWriteJSON(w, http.StatusOK, h.repoInfo(acct, repo))
}

func (h *Hub) handleListTags(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	repo := h.visibleRepo(acct, r)
	if repo == nil {
		hubWriteError(w, http.StatusNotFound, "object not found")
		return
	}
	q := r.URL.Query()
	var list []*hubTag
	for _, t := range repo.tags {
		if strings.Contains(t.name, q.Get("name")) && t.hasPlatform(q.Get("os"), q.Get("architecture")) {
			list = append(list, t)
		}
	}
	pg, ok := hubPaginate(w, r, len(list))
	if !ok {
		return
	}
	results := []any{}
	for _, t := range list[pg.from:pg.to] {
		results = append(results, hubTagJSON(repo, t))
	}
	hubWriteJSON(w, http.StatusOK, pg.envelope(results))
}

func (h *Hub) handleGetTag(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	repo := h.visibleRepo(acct, r)
	if repo == nil {
		hubWriteError(w, http.StatusNotFound, "object not found")
		return
	}
	for _, t := range repo.tags {
		if t.name == r.PathValue("tag") {
			hubWriteJSON(w, http.StatusOK, hubTagJSON(repo, t))
			return
		}
	}
	hubWriteError(w, http.StatusNotFound, "object not found")
}

// visibleRepo is the repository the path names, if acct may see it. Callers hold h.mu.
func (h *Hub) visibleRepo(acct *hubAccount, r *http.Request) *hubRepo {
	repo := h.repos[r.PathValue("namespace")+"/"+r.PathValue("repository")]
	if repo == nil || !h.canSee(acct, repo) {
		return nil // Docker Hub does not reveal private repositories
	}
	return repo
}

func (h *Hub) canSee(acct *hubAccount, repo *hubRepo) bool {
	return !repo.private || h.canWrite(acct, repo.namespace)
}

func (h *Hub) canWrite(acct *hubAccount, ns string) bool {
	return acct != nil && (acct.username == ns || slices.Contains(acct.orgs, ns))
}

func (repo *hubRepo) mediaTypes() []string {
	var out []string
	for _, t := range repo.tags {
		if !slices.Contains(out, t.mediaType) {
			out = append(out, t.mediaType)
		}
	}
	return out
}

func (t *hubTag) hasPlatform(os, arch string) bool {
	for _, im := range t.images {
		if (os == "" || im.os == os) && (arch == "" || im.arch == arch) {
			return true
		}
	}
	return false
}

// hubMatchesAny reports whether a comma-separated filter is empty or names one of have.
func hubMatchesAny(filter string, have []string) bool {
	if filter == "" {
		return true
	}
	for f := range strings.SplitSeq(filter, ",") {
		if slices.Contains(have, strings.TrimSpace(f)) {
			return true
		}
	}
	return false
}

func hubSortRepos(list []*hubRepo, ordering string) {
	field := strings.TrimPrefix(ordering, "-")
	slices.SortStableFunc(list, func(a, b *hubRepo) int {
		c := strings.Compare(a.name, b.name)
		switch field {
		case "last_updated":
			c = a.updated.Compare(b.updated)
		case "pull_count":
			c = cmp.Compare(a.pulls, b.pulls)
		}
		if strings.HasPrefix(ordering, "-") {
			c = -c
		}
		return c
	})
}
