// Package oci is registry-mcp's client for OCI distribution registries
// (Docker Hub, GHCR, Quay, ECR, Harbor, a private registry:2, ...).
//
// It speaks the distribution API directly over HTTP, borrowing only the
// authentication handshake from go-containerregistry, so that it controls
// exactly which requests are made, how big a response may be and how long a
// call may take.
//
// Things worth knowing about the domain:
//
//   - Docker Hub defaulting: "alpine" means docker.io/library/alpine:latest.
//     The hosts docker.io, index.docker.io and registry-1.docker.io are one
//     registry; go-containerregistry spells it index.docker.io on the wire and
//     this package reports it as docker.io, the name people type.
//   - Official images live under library/. A missing repository on Docker Hub
//     answers 401 UNAUTHORIZED to anonymous callers, not 404: the registry
//     will not say whether a private repository exists.
//   - Loopback and RFC 1918 hosts may be spoken to over plain HTTP (the ping
//     tries HTTPS first); any other host needs to be listed as insecure.
//   - Authentication starts with a ping (GET /v2/). A 401 with a Bearer
//     challenge names a token service; tokens are scoped to one repository,
//     so one token is obtained per repository and reused until it expires.
//   - Content is addressed by digest and therefore immutable: anything
//     fetched by digest is verified and may be cached forever. Tags move, so
//     a tag's digest is cached only for a short TTL and revalidated with a
//     HEAD, which on Docker Hub does not spend pull quota.
//
// How the client caches (cache.go): one store owns an in-memory LRU and,
// with Options.Shared, a tier shared with other replicas (Redis), behind
// typed keys. Every lookup reads "memory → shared tier → HEAD → GET";
// content read back from the shared tier is re-hashed against its digest,
// and answers that cannot be verified (tags, tag lists) carry the time they
// were fetched, judged by Options.Now. Identical concurrent fetches are
// merged by coalesce (flight.go), detached from any one caller; replicas
// asked for the same new thing at once take a short lease (cache.Once) so
// that one of them fetches.
//   - An image index (manifest list) points at one image manifest per
//     platform. BuildKit adds attestation manifests to it with platform
//     unknown/unknown; they are not platforms.
//   - Signatures, SBOMs and attestations live in four places: the OCI 1.1
//     referrers API (GET /v2/<repo>/referrers/<digest>); where a registry
//     lacks it (GHCR), an index under the tag sha256-<hex>; cosign's own
//     tags sha256-<hex>.sig, .att and .sbom; and BuildKit's attestation
//     manifests inside the image index. Attestations are usually in-toto
//     statements, often wrapped in a DSSE envelope or a sigstore bundle.
//   - A layer is a tar stream (plain, gzip or zstd) of changes: a file
//     .wh.<name> deletes <name> from the layers below, and .wh..wh..opq
//     hides everything below in its directory. What a container sees is
//     the layers merged from the top down.
package oci
