package oci

import (
	"context"
	"time"
)

// coalesce runs fetch once for every concurrent caller asking for the same
// key, and is the one place in this package where fetches are merged.
//
// The shared fetch runs detached from any one caller's context: when the
// caller that started it hangs up, the others still get the answer (and the
// caches still get filled). Each caller waits with its own context, so a
// caller that gives up returns at once with its own ctx.Err(). The fetch is
// bounded by flightTimeout instead, so one nobody waits for still ends.
func coalesce[T any](ctx context.Context, c *Client, key string, fetch func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	ch := c.flight.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.flightTimeout())
		defer cancel()
		return fetch(fctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// flightTimeout bounds one shared fetch: a ping, a token exchange and a
// request with its retries, each of which is bounded by the client's own
// timeout as well.
func (c *Client) flightTimeout() time.Duration {
	return time.Duration(maxAttempts+2)*c.opts.Timeout + time.Duration(maxAttempts-1)*MaxRetryWait
}
