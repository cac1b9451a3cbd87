package tools

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// ListReferrersInput names the image whose referrers to list.
type ListReferrersInput struct {
	ImageRef     string `json:"image_ref" jsonschema:"Image reference, e.g. alpine:3.20"`
	ArtifactType string `json:"artifact_type,omitempty" jsonschema:"Only this artifact type or kind (signature, sbom, provenance, vex, attestation)"`
}

// ListReferrersOutput lists what refers to an image.
type ListReferrersOutput struct {
	Subject   string         `json:"subject" jsonschema:"Digest of the manifest image_ref names"`
	Referrers []oci.Referrer `json:"referrers"`
	Truncated bool           `json:"truncated,omitempty"`
}

func listReferrersTool() *toolDef {
	t := readOnlyTool("list_referrers", "List signatures, SBOMs and attestations",
		"List an image's signatures, SBOMs, provenance and VEX (OCI referrers, cosign tags, BuildKit attestations).",
		inputSchema[ListReferrersInput](nil, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ListReferrersInput) (ListReferrersOutput, error) {
		ref, err := d.Registry.ParseReference(in.ImageRef)
		if err != nil {
			return ListReferrersOutput{}, err
		}
		list, err := d.Registry.Referrers(ctx, ref, strings.TrimSpace(in.ArtifactType))
		if err != nil {
			return ListReferrersOutput{}, err
		}
		return ListReferrersOutput{Subject: list.Subject, Referrers: list.Referrers, Truncated: list.Truncated}, nil
	})
}

// ReferrerContentInput names a referrer of an image.
type ReferrerContentInput struct {
	ImageRef string `json:"image_ref" jsonschema:"Image the referrer is about"`
	Digest   string `json:"digest" jsonschema:"Referrer (or layer) digest from list_referrers"`
	MaxBytes *int   `json:"max_bytes,omitempty" jsonschema:"Content bytes"`
}

// ReferrerContentOutput is a referrer's decoded payload.
type ReferrerContentOutput struct {
	Digest        string                `json:"digest"`
	Layer         string                `json:"layer" jsonschema:"Digest of the blob shown"`
	Kind          string                `json:"kind"`
	Format        string                `json:"format" jsonschema:"spdx, cyclonedx, slsa, openvex, cosign, in-toto, json, text or binary"`
	Envelope      string                `json:"envelope,omitempty" jsonschema:"dsse or sigstore-bundle, unwrapped"`
	PredicateType string                `json:"predicate_type,omitempty"`
	Summary       attest.PayloadSummary `json:"summary"`
	Content       string                `json:"content"`
	Truncated     bool                  `json:"truncated"`
	Binary        bool                  `json:"binary,omitempty"`
	Size          int64                 `json:"size"`
	Layers        []ReferrerLayer       `json:"layers,omitempty" jsonschema:"Every layer of the referrer, when it has several; pass one as digest"`
}

// ReferrerLayer is one layer of a referrer manifest.
type ReferrerLayer struct {
	Digest        string `json:"digest"`
	MediaType     string `json:"media_type"`
	Size          int64  `json:"size"`
	PredicateType string `json:"predicate_type,omitempty"`
}

func getReferrerContentTool() *toolDef {
	t := readOnlyTool("get_referrer_content", "Read a signature, SBOM or attestation",
		"Read a referrer (SBOM, provenance, VEX, signature), unwrapping DSSE and sigstore, with a summary.",
		inputSchema[ReferrerContentInput]([]intArg{maxBytesArg}, nil))
	t.OutputSchema = opaque(outputSchema[ReferrerContentOutput](), "summary")
	return define(ToolsetRegistry, t, getReferrerContent)
}

func getReferrerContent(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ReferrerContentInput) (ReferrerContentOutput, error) {
	ref, err := d.Registry.ParseReference(in.ImageRef)
	if err != nil {
		return ReferrerContentOutput{}, err
	}
	maxBytes, err := maxBytesArg.value(in.MaxBytes)
	if err != nil {
		return ReferrerContentOutput{}, err
	}
	want := strings.TrimSpace(in.Digest)
	if _, err := v1.NewHash(want); err != nil {
		return ReferrerContentOutput{}, fmt.Errorf("%w: digest %q: give a digest from list_referrers, like sha256:<64 hex digits>", errdef.ErrInvalidInput, in.Digest)
	}
	found, err := d.Registry.ReferrerContent(ctx, ref, want)
	if err != nil {
		return ReferrerContentOutput{}, err
	}
	defer found.Body.Close()
	p, err := attest.DecodePayload(found.Body, attest.PayloadOptions{
		MediaType: string(found.Layer.MediaType), Annotations: found.Layer.Annotations,
		Size: found.Layer.Size, MaxContent: maxBytes, Subject: found.Subject,
	})
	if err != nil {
		return ReferrerContentOutput{}, err
	}
	out := ReferrerContentOutput{
		Digest: found.Referrer.Digest, Layer: found.Layer.Digest.String(), Kind: orDefault(p.Kind, found.Referrer.Kind),
		Format: p.Format, Envelope: p.Envelope, PredicateType: p.PredicateType, Summary: p.Summary,
		Content: string(p.Content), Truncated: p.Truncated, Binary: p.Binary, Size: p.Size,
	}
	if len(found.Layers) > 1 {
		for _, l := range found.Layers {
			out.Layers = append(out.Layers, ReferrerLayer{Digest: l.Digest.String(), MediaType: string(l.MediaType), Size: l.Size, PredicateType: predicateOf(l.Annotations)})
		}
	}
	return out, nil
}

func predicateOf(ann map[string]string) string {
	for _, k := range []string{"in-toto.io/predicate-type", "predicateType"} {
		if v := ann[k]; v != "" {
			return v
		}
	}
	return ""
}
