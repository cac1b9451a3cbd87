package attest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// PayloadSummary answers the usual question about a referrer: what is in
// the SBOM, who built the image from what, who signed it. Fields that do
// not apply are left out.
type PayloadSummary struct {
	Text             string   `json:"text"`
	PackageCount     *int     `json:"package_count,omitempty"`
	TopPackages      []string `json:"top_packages,omitempty"`
	Builder          string   `json:"builder,omitempty"`
	BuildType        string   `json:"build_type,omitempty"`
	SourceRepository string   `json:"source_repository,omitempty"`
	Commit           string   `json:"commit,omitempty"`
	Identity         string   `json:"identity,omitempty"`
	Issuer           string   `json:"issuer,omitempty"`
	SignedDigest     string   `json:"signed_digest,omitempty"`
	MatchesSubject   *bool    `json:"matches_subject,omitempty"`
	Statements       *int     `json:"statements,omitempty"`
	Partial          bool     `json:"partial,omitempty"`
}

// finish decides the format and writes the summary.
func (s *docScan) finish(p *Payload, opts PayloadOptions) {
	pt := s.strs["predicateType"]
	p.PredicateType = pt
	sum := &p.Summary
	sum.Partial = s.partial
	switch {
	case strings.Contains(strings.ToLower(pt), "spdx") || s.strs["spdxVersion"] != "":
		p.Format, p.Kind = FormatSPDX, KindSBOM
		sum.PackageCount, sum.TopPackages = ptr(s.packages), s.top
		sum.Text = fmt.Sprintf("%s SBOM %s: %s", cmpOr(s.strs["spdxVersion"], "SPDX"), quoted(s.strs["name"]), countList(s.packages, "package", s.top))
	case strings.Contains(strings.ToLower(pt), "cyclonedx") || strings.EqualFold(s.strs["bomFormat"], "CycloneDX"):
		p.Format, p.Kind = FormatCycloneDX, KindSBOM
		sum.PackageCount, sum.TopPackages = ptr(s.components), s.top
		sum.Text = fmt.Sprintf("CycloneDX %s SBOM %s: %s", s.strs["specVersion"], quoted(s.strs["metadata.component.name"]), countList(s.components, "component", s.top))
	case strings.Contains(pt, "slsa.dev/provenance"):
		p.Format, p.Kind = FormatSLSA, KindProvenance
		sum.Builder = cmpOr(s.strs["runDetails.builder.id"], s.strs["builder.id"])
		sum.BuildType = cmpOr(s.strs["buildDefinition.buildType"], s.strs["buildType"])
		sum.SourceRepository, sum.Commit = s.source()
		sum.Text = describeProvenance(sum)
	case strings.Contains(pt, "openvex") || strings.Contains(s.strs["@context"], "openvex"):
		p.Format, p.Kind = FormatOpenVEX, KindVEX
		sum.Statements = ptr(s.statements)
		sum.Text = describeVEX(s)
	case s.critical != nil && strings.Contains(s.critical.Type, "cosign") || strings.Contains(pt, "sigstore.dev/cosign/sign"):
		p.Format, p.Kind = FormatCosign, KindSignature
		if s.critical != nil {
			sum.SignedDigest = s.critical.Image.DockerManifestDigest
		} else if len(s.subjects) > 0 {
			sum.SignedDigest = s.subjects[0]
		}
		sum.setIdentity(s.id)
		sum.Text = describeSignature(*sum, opts.Subject)
		if sum.SignedDigest != "" && opts.Subject != "" {
			sum.MatchesSubject = ptr(sum.SignedDigest == opts.Subject)
		}
	case pt != "":
		p.Format, p.Kind = FormatInToto, PredicateKind(pt)
		sum.Text = "in-toto attestation with predicate " + pt
	case p.Binary:
		p.Format = FormatBinary
		sum.Text = fmt.Sprintf("binary content, %d bytes", p.Size)
	case s.dec.InputOffset() > 0 && !s.partial:
		p.Format = FormatJSON
		sum.Text = fmt.Sprintf("JSON document, %d bytes", p.Size)
	default:
		p.Format = FormatText
		sum.Text = fmt.Sprintf("%d bytes", p.Size)
	}
	if p.Kind != KindSignature && !s.id.empty() {
		sum.setIdentity(s.id) // an attestation signed keylessly: say by whom
	}
	if s.partial {
		sum.Text += " (summary from the first part of the document only)"
	}
}

func ptr[T any](v T) *T { return &v }

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

func countList(n int, noun string, top []string) string {
	out := fmt.Sprintf("%d %ss", n, noun)
	if n == 1 {
		out = "1 " + noun
	}
	if len(top) > 0 {
		out += " (" + strings.Join(top, ", ")
		if n > len(top) {
			out += fmt.Sprintf(", and %d more", n-len(top))
		}
		out += ")"
	}
	return out
}

func describeProvenance(sum *PayloadSummary) string {
	out := "SLSA provenance"
	if sum.Builder != "" {
		out += ": built by " + sum.Builder
	}
	if sum.SourceRepository != "" {
		out += " from " + sum.SourceRepository
		if sum.Commit != "" {
			out += " at commit " + sum.Commit
		}
	}
	return out
}

func describeVEX(s *docScan) string {
	out := fmt.Sprintf("OpenVEX document with %d statements", s.statements)
	if len(s.vexStatus) > 0 {
		var parts []string
		for _, st := range slices.Sorted(maps.Keys(s.vexStatus)) {
			parts = append(parts, fmt.Sprintf("%d %s", s.vexStatus[st], cmpOr(st, "without status")))
		}
		out += ": " + strings.Join(parts, ", ")
	}
	if len(s.vulns) > 0 {
		out += " (" + strings.Join(s.vulns, ", ") + ")"
	}
	return out
}

// source finds the source repository and commit in SLSA v0.2 or v1 provenance.
func (s *docScan) source() (repo, commit string) {
	if cs := s.configSource; cs != nil && cs.URI != "" {
		return cleanGitURI(cs.URI), gitCommit(cs.Digest)
	}
	if wf, ok := s.extParams["workflow"].(map[string]any); ok {
		repo, _ = wf["repository"].(string)
	}
	if cs, ok := s.extParams["configSource"].(map[string]any); ok && repo == "" {
		uri, _ := cs["uri"].(string)
		repo = cleanGitURI(uri)
		if d, ok := cs["digest"].(map[string]any); ok {
			commit = gitCommit(stringMap(d))
		}
	}
	for _, m := range slices.Concat(s.deps, s.materials) {
		if !isGit(m) {
			continue
		}
		if repo == "" {
			repo = cleanGitURI(m.URI)
		}
		if commit == "" {
			commit = gitCommit(m.Digest)
		}
		break
	}
	return repo, commit
}

func isGit(m material) bool {
	uri, _, _ := strings.Cut(strings.TrimPrefix(m.URI, "git+"), "#")
	return strings.HasPrefix(m.URI, "git+") || strings.HasSuffix(uri, ".git") || m.Digest["gitCommit"] != ""
}

func gitCommit(d map[string]string) string { return cmpOr(d["gitCommit"], d["sha1"]) }

func cleanGitURI(uri string) string {
	uri = strings.TrimPrefix(uri, "git+")
	uri, _, _ = strings.Cut(uri, "#")
	uri, _, _ = strings.Cut(uri, "@refs/")
	return uri
}

func stringMap(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
