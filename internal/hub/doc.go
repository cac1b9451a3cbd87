// Package hub is registry-mcp's client for the Docker Hub REST API
// (hub.docker.com): search, repositories, tags, namespaces, and the Docker
// Hardened Images mirrored into an organisation.
//
// It is not the registry: images are pulled from registry-1.docker.io (see
// package oci); this API describes them — stars, pull counts, descriptions,
// per-tag platforms and sizes — and manages repositories.
//
// Things worth knowing about the domain:
//
//   - Official images belong to the namespace "library": the image people call
//     "alpine" is the repository library/alpine. Every call here takes the
//     namespace explicitly; defaulting to "library" is the caller's choice.
//   - Authentication is a personal (or organisation) access token exchanged at
//     POST /v2/auth/token for a short-lived JWT (about ten minutes), sent as
//     "Authorization: Bearer". The older POST /v2/users/login is deprecated and
//     not used. One token serves every call; it is refreshed a minute before its
//     "exp" claim and once more when the API answers 401. The token and the
//     secret never appear in an error or a log line.
//   - Most reads work anonymously for public content; listing an account's
//     organisations, creating or updating repositories and listing hardened
//     images need an account, and say so (DOCKERHUB_USERNAME, DOCKERHUB_TOKEN).
//   - The API is rate limited per minute, separately from the registry's pull
//     quota. Each answer carries X-RateLimit-Limit, X-RateLimit-Remaining and
//     X-RateLimit-Reset (a Unix time); a 429 carries Retry-After in seconds.
//   - Search (GET /api/search/v4) reports pull counts as rounded strings such
//     as "1B+" and may return result types and badges its own document does
//     not list (type "dhi", badge "hardened"); they are passed through.
//   - Listings are paged with page and page_size (at most 100); the answer's
//     "next" is a URL, reported here as the next page number, absent on the
//     last page.
//   - Docker Hardened Images mirrors are not part of the REST API: they are
//     listed through Docker Scout's GraphQL API with the same bearer token.
package hub
