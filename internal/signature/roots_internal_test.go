package signature

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// stubRoots is Roots for the public-good root whose TUF fetch is counted and
// fails, on a clock the test moves.
func stubRoots(fetchErr error) (*Roots, *int, *time.Time) {
	calls, now := 0, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	r := NewRoots("")
	r.now = func() time.Time { return now }
	r.fetch = func(ctx context.Context) (root.TrustedMaterial, error) {
		calls++
		if fetchErr == nil {
			return nil, ctx.Err()
		}
		return nil, fetchErr
	}
	return r, &calls, &now
}

func TestPublicGoodRootIsFetchedOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	r, calls, _ := stubRoots(errors.New("dial tcp: no route to host"))
	if tm := r.Loaded(t.Context()); tm != nil || *calls != 0 {
		t.Fatalf("Loaded fetched the public-good root (%d fetches); it must never go to the network", *calls)
	}
	_, err := r.Get(t.Context())
	if *calls != 1 || !errors.Is(err, errdef.ErrUnsupported) || !strings.Contains(err.Error(), "-sigstore-trusted-root") || !strings.Contains(err.Error(), "no route to host") {
		t.Fatalf("Get: %v after %d fetches; want one fetch and an error naming the flag and the cause", err, *calls)
	}
}

func TestFailedFetchIsRememberedForAMinute(t *testing.T) {
	t.Parallel()
	r, calls, now := stubRoots(errors.New("timeout"))
	for range 3 {
		_, _ = r.Get(t.Context())
	}
	if *calls != 1 {
		t.Fatalf("%d fetches within a minute; want 1", *calls)
	}
	*now = now.Add(retryAfterFailure + time.Second)
	_, _ = r.Get(t.Context())
	if *calls != 2 {
		t.Fatalf("%d fetches after a minute; want a retry", *calls)
	}
}

func TestCancelledCallerDoesNotPoisonTheNextOne(t *testing.T) {
	t.Parallel()
	r, calls, _ := stubRoots(nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Get(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get: %v", err)
	}
	_, _ = r.Get(t.Context())
	if *calls != 2 {
		t.Fatalf("%d fetches; a cancelled caller's failure must not be remembered", *calls)
	}
}

func TestTrustedRootFileErrorsNameTheFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, path := range []string{dir + "/missing.json", dir} {
		_, err := NewRoots(path).Get(t.Context())
		if err == nil || !strings.Contains(err.Error(), "-sigstore-trusted-root") {
			t.Errorf("%s: %v; want an error naming the flag", path, err)
		}
	}
}

func TestPublicGoodRootIsRefreshedDaily(t *testing.T) {
	t.Parallel()
	r, calls, now := stubRoots(nil)
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fail := false
	r.fetch = func(context.Context) (root.TrustedMaterial, error) {
		*calls++
		if fail {
			return nil, errors.New("unreachable")
		}
		return tr, nil
	}
	for range 2 {
		if _, err := r.Get(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if *calls != 1 {
		t.Fatalf("%d fetches within a day; want 1", *calls)
	}
	*now, fail = now.Add(refreshAfter+time.Second), true
	if tm, err := r.Get(t.Context()); err != nil || tm == nil || *calls != 2 {
		t.Fatalf("stale root, refetch failing: %v, %d fetches; want the old root kept after one try", err, *calls)
	}
	_, _ = r.Get(t.Context())
	if *calls != 2 {
		t.Fatalf("%d fetches; a failed refresh should wait a minute", *calls)
	}
}
