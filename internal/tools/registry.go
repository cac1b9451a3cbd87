package tools

import (
	"fmt"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// registryTools are the tools of the registry toolset, for any OCI registry.
func registryTools() []*toolDef {
	return []*toolDef{
		getImageInfoTool(),
		getImageManifestTool(),
		getImageConfigTool(),
		getImageDetailsTool(),
		listTagsTool(),
		listReferrersTool(),
		getReferrerContentTool(),
		listImageFilesTool(),
		readImageFileTool(),
		compareImagesTool(),
		listRepositoriesTool(),
		getRateLimitTool(),
	}
}

// checkLimit validates an optional limit against its range, so an
// out-of-range value is refused with the range named, never clamped.
func checkLimit(limit *int, def, lo, hi int) (int, error) {
	if limit == nil {
		return def, nil
	}
	if *limit < lo || *limit > hi {
		return 0, fmt.Errorf("%w: limit %d is out of range; use %d to %d (default %d)", errdef.ErrInvalidInput, *limit, lo, hi, def)
	}
	return *limit, nil
}

// parsePlatform parses an optional platform argument.
func parsePlatform(s string) (*oci.Platform, error) {
	if s == "" {
		return nil, nil
	}
	return oci.ParsePlatform(s)
}
