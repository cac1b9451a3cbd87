// Package demo runs the OCI registry of registry-mcp's -demo mode and builds
// its sample images: a single-platform image, a multi-platform index with
// BuildKit attestations, an arm64-only index, a repository with a few
// hundred tags, a signed image with SBOM, provenance, VEX and signature
// referrers, and a layered image with whiteouts and gzip, zstd and plain
// tar layers.
//
// The registry is go-containerregistry's in-memory one (pkg/registry), which
// serves the OCI 1.1 referrers API, behind a front that adds what the tools
// read and it lacks (see Registry). The package is linked into the serving
// binary, so it stays small: no test packages, no second registry
// implementation. The test kit (internal/registrytest) pushes the same
// sample images, built here, to its own instrumented registry.
package demo
