package errdef

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The error vocabulary shared by the registry and Docker Hub clients. Callers
// test with errors.Is; the tools package turns each into advice for the model.
var (
	// ErrNotFound: the repository, tag, digest or record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: credentials are missing or were rejected.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrDenied: the credentials are valid but lack access.
	ErrDenied = errors.New("access denied")
	// ErrRateLimited: the server asked us to slow down; see RateLimitError.
	ErrRateLimited = errors.New("rate limited")
	// ErrInvalidReference: an image reference, repository or platform could not be parsed.
	ErrInvalidReference = errors.New("invalid reference")
	// ErrInvalidInput: an argument other than a reference is out of range or malformed.
	ErrInvalidInput = errors.New("invalid input")
	// ErrTooLarge: content exceeds one of the safety limits.
	ErrTooLarge = errors.New("too large")
	// ErrUnreachable: the server could not be reached, timed out or failed.
	ErrUnreachable = errors.New("unreachable")
	// ErrBadResponse: the server answered with something that is not what the protocol promises.
	ErrBadResponse = errors.New("bad response")
	// ErrPolicy: the server's registry policy refuses the host or address.
	ErrPolicy = errors.New("refused by policy")
	// ErrUnsupported: the server or the content does not support the operation.
	ErrUnsupported = errors.New("unsupported")
)

// RateLimitError carries the delay a server asked for. It matches ErrRateLimited.
type RateLimitError struct {
	Host       string
	RetryAfter time.Duration // zero when the server did not say
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%s: rate limited, retry after %s", e.Host, e.RetryAfter.Round(time.Second))
	}
	return e.Host + ": rate limited"
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// ParseRetryAfter reads a Retry-After header (seconds or an HTTP date); zero when absent or invalid.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// StatusError maps an HTTP status from host to the shared vocabulary. detail is
// a short description of what was asked for ("manifest alpine:3.20"), and
// body a bounded excerpt of the response, used only for the registry's error codes.
func StatusError(host string, status int, header http.Header, detail string) error {
	switch {
	case status == http.StatusNotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, detail)
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s on %s", ErrUnauthorized, detail, host)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: %s on %s", ErrDenied, detail, host)
	case status == http.StatusTooManyRequests:
		return &RateLimitError{Host: host, RetryAfter: ParseRetryAfter(header.Get("Retry-After"), time.Now())}
	case status >= 500:
		return fmt.Errorf("%w: %s answered HTTP %d for %s", ErrUnreachable, host, status, detail)
	default:
		return fmt.Errorf("%w: %s answered HTTP %d for %s", ErrBadResponse, host, status, detail)
	}
}

// NetError classifies a transport failure (DNS, refused connection, timeout).
func NetError(host string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrPolicy) {
		return err
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %s did not answer in time", ErrUnreachable, host)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%w: cannot resolve %s", ErrUnreachable, host)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Errorf("%w: cannot connect to %s (%w)", ErrUnreachable, host, opErr.Err)
	default:
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, host, err)
	}
}

// NeedsAccountError says an operation needs credentials the server was not
// given. It matches ErrUnauthorized. The advice (which variables to set) is
// written once, by the tools' error translation, from Vars.
type NeedsAccountError struct {
	Service   string   // "Docker Hub"
	Operation string   // what was asked for ("list_hub_namespaces")
	Vars      []string // the environment variables that provide the account
}

func (e *NeedsAccountError) Error() string {
	return fmt.Sprintf("%s needs a %s account", e.Operation, e.Service)
}

// Is makes errors.Is(err, ErrUnauthorized) true.
func (e *NeedsAccountError) Is(target error) bool { return target == ErrUnauthorized }
