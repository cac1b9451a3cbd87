package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// Resource URIs of the original specification.
const (
	searchURIPrefix = "docker://images/"
	imageURIPrefix  = "docker://image/"
)

// Resource limits: a summary is for reading, so it stays short.
const (
	searchResourceResults = 25
	imageResourceLayers   = 200
)

// registerResources adds the resource templates: a Docker Hub search when the
// hub toolset is offered, and an image summary when the registry toolset is
// (it reads the registry, not the Hub API).
func registerResources(s *mcp.Server, d Deps, o Options) {
	if d.Hub != nil && o.offersToolset(ToolsetHub) {
		s.AddResourceTemplate(&mcp.ResourceTemplate{
			Name: "docker_hub_search", Title: "Docker Hub search", URITemplate: searchURIPrefix + "{query}",
			Description: "Markdown summary of a Docker Hub search: name, stars, pulls, description.",
			MIMEType:    "text/markdown",
		}, searchResource(d))
	}
	if d.Registry != nil && o.offersToolset(ToolsetRegistry) {
		// A simple {name} stops at a slash, so bitnami/redis is served by a
		// second template; "bitnami%2Fredis" also matches the first. One
		// handler parses the URI itself either way.
		for _, t := range []struct{ name, title, tmpl string }{
			{"docker_image", "Docker image", imageURIPrefix + "{name}/{tag}"},
			{"docker_image_namespaced", "Docker image (with namespace)", imageURIPrefix + "{namespace}/{name}/{tag}"},
		} {
			s.AddResourceTemplate(&mcp.ResourceTemplate{
				Name: t.name, Title: t.title, URITemplate: t.tmpl,
				Description: "Markdown summary of a Docker Hub image: digest, size, platforms, layers with sizes.",
				MIMEType:    "text/markdown",
			}, imageResource(d))
		}
	}
}

// resourceError makes a resource read error with the advice the tools would
// give and the JSON-RPC code MCP defines for it: invalid params for a missing
// image (the specification's resource-not-found code since SEP-2164) and for
// a malformed URI, internal error for the rest (the registry or the Hub
// failed, not the request).
func resourceError(d Deps, uri, toolset string, err error) error {
	msg := explain(d, uri, toolset, err).Error()
	data, _ := json.Marshal(map[string]string{"uri": cutRunes(uri, maxEchoRunes)})
	code := int64(jsonrpc.CodeInternalError)
	if errors.Is(err, errdef.ErrInvalidInput) || errors.Is(err, errdef.ErrInvalidReference) || errors.Is(err, errdef.ErrNotFound) {
		code = jsonrpc.CodeInvalidParams
	}
	return &jsonrpc.Error{Code: code, Message: msg, Data: data}
}

func markdownResult(uri, text string) *mcp.ReadResourceResult {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "text/markdown", Text: text}}}
}

// searchResource serves docker://images/{query}.
func searchResource(d Deps) mcp.ResourceHandler {
	return func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		uri := req.Params.URI
		query, err := url.PathUnescape(strings.TrimPrefix(uri, searchURIPrefix))
		if err == nil && strings.TrimSpace(query) == "" {
			err = errors.New("empty query")
		}
		if err != nil || !strings.HasPrefix(uri, searchURIPrefix) {
			return nil, resourceError(d, uri, ToolsetHub, fmt.Errorf("%w: %q is not docker://images/<query>, e.g. docker://images/nginx", errdef.ErrInvalidInput, uri))
		}
		res, err := d.Hub.Search(ctx, hub.SearchParams{Query: query, Limit: searchResourceResults})
		if err != nil {
			return nil, resourceError(d, uri, ToolsetHub, err)
		}
		return markdownResult(uri, searchMarkdown(query, res)), nil
	}
}

func searchMarkdown(query string, res *hub.SearchResults) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Docker Hub search: %s\n\n", mdText(query))
	if len(res.Results) == 0 {
		b.WriteString("No repositories found.\n")
		return b.String()
	}
	if res.Total > len(res.Results) {
		fmt.Fprintf(&b, "%d matches; the first %d:\n\n", res.Total, len(res.Results))
	} else {
		fmt.Fprintf(&b, "%d matches:\n\n", res.Total)
	}
	b.WriteString("| name | stars | pulls | description |\n|---|---|---|---|\n")
	for _, r := range res.Results {
		name := "`" + r.Name + "`"
		if r.Badge != "" {
			name += " (" + mdText(r.Badge) + ")"
		}
		pulls := r.PullCount
		if pulls == "" {
			pulls = fmt.Sprint(r.Pulls)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", name, r.Stars, mdText(pulls), mdText(r.Description))
	}
	return b.String()
}

// imageResource serves docker://image/{name}/{tag}, where name may hold a
// namespace (bitnami/redis) and official images may omit library/.
func imageResource(d Deps) mcp.ResourceHandler {
	return func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		uri := req.Params.URI
		refStr, err := imageRefOf(uri, orDefault(d.HubRegistry, "docker.io"))
		if err != nil {
			return nil, resourceError(d, uri, ToolsetRegistry, err)
		}
		ref, err := d.Registry.ParseReference(refStr)
		if err != nil {
			return nil, resourceError(d, uri, ToolsetRegistry, err)
		}
		res, err := d.Registry.Resolve(ctx, ref, nil)
		if err != nil {
			return nil, resourceError(d, uri, ToolsetRegistry, err)
		}
		return markdownResult(uri, imageMarkdown(oci.DisplayRef(ref), res)), nil
	}
}

// imageRefOf turns docker://image/<name>/<tag> into host/<namespace>/<name>:<tag>.
// Segments may be percent-encoded ("bitnami%2Fredis"); a tag of the form
// sha256:<hex> is taken as a digest.
func imageRefOf(uri, host string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: %q %s; use docker://image/<name>/<tag>, e.g. docker://image/alpine/3.20 or docker://image/bitnami/redis/7.2", errdef.ErrInvalidInput, uri, why)
	}
	rest, ok := strings.CutPrefix(uri, imageURIPrefix)
	if !ok {
		return "", bad("is not an image URI")
	}
	var parts []string
	for _, seg := range strings.Split(rest, "/") {
		s, err := url.PathUnescape(seg)
		if err != nil {
			return "", bad("has a malformed escape")
		}
		parts = append(parts, strings.Split(s, "/")...)
	}
	if len(parts) < 2 || slices.Contains(parts, "") {
		return "", bad("lacks a name or a tag")
	}
	name, tag := strings.Join(parts[:len(parts)-1], "/"), parts[len(parts)-1]
	if !strings.Contains(name, "/") {
		// Docker Hub's official images live in library/; spelling it out keeps
		// the name right when host is not docker.io (a mirror, or a test).
		name = "library/" + name
	}
	if strings.HasPrefix(tag, "sha256:") {
		return host + "/" + name + "@" + tag, nil
	}
	return host + "/" + name + ":" + tag, nil
}

func imageMarkdown(ref string, res *oci.Resolved) string {
	var b strings.Builder
	img := res.Image
	fmt.Fprintf(&b, "# %s\n\n", ref)
	if res.Index != nil {
		fmt.Fprintf(&b, "- Index digest: `%s`\n", res.Index.Digest)
	}
	fmt.Fprintf(&b, "- Digest: `%s`", img.Digest)
	if res.Platform != nil {
		fmt.Fprintf(&b, " (%s)", res.Platform)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "- Media type: %s\n", img.MediaType)
	if img.Image != nil {
		fmt.Fprintf(&b, "- Size: %s (config and compressed layers)\n", byteSize(oci.PullSize(img.Image)))
	}
	if len(res.Platforms) > 0 {
		fmt.Fprintf(&b, "\n## Platforms (%d)\n\n| platform | digest |\n|---|---|\n", len(res.Platforms))
		for _, p := range res.Platforms {
			fmt.Fprintf(&b, "| %s | `%s` |\n", p, p.Digest)
		}
	}
	if img.Image == nil {
		return b.String()
	}
	layers := img.Image.Layers
	title := "Layers"
	if res.Platform != nil {
		title = "Layers of " + res.Platform.String()
	}
	fmt.Fprintf(&b, "\n## %s (%d)\n\n| # | digest | size |\n|---|---|---|\n", title, len(layers))
	for i, l := range layers {
		if i == imageResourceLayers {
			fmt.Fprintf(&b, "\n%d more layers not shown.\n", len(layers)-i)
			break
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s |\n", i+1, l.Digest, byteSize(l.Size))
	}
	if res.Platform != nil {
		b.WriteString("\nOther platforms: get_image_info with platform.\n")
	}
	return b.String()
}

// byteSize renders a size exactly and, when large, in readable units.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%d B (%.1f %cB)", n, float64(n)/float64(div), "kMGTPE"[exp])
}

// mdText makes text safe in a Markdown table cell.
func mdText(s string) string {
	s = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ").Replace(s)
	return strings.TrimSpace(s)
}
