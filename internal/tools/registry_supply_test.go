package tools_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// found is what a test checks about one referrer.
type found struct{ Kind, Source, Tag string }

func byName(fx *registrytest.Fixtures, list []oci.Referrer) map[string]found {
	names := map[string]string{}
	for name, d := range fx.Supply.Referrers {
		names[d] = name
	}
	out := map[string]found{}
	for _, r := range list {
		n := names[r.Digest]
		if n == "" {
			n = r.Digest
		}
		out[n] = found{r.Kind, r.Source, r.Tag}
	}
	return out
}

func TestListReferrersFindsEveryKindAndSource(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts registrytest.Options
		src  string
	}{
		{"referrers API", registrytest.Options{}, oci.SourceReferrersAPI},
		{"registry without the referrers API", registrytest.Options{NoReferrersAPI: true}, oci.SourceReferrersTag},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts, oci.Options{})
			s := e.fx.Supply
			got := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", map[string]any{"image_ref": e.fx.Ref(s.Signed)}))
			if got.Subject != s.SignedDigest {
				t.Errorf("subject %s, want %s", got.Subject, s.SignedDigest)
			}
			hex := strings.TrimPrefix(s.SignedDigest, "sha256:")
			want := map[string]found{
				"sbom":       {attest.KindSBOM, tt.src, ""},
				"provenance": {attest.KindProvenance, tt.src, ""},
				"vex":        {attest.KindVEX, tt.src, ""},
				"bundle":     {attest.KindSignature, tt.src, ""},
				"sig":        {attest.KindSignature, oci.SourceCosignTag, "sha256-" + hex + ".sig"},
				"att":        {attest.KindAttestation, oci.SourceCosignTag, "sha256-" + hex + ".att"},
			}
			if diff := cmp.Diff(want, byName(e.fx, got.Referrers)); diff != "" {
				t.Errorf("referrers (-want +got):\n%s", diff)
			}
			for _, r := range got.Referrers {
				if r.Annotations == nil || r.Size == 0 || r.MediaType == "" {
					t.Errorf("referrer %s lacks annotations, size or media type: %+v", r.Digest, r)
				}
			}
		})
	}
}

func TestListReferrersFindsBuildKitAttestations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	got := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", map[string]any{"image_ref": e.fx.Ref(e.fx.Multi)}))
	idx, err := e.fx.MultiIndex.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	att := idx.Manifests[len(idx.Manifests)-1]
	want := []oci.Referrer{{
		Digest: att.Digest.String(), ArtifactType: att.ArtifactType, MediaType: string(att.MediaType), Size: att.Size, Annotations: att.Annotations,
		Kind: attest.KindAttestation, Source: oci.SourceAttestation, Platform: "linux/amd64",
	}}
	if diff := cmp.Diff(want, got.Referrers); diff != "" {
		t.Errorf("referrers of the index (-want +got):\n%s", diff)
	}
}

func TestListReferrersFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	ref := e.fx.Ref(e.fx.Supply.Signed)
	e.call(t, "list_referrers", map[string]any{"image_ref": ref})
	for _, tt := range []struct {
		filter string
		want   []string
		heads  int
	}{
		{"sbom", []string{"sbom"}, 1},
		{"signature", []string{"bundle", "sig"}, 1},
		{"application/vnd.openvex+json", []string{"vex"}, 0},
		{"application/x-nothing", nil, 0},
	} {
		e.reg.Reset()
		got := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", map[string]any{"image_ref": ref, "artifact_type": tt.filter}))
		var names []string
		for n := range byName(e.fx, got.Referrers) {
			names = append(names, n)
		}
		if diff := cmp.Diff(tt.want, names, sortStrings); diff != "" {
			t.Errorf("filter %q (-want +got):\n%s", tt.filter, diff)
		}
		if h := e.reg.Counts()["HEAD manifests"]; h != tt.heads {
			t.Errorf("filter %q checked %d cosign tags, want %d (only the tags that can match)", tt.filter, h, tt.heads)
		}
	}
}

// TestListReferrersRequestCount pins the cost of a listing on a token-auth
// registry: one referrers request, three cosign HEADs in parallel, and the
// subject manifest unless the tag cache still holds it; within the TTL a
// repeat is free.
func TestListReferrersRequestCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		client oci.Options
		warm   map[string]int
	}{
		{"within the TTL", withTTL, map[string]int{}},
		{"no tag cache", oci.Options{}, map[string]int{"GET manifests": 1, "GET referrers": 1, "HEAD manifests": 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, registrytest.Options{TokenAuth: true}, tt.client)
			args := map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed)}
			first := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", args))
			cold := map[string]int{"GET ping": 1, "GET token": 1, "GET manifests": 1, "GET referrers": 1, "HEAD manifests": 3}
			if diff := cmp.Diff(cold, e.reg.Counts()); diff != "" {
				t.Errorf("first call, with the token handshake (-want +got):\n%s", diff)
			}
			e.reg.Reset()
			again := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", args))
			if diff := cmp.Diff(tt.warm, e.reg.Counts()); diff != "" {
				t.Errorf("second call (-want +got):\n%s", diff)
			}
			if len(again.Referrers) != 6 || len(first.Referrers) != 6 {
				t.Errorf("got %d then %d referrers, want 6 each time", len(first.Referrers), len(again.Referrers))
			}
		})
	}
}

// TestListReferrersAfterImageInfo: the usual order of an agent's questions,
// "what is this image?" then "is it signed?", costs four requests for the
// second one: the subject's digest is already known.
func TestListReferrersAfterImageInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{TokenAuth: true}, withTTL)
	args := map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed)}
	registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", args))
	e.reg.Reset()
	registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", args))
	want := map[string]int{"GET referrers": 1, "HEAD manifests": 3}
	if diff := cmp.Diff(want, e.reg.Counts()); diff != "" {
		t.Errorf("list_referrers after get_image_info (-want +got):\n%s", diff)
	}
}

func TestListReferrersWithoutAPIRequestCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{TokenAuth: true, NoReferrersAPI: true}, oci.Options{})
	args := map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed)}
	e.call(t, "list_referrers", args)
	e.reg.Reset()
	registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", args))
	// The 404 of the first call is remembered: no second probe of the API.
	want := map[string]int{"GET manifests": 2, "HEAD manifests": 3}
	if diff := cmp.Diff(want, e.reg.Counts()); diff != "" {
		t.Errorf("the sha256-<hex> tag, without probing the referrers API again (-want +got):\n%s", diff)
	}
}

func TestGetReferrerContentDecodesEachFormat(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	s := e.fx.Supply
	ref := e.fx.Ref(s.Signed)
	count := func(n int) *int { return &n }
	yes := true
	tests := []struct {
		name                   string
		kind, format, envelope string
		summary                attest.PayloadSummary
		contains               string
	}{
		{"sbom", attest.KindSBOM, attest.FormatSPDX, "", attest.PayloadSummary{PackageCount: count(30)}, `"spdxVersion":"SPDX-2.3"`},
		{"provenance", attest.KindProvenance, attest.FormatSLSA, "dsse", attest.PayloadSummary{
			Builder: "https://github.com/actions/runner/github-hosted", BuildType: "https://actions.github.io/buildtypes/workflow/v1",
			SourceRepository: registrytest.SourceRepo, Commit: registrytest.SourceCommit,
		}, `"predicateType":"https://slsa.dev/provenance/v1"`},
		{"vex", attest.KindVEX, attest.FormatOpenVEX, "", attest.PayloadSummary{Statements: count(2)}, "CVE-2024-0002"},
		{"bundle", attest.KindSignature, attest.FormatCosign, "sigstore-bundle", attest.PayloadSummary{
			Identity: registrytest.SignerIdentity, Issuer: registrytest.SignerIssuer, SignedDigest: s.SignedDigest, MatchesSubject: &yes,
			SourceRepository: registrytest.SourceRepo, Commit: registrytest.SourceCommit,
		}, "sigstore.dev/cosign/sign/v1"},
		{"sig", attest.KindSignature, attest.FormatCosign, "", attest.PayloadSummary{
			Identity: registrytest.SignerIdentity, Issuer: registrytest.SignerIssuer, SignedDigest: s.SignedDigest, MatchesSubject: &yes,
			SourceRepository: registrytest.SourceRepo, Commit: registrytest.SourceCommit,
		}, "cosign container image signature"},
		{"att", attest.KindSBOM, attest.FormatCycloneDX, "dsse", attest.PayloadSummary{
			PackageCount: count(2), TopPackages: []string{"openssl 3.3.1", "zlib 1.3.1"},
			Identity: registrytest.SignerIdentity, Issuer: registrytest.SignerIssuer,
			SourceRepository: registrytest.SourceRepo, Commit: registrytest.SourceCommit,
		}, `"bomFormat":"CycloneDX"`},
	}
	for _, tt := range tests {
		got := registrytest.Decode[tools.ReferrerContentOutput](t, e.call(t, "get_referrer_content", map[string]any{"image_ref": ref, "digest": s.Referrers[tt.name]}))
		if got.Kind != tt.kind || got.Format != tt.format || got.Envelope != tt.envelope || got.Digest != s.Referrers[tt.name] {
			t.Errorf("%s: kind %q format %q envelope %q digest %s, want %q %q %q %s", tt.name, got.Kind, got.Format, got.Envelope, got.Digest, tt.kind, tt.format, tt.envelope, s.Referrers[tt.name])
		}
		if got.Truncated || got.Binary || !strings.Contains(got.Content, tt.contains) {
			t.Errorf("%s: truncated %v, binary %v, content lacks %q: %.200s", tt.name, got.Truncated, got.Binary, tt.contains, got.Content)
		}
		if got.Summary.Text == "" {
			t.Errorf("%s: summary has no text", tt.name)
		}
		if tt.summary.TopPackages == nil {
			got.Summary.TopPackages = nil
		}
		got.Summary.Text = ""
		if diff := cmp.Diff(tt.summary, got.Summary); diff != "" {
			t.Errorf("%s: summary (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestGetReferrerContentTruncatesButSummarizesAll(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	s := e.fx.Supply
	got := registrytest.Decode[tools.ReferrerContentOutput](t, e.call(t, "get_referrer_content", map[string]any{
		"image_ref": e.fx.Ref(s.Signed), "digest": s.Referrers["sbom"], "max_bytes": 100,
	}))
	if !got.Truncated || len(got.Content) != 100 || got.Size <= 100 {
		t.Errorf("max_bytes 100: truncated %v, %d bytes of %d", got.Truncated, len(got.Content), got.Size)
	}
	if p := got.Summary.PackageCount; p == nil || *p != 30 || len(got.Summary.TopPackages) != 20 || got.Summary.TopPackages[0] != "pkg00 1.0.0" {
		t.Errorf("the summary must cover the whole SBOM however little content is returned: %+v", got.Summary)
	}
	if !strings.Contains(got.Summary.Text, "30 packages") || !strings.Contains(got.Summary.Text, "and 10 more") {
		t.Errorf("summary text %q", got.Summary.Text)
	}
}

func TestGetReferrerContentReadsBuildKitAttestations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	ref := e.fx.Ref(e.fx.Multi)
	list := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", map[string]any{"image_ref": ref}))
	att := list.Referrers[0].Digest
	sbom := registrytest.Decode[tools.ReferrerContentOutput](t, e.call(t, "get_referrer_content", map[string]any{"image_ref": ref, "digest": att}))
	if sbom.Format != attest.FormatSPDX || sbom.Kind != attest.KindSBOM || len(sbom.Layers) != 2 {
		t.Fatalf("attestation manifest: format %q kind %q with %d layers, want its first layer (SPDX) and both layers listed", sbom.Format, sbom.Kind, len(sbom.Layers))
	}
	if diff := cmp.Diff([]string{"busybox 1.36.1", "musl 1.2.5"}, sbom.Summary.TopPackages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	provLayer := sbom.Layers[1]
	if provLayer.PredicateType != "https://slsa.dev/provenance/v0.2" {
		t.Fatalf("second layer %+v, want the provenance", provLayer)
	}
	prov := registrytest.Decode[tools.ReferrerContentOutput](t, e.call(t, "get_referrer_content", map[string]any{"image_ref": ref, "digest": provLayer.Digest}))
	want := attest.PayloadSummary{Builder: "https://github.com/docker/buildx", SourceRepository: "https://github.com/example/demo.git", Commit: "0123456789abcdef0123456789abcdef01234567"}
	prov.Summary.Text = ""
	if diff := cmp.Diff(want, prov.Summary); diff != "" || prov.Digest != att || prov.Layer != provLayer.Digest {
		t.Errorf("provenance layer: digest %s layer %s, summary (-want +got):\n%s", prov.Digest, prov.Layer, diff)
	}
}

func TestGetReferrerContentRefusesWhatIsNotAReferrer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	s := e.fx.Supply
	ref := e.fx.Ref(s.Signed)
	cfg, err := e.fx.AppImage.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"image_ref": ref, "digest": s.SignedDigest}, "is not a referrer of"},
		{map[string]any{"image_ref": e.fx.Ref(e.fx.App), "digest": s.Referrers["sbom"]}, "is not a referrer of"},
		{map[string]any{"image_ref": ref, "digest": cfg.String()}, "is not a referrer of"},
		{map[string]any{"image_ref": ref, "digest": "sha256:abc"}, "sha256:<64 hex digits>"},
		{map[string]any{"image_ref": ref, "digest": s.Referrers["sbom"], "max_bytes": 0}, "max_bytes 0 is out of range; use 1 to 524288"},
		{map[string]any{"image_ref": ref, "digest": s.Referrers["sbom"], "max_bytes": 600000}, "use 1 to 524288"},
	}
	for _, tt := range tests {
		res := e.call(t, "get_referrer_content", tt.args)
		if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, tt.want) {
			t.Errorf("%v: got error=%v %q, want an error containing %q", tt.args, res.IsError, msg, tt.want)
		}
	}
}
