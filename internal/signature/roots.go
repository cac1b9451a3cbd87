package signature

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

const (
	// tufTimeout bounds fetching the public-good trusted root through TUF.
	tufTimeout = 20 * time.Second
	// retryAfterFailure keeps a failed TUF fetch from being retried on every
	// call: a machine that cannot reach Sigstore should not wait each time.
	retryAfterFailure = time.Minute
	// refreshAfter is how long a fetched public-good root is used before
	// TUF is asked again.
	refreshAfter = 24 * time.Hour
	// maxTrustedRootBytes bounds the trusted root file; the public-good one is about 10 KiB.
	maxTrustedRootBytes = 4 << 20
)

// FlagHint names the setting that supplies a trusted root, for error messages.
const FlagHint = "-sigstore-trusted-root FILE (or SIGSTORE_TRUSTED_ROOT), a trusted_root.json"

// Roots supplies the Sigstore trusted root that keyless signatures are
// checked against: a trusted_root.json file, or Sigstore's public-good root
// fetched through its TUF repository. Nothing is read or fetched until a
// keyless signature needs it. Safe for concurrent use.
type Roots struct {
	path  string
	fetch func(ctx context.Context) (root.TrustedMaterial, error)
	now   func() time.Time

	mu       sync.Mutex
	tm       root.TrustedMaterial
	loadedAt time.Time
	err      error
	failedAt time.Time
}

// NewRoots returns Roots reading path, or using the public-good root through
// TUF when path is empty.
func NewRoots(path string) *Roots {
	return &Roots{path: path, fetch: fetchPublicGood, now: time.Now}
}

// NewRootsFromJSON returns Roots holding a trusted_root.json already read,
// for tests and embedders.
func NewRootsFromJSON(b []byte) (*Roots, error) {
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, err
	}
	return &Roots{tm: tr, now: time.Now}, nil
}

// Get returns the trusted root, loading it the first time. The error says
// which setting supplies one. A public-good root is refetched once it is a
// day old (Sigstore rotates keys through TUF); while a refetch fails, the
// root in hand is kept.
func (r *Roots) Get(ctx context.Context) (root.TrustedMaterial, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tm != nil && (r.fetch == nil || r.path != "" || r.now().Sub(r.loadedAt) < refreshAfter) {
		return r.tm, nil
	}
	if r.tm == nil && r.err != nil && (r.path != "" || r.now().Sub(r.failedAt) < retryAfterFailure) {
		return nil, r.err
	}
	if r.path != "" {
		r.tm, r.err = loadFile(r.path)
		return r.tm, r.err
	}
	tm, err := r.fetch(ctx)
	if err == nil && tm == nil {
		err = fmt.Errorf("TUF returned no trusted root")
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, ctx.Err() // this caller gave up; the next one tries afresh
	case err != nil && r.tm != nil:
		r.loadedAt = r.now().Add(retryAfterFailure - refreshAfter) // keep it; retry in a minute
		return r.tm, nil
	case err != nil:
		r.err, r.failedAt = fmt.Errorf("%w: the Sigstore public-good trusted root could not be fetched through TUF (%s); keyless signatures need it: set %s", errdef.ErrUnsupported, firstLine(err.Error()), FlagHint), r.now()
		return nil, r.err
	}
	r.tm, r.err, r.loadedAt = tm, nil, r.now()
	return tm, nil
}

// Loaded returns the trusted root if it is at hand without the network: a
// configured file, or a root fetched earlier. Key-based signatures use it to
// check their transparency-log entries when it is there, and never fetch it.
func (r *Roots) Loaded(ctx context.Context) root.TrustedMaterial {
	r.mu.Lock()
	local := r.path != "" || r.tm != nil
	r.mu.Unlock()
	if !local {
		return nil
	}
	tm, _ := r.Get(ctx)
	return tm
}

func loadFile(path string) (root.TrustedMaterial, error) {
	st, err := os.Stat(path)
	if err == nil && st.Size() > maxTrustedRootBytes {
		err = fmt.Errorf("it is %d bytes, over the %d-byte limit", st.Size(), maxTrustedRootBytes)
	}
	var b []byte
	if err == nil {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the Sigstore trusted root %s cannot be read: %s; fix %s", errdef.ErrUnsupported, path, firstLine(err.Error()), FlagHint)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%w: the Sigstore trusted root %s is not a trusted_root.json: %s; fix %s", errdef.ErrUnsupported, path, firstLine(err.Error()), FlagHint)
	}
	return tr, nil
}

// fetchPublicGood gets the public-good trusted root through Sigstore's TUF
// repository, bounded by tufTimeout: the TUF client takes no context.
func fetchPublicGood(ctx context.Context) (root.TrustedMaterial, error) {
	ctx, cancel := context.WithTimeout(ctx, tufTimeout)
	defer cancel()
	type result struct {
		tr  *root.TrustedRoot
		err error
	}
	done := make(chan result, 1)
	go func() {
		// No disk cache: a server should not write to its user's home, and
		// the root is kept in memory for the process's life.
		opts := tuf.DefaultOptions().WithContext(ctx).WithDisableLocalCache()
		tr, err := root.FetchTrustedRootWithOptions(opts)
		done <- result{tr, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, res.err
		}
		return res.tr, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no answer from %s within %s", tuf.DefaultMirror, tufTimeout)
	}
}
