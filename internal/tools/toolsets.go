package tools

import (
	"slices"
	"strings"
	"sync"
)

// Toolset names.
const (
	ToolsetRegistry = "registry"
	ToolsetHub      = "hub"
	ToolsetTrust    = "trust"
)

// toolset is a group of tools offered or withheld together, and what the
// server's instructions say about it when it is offered.
type toolset struct {
	id           string
	description  string
	instructions string
	tools        func() []*toolDef
}

// toolsets lists every toolset, in the order tools/list shows their tools.
func toolsets() []toolset {
	return []toolset{
		{
			id:          ToolsetRegistry,
			description: "Images in any OCI registry: manifests, configs, tags, files, referrers",
			instructions: "Registry tools inspect images in any OCI registry; references default to Docker Hub " +
				"(alpine means docker.io/library/alpine:latest). Start with get_image_info; list_tags pages with next_cursor.",
			tools: registryToolDefs,
		},
		{
			id:          ToolsetHub,
			description: "The Docker Hub API: search, repositories, tags, namespaces",
			instructions: "Hub tools query the Docker Hub API: search_images finds repositories, " +
				"get_hub_repository and list_hub_tags describe them (namespace defaults to library).",
			tools: hubToolDefs,
		},
		{
			id:          ToolsetTrust,
			description: "Is an image safe: its packages, their known vulnerabilities, who signed it",
			instructions: "Trust tools check an image: list_image_packages lists its packages (from its SBOM or layers), " +
				"scan_image_vulnerabilities matches them against OSV (package names and versions are sent to it), " +
				"verify_image_signature finds cosign and Sigstore signatures and verifies them with public_key or a certificate identity.",
			tools: trustToolDefs,
		},
	}
}

// ToolsetInfo describes a toolset for listings and help.
type ToolsetInfo struct {
	ID          string
	Description string
}

// Toolsets describes every toolset.
func Toolsets() []ToolsetInfo {
	var out []ToolsetInfo
	for _, ts := range toolsets() {
		out = append(out, ToolsetInfo{ID: ts.id, Description: ts.description})
	}
	return out
}

// Options select which tools are offered.
type Options struct {
	// Toolsets to offer; empty means every toolset.
	Toolsets []string
	// Tools, when set, are the only tools offered (still subject to Toolsets
	// and ReadOnly). ToolNames lists the valid names.
	Tools []string
	// ReadOnly hides the tools that change anything.
	ReadOnly bool
}

func (o Options) offers(t *toolDef) bool {
	if o.ReadOnly && !t.readOnly {
		return false
	}
	return o.offersToolset(t.toolset) && (len(o.Tools) == 0 || slices.Contains(o.Tools, t.tool.Name))
}

func (o Options) offersToolset(id string) bool {
	return len(o.Toolsets) == 0 || slices.Contains(o.Toolsets, id)
}

// Each toolset's definitions are built once: building one infers its schemas
// by reflection, and start-up lists the tools several times (instructions,
// prompts, flag checks, registration). The definitions are read-only once
// built; each server binds its own handlers to them in Register.
var (
	registryToolDefs = sync.OnceValue(registryTools)
	hubToolDefs      = sync.OnceValue(hubTools)
	trustToolDefs    = sync.OnceValue(trustTools)
)

// all lists every tool, in the order tools/list shows them.
func all() []*toolDef {
	var out []*toolDef
	for _, ts := range toolsets() {
		out = append(out, ts.tools()...)
	}
	return out
}

// ToolNames lists the name of every tool, whatever the options; the valid
// values of Options.Tools.
func ToolNames() []string {
	var out []string
	for _, t := range all() {
		out = append(out, t.tool.Name)
	}
	return out
}

// Instructions are what the server tells the model about the toolsets that
// offer at least one tool under o, and nothing about the others.
func Instructions(o Options) string {
	var parts []string
	for _, ts := range toolsets() {
		if slices.ContainsFunc(ts.tools(), o.offers) {
			parts = append(parts, ts.instructions)
		}
	}
	return strings.Join(parts, " ")
}
