// Package osv is a client of an OSV vulnerability service (osv.dev's API,
// or a mirror of it): POST /v1/querybatch to learn which vulnerabilities
// affect a list of package versions, then GET /v1/vulns/{id} for each
// record named. The API is described by osv_service_v1.swagger.json in
// google/osv.dev; records follow the OSV schema
// (https://ossf.github.io/osv-schema/).
//
// The service is a network destination like a registry and is treated
// like one: every request has a timeout, every answer a size cap,
// transient failures are retried a bounded number of times (honouring a
// short Retry-After), and redirects are bounded and never downgrade to
// plain HTTP. Answers are cached: a package version's list of
// vulnerabilities for ResultTTL, and a record by its id and modification
// time (a querybatch answer carries both, so a changed record is fetched
// again and an unchanged one never is).
//
// What is sent: the ecosystem, name and version of each package asked
// about. Nothing else about the image leaves the process.
package osv
