package oci

import "time"

// Safety limits for what a registry may send. Every byte read from the
// network passes through one of these, so a hostile or broken registry cannot
// exhaust memory or hold a call open.
const (
	// MaxManifestBytes caps a manifest or index: the OCI distribution spec
	// asks registries to accept at least 4 MiB, so larger ones are not portable.
	MaxManifestBytes = 4 << 20
	// MaxConfigBytes caps an image config blob; real ones are kilobytes, a few
	// with long histories reach hundreds of kilobytes.
	MaxConfigBytes = 8 << 20
	// MaxTagPageBytes caps one tags/list response; registries that ignore n
	// can return every tag at once (100 000 tags is about 5 MiB).
	MaxTagPageBytes = 16 << 20
	// MaxErrorBodyBytes caps how much of an error response is read to find
	// the registry's error code.
	MaxErrorBodyBytes = 64 << 10
	// MaxTags caps how many tags are gathered when every tag is needed.
	MaxTags = 100_000
	// DefaultTimeout bounds each registry request (headers and body).
	DefaultTimeout = 30 * time.Second
	// MaxRetryWait is the longest Retry-After honoured by waiting; a longer one
	// is reported to the caller with its delay.
	MaxRetryWait = 5 * time.Second
	// maxAttempts bounds retries of transient failures (429 within MaxRetryWait, 500/502/503/504).
	maxAttempts = 3
	// maxRedirects bounds redirects (blob downloads usually redirect once, to a CDN).
	maxRedirects = 5
)
