package oci

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// TagOrders are the orders list_tags offers.
var TagOrders = []string{"registry", "alphabetical", "alphabetical-desc", "semver", "semver-desc"}

// FilterTags keeps the tags matching a glob (path.Match syntax: * ? [..]).
func FilterTags(tags []string, pattern string) ([]string, error) {
	if pattern == "" {
		return tags, nil
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("%w: pattern %q is not a valid glob (use * and ?, e.g. 1.2* or *-alpine)", errdef.ErrInvalidInput, pattern)
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if ok, _ := path.Match(pattern, t); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// SortTags sorts in place by one of TagOrders. Semver orders put tags that
// are not versions last, alphabetically.
func SortTags(tags []string, order string) error {
	switch order {
	case "", "registry":
	case "alphabetical":
		slices.Sort(tags)
	case "alphabetical-desc":
		slices.Sort(tags)
		slices.Reverse(tags)
	case "semver", "semver-desc":
		sortSemver(tags, order == "semver-desc")
	default:
		return fmt.Errorf("%w: sort %q is not one of %s", errdef.ErrInvalidInput, order, strings.Join(TagOrders, ", "))
	}
	return nil
}

// sortSemver parses each tag once (not once per comparison: a sort of
// 100 000 tags compares about two million times).
func sortSemver(tags []string, desc bool) {
	type parsed struct {
		tag string
		v   Version
		ok  bool
	}
	ps := make([]parsed, len(tags))
	for i, t := range tags {
		v, ok := ParseVersion(t)
		ps[i] = parsed{t, v, ok}
	}
	slices.SortStableFunc(ps, func(a, b parsed) int {
		switch {
		case a.ok && b.ok:
			if c := a.v.Compare(b.v); c != 0 {
				if desc {
					return -c
				}
				return c
			}
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return strings.Compare(a.tag, b.tag)
	})
	for i, p := range ps {
		tags[i] = p.tag
	}
}

// Version is a semantic version parsed leniently from a tag: an optional v,
// one to three numbers, an optional -pre-release and +build.
type Version struct {
	Nums [3]int
	Pre  []string
}

// ParseVersion parses tags like v1.2.3, 1.2, 16, 1.2.3-rc.1, 1.2.3+build.
func ParseVersion(tag string) (Version, bool) {
	s := strings.TrimPrefix(tag, "v")
	s, _, _ = strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 || core == "" {
		return Version{}, false
	}
	var v Version
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '0') {
			return Version{}, false
		}
		v.Nums[i] = n
	}
	if hasPre {
		if pre == "" {
			return Version{}, false
		}
		v.Pre = strings.Split(pre, ".")
	}
	return v, true
}

// Compare orders versions by semver precedence: a pre-release sorts before
// its release; numeric identifiers compare numerically and before alphanumerics.
func (v Version) Compare(o Version) int {
	for i := range v.Nums {
		if v.Nums[i] != o.Nums[i] {
			if v.Nums[i] < o.Nums[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.Pre) == 0 && len(o.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1
	case len(o.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(o.Pre); i++ {
		if c := comparePreID(v.Pre[i], o.Pre[i]); c != 0 {
			return c
		}
	}
	return len(v.Pre) - len(o.Pre)
}

func comparePreID(a, b string) int {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return na - nb
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}
