package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Prompts package the common jobs as instructions that name the tools to
// call, so a client can offer them as one-click workflows.

// registerPrompts adds each prompt whose tools are all offered: a prompt
// that names a tool the client cannot call would lead the model astray.
func registerPrompts(s *mcp.Server, o Options) {
	if o.offersAll("get_image_info", "get_image_details", "list_referrers", "get_referrer_content", "read_image_file") {
		s.AddPrompt(&mcp.Prompt{
			Name:        "audit_image",
			Title:       "Audit an image",
			Description: "Check an image's provenance, signature, SBOM, known vulnerabilities, base OS, size and age.",
			Arguments:   []*mcp.PromptArgument{{Name: "image_ref", Description: "Image to audit, e.g. nginx:1.27", Required: true}},
		}, auditImagePrompt(o.offersAll("list_image_packages", "scan_image_vulnerabilities")))
	}
	if !o.offersAll("list_tags", "compare_images", "get_image_info") {
		return
	}
	s.AddPrompt(&mcp.Prompt{
		Name:        "upgrade_plan",
		Title:       "Plan an upgrade",
		Description: "Find newer tags of an image by semver and what changed between the current and the newest.",
		Arguments: []*mcp.PromptArgument{
			{Name: "repository", Description: "Repository, e.g. postgres", Required: true},
			{Name: "current_tag", Description: "Tag in use now, e.g. 16.2", Required: true},
		},
	}, upgradePlanPrompt)
}

// offersAll reports whether every named tool is offered.
func (o Options) offersAll(names ...string) bool {
	offered := map[string]bool{}
	for _, t := range all() {
		offered[t.tool.Name] = o.offers(t)
	}
	for _, n := range names {
		if !offered[n] {
			return false
		}
	}
	return true
}

func promptArg(req *mcp.GetPromptRequest, name string) (string, error) {
	v := strings.TrimSpace(req.Params.Arguments[name])
	if v == "" {
		return "", fmt.Errorf("the %s argument is required", name)
	}
	return v, nil
}

// auditImagePrompt builds the audit instructions; with the trust tools it
// adds the package inventory and the vulnerability scan.
func auditImagePrompt(trust bool) mcp.PromptHandler {
	return func(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		res, err := auditImageBase(ctx, req)
		if err != nil || !trust {
			return res, err
		}
		ref := strings.TrimSpace(req.Params.Arguments["image_ref"])
		text := res.Messages[0].Content.(*mcp.TextContent)
		text.Text = strings.Replace(text.Text, "End with a verdict", fmt.Sprintf(`6. list_image_packages {"image_ref": %[1]q}: what it holds (sources, OS, package count by type).
7. scan_image_vulnerabilities {"image_ref": %[1]q, "min_severity": "high"}: counts by severity, and the critical and high ones with the version that fixes each.
End with a verdict`, ref), 1)
		text.Text = strings.Replace(text.Text, "what is risky (root user,", "what is risky (known critical or high vulnerabilities, root user,", 1)
		return res, nil
	}
}

func auditImageBase(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	ref, err := promptArg(req, "image_ref")
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf(`Audit the container image %[1]s and report findings as a short checklist.
1. get_image_info {"image_ref": %[1]q}: digest, size, platforms, and age (created).
2. get_image_details {"image_ref": %[1]q}: user (flag root), exposed ports, entrypoint, labels (source, version), and the reconstructed Dockerfile.
3. list_referrers {"image_ref": %[1]q}: is there a signature, an SBOM, a provenance attestation?
4. For the SBOM and the provenance found, get_referrer_content {"image_ref": %[1]q, "digest": "<referrer digest>"}: package count and top packages; builder, source repository and commit.
5. read_image_file {"image_ref": %[1]q, "path": "/etc/os-release"}: the base OS and its version.
End with a verdict: what is missing (signature, SBOM, provenance), what is risky (root user, old base, very large), and what to do.`, ref)
	return &mcp.GetPromptResult{
		Description: "Audit of " + ref,
		Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}},
	}, nil
}

func upgradePlanPrompt(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	repo, err := promptArg(req, "repository")
	if err != nil {
		return nil, err
	}
	current, err := promptArg(req, "current_tag")
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf(`Plan an upgrade of %[1]s from tag %[2]s.
1. list_tags {"repository": %[1]q, "sort": "semver-desc", "limit": 50}: the versions newer than %[2]s (ignore pre-releases unless nothing else is newer; keep the same variant suffix, e.g. -alpine, if %[2]s has one).
2. Pick the newest patch release of the current minor and the newest release overall.
3. For each, compare_images {"image_ref_a": "%[1]s:%[2]s", "image_ref_b": "%[1]s:<candidate>"}: size change, changed env, entrypoint, cmd, user, ports, base OS.
4. get_image_info on each candidate: platforms (does it still cover the ones in use?) and age.
Recommend one target tag, list the breaking-looking changes to check, and say how big the jump is.`, repo, current)
	return &mcp.GetPromptResult{
		Description: "Upgrade plan for " + repo + ":" + current,
		Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}},
	}, nil
}
