package osv

// Vulnerability is the part of an OSV record the tools use. Fields the
// tools do not show (details, references, credits) are not kept, so the
// record cache stays small.
type Vulnerability struct {
	ID               string         `json:"id"`
	Modified         string         `json:"modified,omitempty"`
	Withdrawn        string         `json:"withdrawn,omitempty"`
	Aliases          []string       `json:"aliases,omitempty"`
	Summary          string         `json:"summary,omitempty"`
	Severity         []Severity     `json:"severity,omitempty"`
	Affected         []Affected     `json:"affected,omitempty"`
	DatabaseSpecific map[string]any `json:"database_specific,omitempty"`
}

// Severity is a CVSS vector (or a database's own rating) as OSV records it.
type Severity struct {
	Type  string `json:"type"` // CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu
	Score string `json:"score"`
}

// Affected is one package a record applies to, and which versions.
type Affected struct {
	Package           Package        `json:"package"`
	Ranges            []Range        `json:"ranges,omitempty"`
	Versions          []string       `json:"versions,omitempty"`
	Severity          []Severity     `json:"severity,omitempty"`
	EcosystemSpecific map[string]any `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  map[string]any `json:"database_specific,omitempty"`
}

// Package names a package in an ecosystem.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range is a span of affected versions, as events in version order.
type Range struct {
	Type   string  `json:"type"` // ECOSYSTEM, SEMVER or GIT
	Repo   string  `json:"repo,omitempty"`
	Events []Event `json:"events"`
}

// Event is one boundary of a Range; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Query asks about one package version.
type Query struct {
	Ecosystem string
	Name      string
	Version   string
}

// The wire forms of querybatch (osv_service_v1.swagger.json: v1BatchQuery,
// v1BatchVulnerabilityList). The service answers with protobuf's JSON
// mapping, in snake_case.
type (
	batchRequest struct {
		Queries []wireQuery `json:"queries"`
	}
	wireQuery struct {
		Package   Package `json:"package"`
		Version   string  `json:"version"`
		PageToken string  `json:"page_token,omitempty"`
	}
	batchResponse struct {
		Results []batchResult `json:"results"`
	}
	batchResult struct {
		Vulns         []vulnRef `json:"vulns"`
		NextPageToken string    `json:"next_page_token"`
	}
	vulnRef struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
	}
)
