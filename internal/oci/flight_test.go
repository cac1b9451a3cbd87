package oci_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// blockingRegistry answers every manifest request only when release is
// closed, and says on entered when the first one arrives.
type blockingRegistry struct {
	manifest  []byte
	entered   chan struct{}
	release   chan struct{}
	manifests atomic.Int64
	once      atomic.Bool
}

func newBlockingRegistry(t *testing.T) (*blockingRegistry, string) {
	t.Helper()
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	b := &blockingRegistry{
		manifest: []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[]}`, digestOf(config), len(config))),
		entered:  make(chan struct{}),
		release:  make(chan struct{}),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/manifests/") {
			return
		}
		b.manifests.Add(1)
		if b.once.CompareAndSwap(false, true) {
			close(b.entered)
		}
		<-b.release
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		_, _ = w.Write(b.manifest)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-b.release:
		default:
			close(b.release)
		}
	})
	return b, strings.TrimPrefix(srv.URL, "http://")
}

// TestCoalescedFetchOutlivesItsFirstCaller: caller A starts a fetch and hangs
// up; caller B, waiting on the same fetch, still gets the manifest, and the
// registry is asked once.
func TestCoalescedFetchOutlivesItsFirstCaller(t *testing.T) {
	t.Parallel()
	reg, host := newBlockingRegistry(t)
	// With a tag TTL, a B that arrives after the fetch costs nothing either,
	// so the count below tells whether B shared A's fetch or made its own.
	c := oci.New(oci.Options{TagTTL: time.Minute})
	ref, err := c.ParseReference(host + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	ctxA, cancelA := context.WithCancel(t.Context())
	errA := make(chan error, 1)
	go func() {
		_, err := c.Manifest(ctxA, ref)
		errA <- err
	}()
	<-reg.entered
	type result struct {
		m   *oci.Manifest
		err error
	}
	resB := make(chan result, 1)
	go func() {
		m, err := c.Manifest(t.Context(), ref)
		resB <- result{m, err}
	}()
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("caller A: %v; want context.Canceled", err)
	}
	close(reg.release)
	b := <-resB
	if b.err != nil {
		t.Fatalf("caller B failed with A's cancellation: %v", b.err)
	}
	if b.m.Digest != digestOf(reg.manifest) {
		t.Errorf("caller B got %s; want %s", b.m.Digest, digestOf(reg.manifest))
	}
	if n := reg.manifests.Load(); n != 1 {
		t.Errorf("the registry was asked for the manifest %d times; want 1 (one shared fetch)", n)
	}
}
