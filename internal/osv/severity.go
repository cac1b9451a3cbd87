package osv

import (
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Severity levels, most severe first.
const (
	Critical = "critical"
	High     = "high"
	Medium   = "medium"
	Low      = "low"
	Unknown  = "unknown"
)

// Levels lists the severities from most to least severe.
var Levels = []string{Critical, High, Medium, Low, Unknown}

// Rank orders severities: 0 for critical up to 4 for unknown.
func Rank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i
		}
	}
	return len(Levels) - 1
}

// SeverityFor rates a record for the package it was matched on. CVSS
// vectors come first (the package's own, then the record's), newest CVSS
// version first, scored with go-cvss and rated by the CVSS bands; without a
// vector, the database's own rating (GitHub's, Ubuntu's, a distribution's
// urgency); otherwise unknown. Score is the CVSS base score, or 0.
func (v *Vulnerability) SeverityFor(q Query) (level string, score float64) {
	var vectors []Severity
	aff := v.affecting(q)
	for _, a := range aff {
		vectors = append(vectors, a.Severity...)
	}
	vectors = append(vectors, v.Severity...)
	for _, typ := range []string{"CVSS_V4", "CVSS_V3", "CVSS_V2"} {
		for _, s := range vectors {
			if s.Type != typ {
				continue
			}
			if score, ok := cvssScore(s.Score); ok {
				return cvssLevel(score, typ == "CVSS_V2"), score
			}
		}
	}
	for _, s := range vectors {
		if level := namedLevel(s.Score); s.Type == "Ubuntu" && level != "" {
			return level, 0
		}
	}
	var ratings []map[string]any
	for _, a := range aff {
		ratings = append(ratings, a.EcosystemSpecific, a.DatabaseSpecific)
	}
	ratings = append(ratings, v.DatabaseSpecific)
	for _, m := range ratings {
		for _, key := range []string{"severity", "urgency"} {
			if s, ok := m[key].(string); ok {
				if level := namedLevel(s); level != "" {
					return level, 0
				}
			}
		}
	}
	return Unknown, 0
}

// cvssScore scores a vector with the library for its version.
func cvssScore(vector string) (float64, bool) {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		if c, err := gocvss40.ParseVector(vector); err == nil {
			return c.Score(), true
		}
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		if c, err := gocvss31.ParseVector(vector); err == nil {
			return c.BaseScore(), true
		}
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		if c, err := gocvss30.ParseVector(vector); err == nil {
			return c.BaseScore(), true
		}
	default:
		if c, err := gocvss20.ParseVector(strings.TrimPrefix(vector, "CVSS:2.0/")); err == nil {
			return c.BaseScore(), true
		}
	}
	return 0, false
}

// cvssLevel applies the qualitative bands of CVSS v3/v4 (FIRST's
// specification, section 5) or the NVD's for v2, which has no critical.
func cvssLevel(score float64, v2 bool) string {
	switch {
	case score >= 9 && !v2:
		return Critical
	case score >= 7:
		return High
	case score >= 4:
		return Medium
	case score > 0:
		return Low
	}
	return Unknown
}

// namedLevel reads a database's own word for severity: GitHub's
// (moderate), Ubuntu's and Debian's (negligible, unimportant), Red Hat's
// (important).
func namedLevel(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return Critical
	case "high", "important":
		return High
	case "medium", "moderate":
		return Medium
	case "low", "negligible", "unimportant":
		return Low
	}
	return ""
}
