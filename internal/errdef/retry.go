package errdef

import (
	"errors"
	"net/http"
	"time"
)

// TransientError marks an answer worth asking again: a 500, 502, 503 or 504
// from the server. It wraps the classified error, so errors.Is still sees
// ErrServerFailed; only the retry decision looks for the mark.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// MarkTransient wraps err as a TransientError when status is one a server
// may answer differently a moment later, and returns it unchanged otherwise.
func MarkTransient(status int, err error) error {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return &TransientError{Err: err}
	}
	return err
}

// RetryDelay decides whether a failed attempt (1-based) is worth another and
// after how long. A rate limit waits for the Retry-After the server asked for,
// when it said one, or otherwise backs off by half a second per attempt; a
// Retry-After beyond maxWait is not waited for (the caller reports it). A
// transient failure backs off by a quarter second per attempt. Anything else
// is final.
//
// A Retry-After is honoured exactly rather than stretched to the backoff: the
// server knows when it will accept the next request.
func RetryDelay(err error, attempt int, maxWait time.Duration) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		switch {
		case rl.RetryAfter > maxWait:
			return 0, false
		case rl.RetryAfter > 0:
			return rl.RetryAfter, true
		}
		return time.Duration(attempt) * 500 * time.Millisecond, true
	}
	var te *TransientError
	if errors.As(err, &te) {
		return time.Duration(attempt) * 250 * time.Millisecond, true
	}
	return 0, false
}
