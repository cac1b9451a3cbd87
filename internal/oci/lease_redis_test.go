package oci_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// watchedRedis is the real Redis cache, reporting on held when this replica
// finds a lease taken by another.
type watchedRedis struct {
	*oci.RedisCache
	held chan struct{}
}

func (w watchedRedis) SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	ok, err := w.RedisCache.SetNX(ctx, key, val, ttl)
	if err == nil && !ok {
		select {
		case w.held <- struct{}{}:
		default:
		}
	}
	return ok, err
}

func leaseReplica(t *testing.T, redisURL string, now func() time.Time) (*oci.Client, chan struct{}) {
	t.Helper()
	rc, err := oci.NewRedisCache(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	held := make(chan struct{}, 1)
	return oci.New(oci.Options{TagTTL: time.Minute, Shared: watchedRedis{rc, held}, Now: now}), held
}

// waitHeld waits until a replica has found the lease held; a replica that
// never asks for a lease fails the test instead of hanging it.
func waitHeld(t *testing.T, held chan struct{}) {
	t.Helper()
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the replica never found the lease held by another")
	}
}

// TestReplicasAskedAtOnceFetchOnce: three replicas asked for the same new
// image at the same instant; one fetches the manifest, the others wait for
// its answer in Redis.
func TestReplicasAskedAtOnceFetchOnce(t *testing.T) {
	t.Parallel()
	rd := registrytest.StartRedis(t)
	reg, host := newBlockingRegistry(t)
	clock := registrytest.NewClock()
	a, _ := leaseReplica(t, rd.URL, clock.Now)
	b, heldB := leaseReplica(t, rd.URL, clock.Now)
	c, heldC := leaseReplica(t, rd.URL, clock.Now)
	ref, err := a.ParseReference(host + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	digests := make([]string, 3)
	get := func(i int, cl *oci.Client) {
		m, err := cl.Manifest(t.Context(), ref)
		if errs[i] = err; err == nil {
			digests[i] = m.Digest
		}
	}
	wg.Go(func() { get(0, a) })
	<-reg.entered // a holds the lease and is fetching
	wg.Go(func() { get(1, b) })
	wg.Go(func() { get(2, c) })
	waitHeld(t, heldB)
	waitHeld(t, heldC)
	close(reg.release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		if digests[i] != digestOf(reg.manifest) {
			t.Errorf("replica %d got %s; want %s", i, digests[i], digestOf(reg.manifest))
		}
	}
	if n := reg.manifests.Load(); n != 1 {
		t.Errorf("the registry served the manifest %d times; want once for three replicas", n)
	}
}

// TestDeadLeaseHolderDoesNotBlockTheOthers: a replica took the lease and
// died; another stops waiting once the holder's deadline passes on its
// clock, and fetches itself.
func TestDeadLeaseHolderDoesNotBlockTheOthers(t *testing.T) {
	t.Parallel()
	rd := registrytest.StartRedis(t)
	reg, host := newBlockingRegistry(t)
	close(reg.release)
	clock := registrytest.NewClock()
	b, heldB := leaseReplica(t, rd.URL, clock.Now)
	ref, err := b.ParseReference(host + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	// The dead replica's lease, as it left it: taken, never released.
	rc, err := oci.NewRedisCache(rd.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	leaseKey := "registry-mcp/v1/lease/tag/" + ref.Context().Name() + ":1"
	deadline := clock.Now().Add(5 * time.Second).UnixMilli()
	if ok, err := rc.SetNX(t.Context(), leaseKey, []byte(strconv.FormatInt(deadline, 10)+" dead"), time.Minute); err != nil || !ok {
		t.Fatalf("taking the lease: %v %v", ok, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Manifest(t.Context(), ref)
		done <- err
	}()
	waitHeld(t, heldB)
	clock.Advance(6 * time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second): // the lease itself lasts a minute
		t.Fatal("a dead replica's lease still blocks the others after its deadline")
	}
	if n := reg.manifests.Load(); n != 1 {
		t.Errorf("the registry served the manifest %d times; want 1 (the survivor's own fetch)", n)
	}
}
