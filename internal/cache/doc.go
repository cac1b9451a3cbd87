// Package cache holds the caching pieces both API clients (the registry
// client in internal/oci and the Docker Hub client in internal/hub) build
// on: a byte-bounded in-memory LRU, and a tier shared by replicas (Redis),
// wrapped so that it is bounded in time, degrades to nothing when it fails,
// and hands out short leases so that one replica fetches what several were
// asked for at once.
//
// What is cached, under which keys and for how long belongs to each client;
// this package knows only bytes, sizes and clocks.
package cache

import "time"

// Clock tells the time. Clients take one so that tests move time instead of
// sleeping; nil means time.Now.
type Clock func() time.Time

// Or returns c, or time.Now when c is nil.
func (c Clock) Or() Clock {
	if c == nil {
		return time.Now
	}
	return c
}
