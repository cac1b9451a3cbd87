package errdef_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

func TestNetErrorNamesEachCause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		kind error
	}{
		{"dns", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, errdef.ErrNoSuchHost},
		{"refused", &net.OpError{Op: "dial", Err: fmt.Errorf("connect: %w", syscall.ECONNREFUSED)}, errdef.ErrConnRefused},
		{"deadline", context.DeadlineExceeded, errdef.ErrTimeout},
		{"plain HTTP", fmt.Errorf("Get: %w", http.ErrSchemeMismatch), errdef.ErrPlainHTTP},
		{"TLS record", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, errdef.ErrPlainHTTP},
	}
	for _, tt := range tests {
		err := errdef.NetError("reg.test", tt.err)
		if !errors.Is(err, tt.kind) || !errors.Is(err, errdef.ErrUnreachable) {
			t.Errorf("%s: %v is not %v and unreachable", tt.name, err, tt.kind)
		}
		for _, other := range []error{errdef.ErrNoSuchHost, errdef.ErrConnRefused, errdef.ErrTimeout, errdef.ErrPlainHTTP} {
			if !errors.Is(other, tt.kind) && errors.Is(err, other) {
				t.Errorf("%s: %v also matches %v", tt.name, err, other)
			}
		}
	}
}

func TestKindsMatchTheirParentAndReadLikeIt(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("%w: /etc/x is not in the image", errdef.ErrNotInImage)
	if !errors.Is(err, errdef.ErrNotFound) || err.Error() != "not found: /etc/x is not in the image" {
		t.Errorf("%q: want a not-found error reading as one", err)
	}
	ua := errdef.StatusError("ghcr.io", http.StatusUnauthorized, nil, "manifest app:1")
	var typed *errdef.UnauthorizedError
	if !errors.As(ua, &typed) || typed.Host != "ghcr.io" || !errors.Is(ua, errdef.ErrUnauthorized) || ua.Error() != "unauthorized: manifest app:1 on ghcr.io" {
		t.Errorf("401: %#v", ua)
	}
}
