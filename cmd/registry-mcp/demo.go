package main

import (
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/registry-mcp/registry-mcp/internal/demo"
)

// startDemo runs the embedded registry with the sample images on port (a
// free one if it is taken, or 0) and tells the user where it is and what to
// try. It writes to stderr: in stdio mode, stdout belongs to the protocol.
// The note it returns tells the model the same, through the server's
// instructions.
func startDemo(w io.Writer, port int) (host, note string, stop func(), err error) {
	r, err := demo.Start(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil && port != 0 {
		fmt.Fprintf(w, "demo registry: port %d is taken (%v); using a free port instead, so the image references below differ from the usual 127.0.0.1:%d\n", port, err, port)
		r, err = demo.Start("127.0.0.1:0")
	}
	if err != nil {
		return "", "", nil, err
	}
	f, err := demo.Seed(r.Target())
	if err != nil {
		_ = r.Close()
		return "", "", nil, err
	}
	note = fmt.Sprintf("A demo registry runs at %s with sample images: %s, %s (multi-platform), %s (signed, with SBOM), and the repository %s (many tags).",
		r.Host, f.Ref(f.App), f.Ref(f.Multi), f.Ref(f.Supply.Signed), f.Host+"/"+f.TagsRepo)
	fmt.Fprintf(w, `demo registry running at %s with sample images:
  %s  (single platform, full config)
  %s  (multi-platform index with attestations)
  %s  (arm64 only)
  %s  (%d tags)
  %s  (signed, with SBOM, provenance and VEX referrers)
  %s  (layers with whiteouts; gzip, zstd and plain tar)
try:
  get_image_info     {"image_ref": %q}
  get_image_details  {"image_ref": %q}
  list_tags          {"repository": %q, "sort": "semver-desc", "limit": 10}
  list_referrers     {"image_ref": %q}
  read_image_file    {"image_ref": %q, "path": "/etc/os-release"}
`, r.Host, f.Ref(f.App), f.Ref(f.Multi), f.Ref(f.ARM64Only), f.Host+"/"+f.TagsRepo, len(f.TagNames),
		f.Ref(f.Supply.Signed), f.Ref(f.Supply.Layered),
		f.Ref(f.Multi), f.Ref(f.App), f.Host+"/"+f.TagsRepo, f.Ref(f.Supply.Signed), f.Ref(f.Supply.Layered))
	return r.Host, note, func() { _ = r.Close() }, nil
}

// printConnect tells the user how to point an MCP client at the -demo
// server once it listens at base (http://host:port).
func printConnect(w io.Writer, base string) {
	fmt.Fprintf(w, `connect an MCP client to %[1]s/mcp (Streamable HTTP) or %[1]s/sse (legacy SSE), e.g.
  claude mcp add --transport http registry-mcp %[1]s/mcp
or in a client's JSON configuration (Cursor's mcp.json shown; docs/install has the others):
  {"mcpServers": {"registry-mcp": {"url": "%[1]s/mcp"}}}
`, base)
}
