package tools

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/osv"
)

// trustTools are the tools of the trust toolset: what is inside an image,
// what is known to be wrong with it, and who signed it.
func trustTools() []*toolDef {
	return []*toolDef{
		listImagePackagesTool(),
		scanImageVulnerabilitiesTool(),
		verifyImageSignatureTool(),
	}
}

// The limits of the trust tools' pages.
var (
	packagesLimitArg = intArg{name: "limit", def: 100, lo: 1, hi: 1000}
	scanLimitArg     = intArg{name: "limit", def: 50, lo: 1, hi: 500}
)

// PackageTypes are the package types list_image_packages reports.
var PackageTypes = []string{"deb", "apk", "rpm", "go", "python", "npm", "java"}

// PackagesInput selects an image and a page of its packages.
type PackagesInput struct {
	ImageRef string `json:"image_ref" jsonschema:"Image reference"`
	Platform string `json:"platform,omitempty" jsonschema:"os/arch[/variant]"`
	Name     string `json:"name,omitempty" jsonschema:"Substring"`
	Type     string `json:"type,omitempty" jsonschema:"deb|apk|rpm|go|python|npm|java"`
	Limit    *int   `json:"limit,omitempty"`
	Cursor   string `json:"cursor,omitempty" jsonschema:"next_cursor"`
}

// PackagesOutput is one page of an image's packages.
type PackagesOutput struct {
	Packages   []inventory.Package `json:"packages"`
	Total      int                 `json:"total"`
	Sources    []string            `json:"sources"`
	OS         inventory.OS        `json:"os"`
	NextCursor string              `json:"next_cursor,omitempty"`
	Truncated  bool                `json:"truncated,omitempty"`
	// Note says what the inventory could not cover (a layer walk cut
	// short, files skipped), so packages may be missing.
	Note string `json:"note,omitempty"`
}

func listImagePackagesTool() *toolDef {
	// The types are in the description: an enum would cost more bytes.
	schema := inputSchema[PackagesInput]([]intArg{packagesLimitArg}, nil)
	t := readOnlyTool("list_image_packages", "Packages",
		"Packages in an image, from its SBOM or layers.",
		schema)
	// truncated and note are in results when they apply but not in the
	// schema (which allows extra keys): every session pays for its bytes.
	t.OutputSchema = unlisted(opaque(outputSchema[PackagesOutput](), "os"), "truncated", "note")
	return define(ToolsetTrust, t, listImagePackages)
}

func listImagePackages(ctx context.Context, d Deps, req *mcp.CallToolRequest, in PackagesInput) (PackagesOutput, error) {
	limit, err := packagesLimitArg.value(in.Limit)
	if err != nil {
		return PackagesOutput{}, err
	}
	if in.Type != "" && !slices.Contains(PackageTypes, in.Type) {
		return PackagesOutput{}, fmt.Errorf("%w: type %q is not one of %s", errdef.ErrInvalidInput, in.Type, strings.Join(PackageTypes, ", "))
	}
	inv, digest, err := imageInventory(ctx, d, req, ImageInput{ImageRef: in.ImageRef, Platform: in.Platform})
	if err != nil {
		return PackagesOutput{}, err
	}
	scope := fmt.Sprintf("packages|%s|%s|%s", digest, in.Name, in.Type)
	var cur cursor
	if in.Cursor != "" {
		if cur, err = decodeCursor(in.Cursor, scope); err != nil {
			return PackagesOutput{}, err
		}
	}
	var matched []inventory.Package
	needle := strings.ToLower(in.Name)
	for _, p := range inv.Packages {
		if (in.Type == "" || p.Type == in.Type) && strings.Contains(strings.ToLower(p.Name), needle) {
			matched = append(matched, p)
		}
	}
	start := min(cur.Offset, len(matched))
	end := min(start+limit, len(matched))
	out := PackagesOutput{
		Packages: nonNil(matched[start:end]), Total: len(matched), Sources: nonNil(inv.Sources), OS: inv.OS,
		Truncated: inv.Truncated, Note: inventoryNote(inv),
	}
	if end < len(matched) {
		out.NextCursor = encodeCursor(cursor{Scope: scope, Offset: end})
	}
	return out, nil
}

// inventoryNote says what the inventory could not cover.
func inventoryNote(inv *inventory.Inventory) string {
	var parts []string
	if inv.Truncated {
		parts = append(parts, inv.Reason+"; packages in lower layers may be missing")
	}
	if n := len(inv.Skipped); n > 0 {
		parts = append(parts, fmt.Sprintf("%d files not read (%s)", n, inv.Skipped[0]))
	}
	if len(inv.Packages) == 0 && !inv.Truncated {
		parts = append(parts, "no package database, Go binary, Python, npm or Java package metadata found")
	}
	return strings.Join(parts, "; ")
}

// ScanInput selects an image and which of its vulnerabilities to show.
type ScanInput struct {
	ImageRef    string `json:"image_ref" jsonschema:"Image reference"`
	Platform    string `json:"platform,omitempty" jsonschema:"os/arch[/variant]"`
	MinSeverity string `json:"min_severity,omitempty" jsonschema:"low|medium|high|critical"`
	Limit       *int   `json:"limit,omitempty"`
}

// ScanOutput is what the vulnerability database says about an image.
type ScanOutput struct {
	PackagesScanned int             `json:"packages_scanned"`
	Counts          SeverityCounts  `json:"counts"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
	Database        VulnDatabase    `json:"database"`
	Truncated       bool            `json:"truncated"`
}

// SeverityCounts counts every vulnerability found, whatever was shown.
type SeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Unknown  int `json:"unknown"`
}

func (c *SeverityCounts) add(level string) {
	switch level {
	case osv.Critical:
		c.Critical++
	case osv.High:
		c.High++
	case osv.Medium:
		c.Medium++
	case osv.Low:
		c.Low++
	default:
		c.Unknown++
	}
}

// Vulnerability is one advisory affecting one installed package version.
type Vulnerability struct {
	ID               string   `json:"id"`
	Aliases          []string `json:"aliases"`
	Package          string   `json:"package"`
	InstalledVersion string   `json:"installed_version"`
	FixedVersion     string   `json:"fixed_version,omitempty"`
	Severity         string   `json:"severity"`
	Summary          string   `json:"summary"`
}

// VulnDatabase says where the answers came from and when.
type VulnDatabase struct {
	Source    string `json:"source"`
	QueriedAt string `json:"queried_at"`
}

// severityInputs are the min_severity values, mildest first.
var severityInputs = []string{osv.Low, osv.Medium, osv.High, osv.Critical}

func scanImageVulnerabilitiesTool() *toolDef {
	// The levels are in the description: an enum would cost more bytes.
	schema := inputSchema[ScanInput]([]intArg{scanLimitArg}, nil)
	t := readOnlyTool("scan_image_vulnerabilities", "Vulnerabilities",
		"Known vulnerabilities of an image's packages; sends names, versions to OSV.",
		schema)
	t.OutputSchema = opaque(outputSchema[ScanOutput](), "counts", "database")
	return define(ToolsetTrust, t, scanImageVulnerabilities)
}

func scanImageVulnerabilities(ctx context.Context, d Deps, req *mcp.CallToolRequest, in ScanInput) (ScanOutput, error) {
	limit, err := scanLimitArg.value(in.Limit)
	if err != nil {
		return ScanOutput{}, err
	}
	if in.MinSeverity != "" && !slices.Contains(severityInputs, in.MinSeverity) {
		return ScanOutput{}, fmt.Errorf("%w: min_severity %q is not one of %s", errdef.ErrInvalidInput, in.MinSeverity, strings.Join(severityInputs, ", "))
	}
	if d.OSV == nil {
		return ScanOutput{}, fmt.Errorf("%w: no vulnerability source is configured; start the server with -vuln-source (default %s)", errdef.ErrUnsupported, osv.DefaultURL)
	}
	inv, _, err := imageInventory(ctx, d, req, ImageInput{ImageRef: in.ImageRef, Platform: in.Platform})
	if err != nil {
		return ScanOutput{}, err
	}
	var queries []osv.Query
	for _, p := range inv.Packages {
		if p.Ecosystem != "" {
			queries = append(queries, osv.Query{Ecosystem: p.Ecosystem, Name: p.OSVName, Version: cmp.Or(p.OSVVersion, p.Version)})
		}
	}
	progress(ctx, req, fmt.Sprintf("asking %s about %d packages", d.OSV.Source(), len(queries)), 0)
	res, err := d.OSV.Match(ctx, queries)
	if err != nil {
		return ScanOutput{}, err
	}
	all := vulnerabilities(res)
	out := ScanOutput{
		PackagesScanned: len(queries), Vulnerabilities: []Vulnerability{}, Truncated: inv.Truncated,
		Database: VulnDatabase{Source: d.OSV.Source(), QueriedAt: res.QueriedAt.UTC().Format(time.RFC3339)},
	}
	for _, v := range all {
		out.Counts.add(v.Severity)
		if in.MinSeverity != "" && osv.Rank(v.Severity) > osv.Rank(in.MinSeverity) {
			continue
		}
		if len(out.Vulnerabilities) == limit {
			out.Truncated = true
			continue
		}
		out.Vulnerabilities = append(out.Vulnerabilities, v)
	}
	return out, nil
}

// vulnerabilities rates each match and sorts worst first, then by id.
func vulnerabilities(res *osv.Result) []Vulnerability {
	out := make([]Vulnerability, 0, len(res.Matches))
	for _, m := range res.Matches {
		level, _ := m.Vuln.SeverityFor(m.Query)
		out = append(out, Vulnerability{
			ID: m.Vuln.ID, Aliases: nonNil(m.Vuln.Aliases), Package: m.Query.Name, InstalledVersion: m.Query.Version,
			FixedVersion: m.Vuln.FixedVersion(m.Query), Severity: level, Summary: m.Vuln.Summary,
		})
	}
	slices.SortFunc(out, func(a, b Vulnerability) int {
		if r := osv.Rank(a.Severity) - osv.Rank(b.Severity); r != 0 {
			return r
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Package+"@"+a.InstalledVersion, b.Package+"@"+b.InstalledVersion)
	})
	return out
}

// unlisted drops properties from an output schema whose extra keys are
// allowed, so results may still carry them.
func unlisted(s *jsonschema.Schema, props ...string) *jsonschema.Schema {
	for _, p := range props {
		delete(s.Properties, p)
	}
	return s
}
