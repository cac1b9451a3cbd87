package main

import (
	"fmt"
	"io"

	"github.com/registry-mcp/registry-mcp/internal/demo"
)

// startTrustDemo pushes the sample images with package databases to the
// demo registry and starts the sample OSV service on loopback, so the trust
// tools work with no network. It prints what to try on w (stderr).
func startTrustDemo(host string, w io.Writer) (osvURL, note string, stop func(), err error) {
	imgs, err := demo.SeedTrust(host)
	if err != nil {
		return "", "", nil, err
	}
	osvURL, stop, err = demo.StartOSV()
	if err != nil {
		return "", "", nil, err
	}
	note = fmt.Sprintf(" Images with known-vulnerable packages: %s and %s; a sample OSV service answers scan_image_vulnerabilities.", imgs.Debian, imgs.Alpine)
	fmt.Fprintf(w, `trust demo: a sample OSV service runs at %s; images with known-vulnerable packages:
  %s  (dpkg, Go binary, Python, npm)
  %s  (apk)
try:
  list_image_packages         {"image_ref": %q}
  scan_image_vulnerabilities  {"image_ref": %q, "min_severity": "medium"}
`, osvURL, imgs.Debian, imgs.Alpine, imgs.Debian, imgs.Debian)
	return osvURL, note, stop, nil
}
