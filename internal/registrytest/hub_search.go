package registrytest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// handleSearch serves Search v4 (GET /api/search/v4): query, badges, type,
// from, size, sort and order, as search-v4.yaml describes them.
func (h *Hub) handleSearch(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.caller(w, r); !ok {
		return
	}
	q := r.URL.Query()
	query := strings.ToLower(q.Get("query"))
	from, err1 := hubAtoi(q.Get("from"), 0)
	size, err2 := hubAtoi(q.Get("size"), 10)
	switch {
	case query == "":
		hubWriteJSON(w, http.StatusBadRequest, map[string]any{"message": "query is required"})
		return
	case err1 != nil || err2 != nil || from < 0 || size < 0 || size > 100 || from+size > 2500:
		hubWriteJSON(w, http.StatusBadRequest, map[string]any{"message": "invalid from or size"})
		return
	}
	h.mu.Lock()
	var hits []hubSearchEntry
	for _, e := range h.search {
		text := strings.ToLower(e.name + " " + e.description)
		if strings.Contains(text, query) && hubMatchesBadge(q.Get("badges"), e.badge) && (q.Get("type") == "" || q.Get("type") == e.typ) {
			hits = append(hits, e)
		}
	}
	h.mu.Unlock()
	hubSortSearch(hits, q.Get("sort"), q.Get("order"))
	results := []any{}
	for _, e := range hits[min(from, len(hits)):min(from+size, len(hits))] {
		m := map[string]any{
			"id":                 hubID(e.name),
			"name":               e.name,
			"slug":               e.name,
			"type":               e.typ,
			"publisher":          map[string]any{"id": hubID(e.publisher), "name": e.publisher},
			"created_at":         hubTime(hubSeedTime),
			"updated_at":         hubTime(e.updated),
			"short_description":  e.description,
			"star_count":         e.stars,
			"pull_count":         e.pullCount,
			"operating_systems":  []any{map[string]any{"name": "linux", "label": "Linux"}},
			"architectures":      []any{map[string]any{"name": "amd64", "label": "x86-64"}, map[string]any{"name": "arm64", "label": "ARM 64"}},
			"logo_url":           map[string]any{"large": "", "small": ""},
			"extension_reviewed": false,
			"categories":         []any{},
			"archived":           false,
		}
		if e.badge != "" {
			m["badge"] = e.badge
		}
		results = append(results, m)
	}
	hubWriteJSON(w, http.StatusOK, map[string]any{"total": len(hits), "results": results})
}

func hubMatchesBadge(filter, badge string) bool {
	if filter == "" {
		return true
	}
	if badge == "" {
		badge = "none"
	}
	return slices.Contains(strings.Split(filter, ","), badge)
}

// hubSortSearch orders hits by pull_count or updated_at (descending unless
// order=asc); without sort the seeded order stands for relevance.
func hubSortSearch(hits []hubSearchEntry, sort, order string) {
	if sort == "" {
		return
	}
	slices.SortStableFunc(hits, func(a, b hubSearchEntry) int {
		c := a.updated.Compare(b.updated)
		if sort == "pull_count" {
			c = cmp.Compare(hubPullsOf(a.pullCount), hubPullsOf(b.pullCount))
		}
		if order != "asc" {
			c = -c
		}
		return c
	})
}

// hubPullsOf reads the emulator's own rounded pull counts ("1B+", "1.2K").
func hubPullsOf(s string) float64 {
	s = strings.TrimSuffix(s, "+")
	mult := map[byte]float64{'K': 1e3, 'M': 1e6, 'B': 1e9}[s[len(s)-1]]
	if mult == 0 {
		mult = 1
	} else {
		s = s[:len(s)-1]
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f * mult
}

func hubAtoi(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}
