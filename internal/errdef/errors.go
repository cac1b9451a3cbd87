package errdef

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
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

// Kinds that refine a sentinel: each matches its parent with errors.Is (so
// code that asks "not found?" still says yes) and reads like it in messages,
// while the advice can tell them apart.
var (
	// ErrNotInImage: something asked for inside an image or repository that
	// exists (a file, a referrer, a layer) is not there. Matches ErrNotFound.
	ErrNotInImage error = &kind{msg: "not found", parent: ErrNotFound}
	// ErrNoSuchHost: the host name does not resolve. Matches ErrUnreachable.
	ErrNoSuchHost error = &kind{msg: "unreachable", parent: ErrUnreachable}
	// ErrConnRefused: nothing accepts connections at the host and port. Matches ErrUnreachable.
	ErrConnRefused error = &kind{msg: "unreachable", parent: ErrUnreachable}
	// ErrTimeout: the server did not answer in time. Matches ErrUnreachable.
	ErrTimeout error = &kind{msg: "unreachable", parent: ErrUnreachable}
	// ErrPlainHTTP: the server answered HTTPS with plain HTTP. Matches ErrUnreachable.
	ErrPlainHTTP error = &kind{msg: "unreachable", parent: ErrUnreachable}
	// ErrServerFailed: the server answered with a 5xx status. Matches ErrUnreachable.
	ErrServerFailed error = &kind{msg: "unreachable", parent: ErrUnreachable}
)

// kind is a refinement of a sentinel error; see ErrNotInImage.
type kind struct {
	msg    string
	parent error
}

func (k *kind) Error() string { return k.msg }
func (k *kind) Unwrap() error { return k.parent }

// UnauthorizedError is a registry's refusal (HTTP 401) of the credentials it
// was sent, or of their absence. It matches ErrUnauthorized. Host lets the
// advice say which credentials, if any, were configured for that registry.
type UnauthorizedError struct {
	Host   string // the registry, host[:port]
	Detail string // what was refused: "manifest alpine:3.20 on ghcr.io"
}

func (e *UnauthorizedError) Error() string { return ErrUnauthorized.Error() + ": " + e.Detail }

// Is makes errors.Is(err, ErrUnauthorized) true.
func (e *UnauthorizedError) Is(target error) bool { return target == ErrUnauthorized }

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
		return &UnauthorizedError{Host: host, Detail: detail + " on " + host}
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: %s on %s", ErrDenied, detail, host)
	case status == http.StatusTooManyRequests:
		return &RateLimitError{Host: host, RetryAfter: ParseRetryAfter(header.Get("Retry-After"), time.Now())}
	case status >= 500:
		return fmt.Errorf("%w: %s answered HTTP %d for %s", ErrServerFailed, host, status, detail)
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
	var tlsErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w: %s did not answer in time", ErrTimeout, host)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%w: cannot resolve %s", ErrNoSuchHost, host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: cannot connect to %s (connection refused)", ErrConnRefused, host)
	case errors.Is(err, http.ErrSchemeMismatch), errors.As(err, &tlsErr):
		return fmt.Errorf("%w: %s answered HTTPS with plain HTTP", ErrPlainHTTP, host)
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

// CredentialsRejectedError says a service refused the credentials it was
// given (their absence is NeedsAccountError). It matches ErrUnauthorized. The
// advice (which variables to check) is written once, by the tools' error
// translation, from Vars.
type CredentialsRejectedError struct {
	Service string   // "Docker Hub"
	What    string   // what was refused and why: `the access token of "alice" for repository x/y`
	Vars    []string // the environment variables that hold the credentials
}

func (e *CredentialsRejectedError) Error() string {
	return fmt.Sprintf("%s: %s rejected %s", ErrUnauthorized, e.Service, e.What)
}

// Is makes errors.Is(err, ErrUnauthorized) true.
func (e *CredentialsRejectedError) Is(target error) bool { return target == ErrUnauthorized }
