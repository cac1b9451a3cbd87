package errdef_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

func TestRetryDelayDecidesForBothClients(t *testing.T) {
	t.Parallel()
	const maxWait = 5 * time.Second
	serverFailed := errdef.StatusError("r.example", http.StatusServiceUnavailable, http.Header{}, "manifest x")
	tests := []struct {
		name    string
		err     error
		attempt int
		wait    time.Duration
		retry   bool
	}{
		{"Retry-After honoured exactly", &errdef.RateLimitError{RetryAfter: 2 * time.Second}, 1, 2 * time.Second, true},
		{"Retry-After below the backoff still honoured", &errdef.RateLimitError{RetryAfter: 100 * time.Millisecond}, 2, 100 * time.Millisecond, true},
		{"Retry-After beyond the limit is final", &errdef.RateLimitError{RetryAfter: 6 * time.Second}, 1, 0, false},
		{"no Retry-After backs off", &errdef.RateLimitError{}, 2, time.Second, true},
		{"5xx is transient", errdef.MarkTransient(http.StatusServiceUnavailable, serverFailed), 2, 500 * time.Millisecond, true},
		{"wrapped transient", fmt.Errorf("fetching: %w", errdef.MarkTransient(http.StatusBadGateway, serverFailed)), 1, 250 * time.Millisecond, true},
		{"501 is final", errdef.MarkTransient(http.StatusNotImplemented, serverFailed), 1, 0, false},
		{"not found is final", errdef.ErrNotFound, 1, 0, false},
	}
	for _, tt := range tests {
		wait, retry := errdef.RetryDelay(tt.err, tt.attempt, maxWait)
		if wait != tt.wait || retry != tt.retry {
			t.Errorf("%s: RetryDelay = %s, %v; want %s, %v", tt.name, wait, retry, tt.wait, tt.retry)
		}
	}
}

func TestMarkTransientKeepsTheClassification(t *testing.T) {
	t.Parallel()
	err := errdef.MarkTransient(http.StatusGatewayTimeout, errdef.StatusError("r.example", 504, http.Header{}, "x"))
	var te *errdef.TransientError
	if !errors.As(err, &te) || !errors.Is(err, errdef.ErrServerFailed) || !errors.Is(err, errdef.ErrUnreachable) {
		t.Errorf("MarkTransient(504) = %v: want a TransientError that still matches ErrServerFailed", err)
	}
}
