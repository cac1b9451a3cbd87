//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// replicas is how many registry-mcp processes run behind the load balancer.
const replicas = 3

// TestReplicasBehindHAProxy runs three replicas of the real binary behind
// Debian's haproxy (round robin, loopback only), sharing a real redis-server
// through -cache-redis, in front of the docker-registry process. A stream of
// calls for a set of new images, spread over the replicas, must make the
// registry serve each manifest and each config at most once in total:
//
//   - "one after another": each image is asked of every replica in turn, so
//     the later replicas find it in Redis;
//   - "all at once": every replica is asked for the same new image at the same
//     instant, so one must fetch while the others wait for its result (the
//     Redis lease).
//
// The registry's requests are counted by a reverse proxy in front of it.
func TestReplicasBehindHAProxy(t *testing.T) {
	haproxy := requireHAProxy(t)
	redis := registrytest.StartRedis(t)
	counter := newCountingProxy(t, reg.Host)

	var backends []string
	var servers []*httpServer
	for range replicas {
		s := startHTTP(t, childEnv(t), "-cache-redis", redis.URL)
		servers = append(servers, s)
		backends = append(backends, strings.TrimPrefix(s.base, "http://"))
	}
	lb := startHAProxy(t, haproxy, backends)
	seen := &replicaCounter{byReplica: map[string]int{}}
	hc := &http.Client{Transport: seen, Timeout: 2 * time.Minute}

	for _, tc := range []struct {
		name       string
		concurrent bool
	}{
		{"one after another", false},
		{"all at once", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			images := pushImages(t, counter.host, strings.ReplaceAll(tc.name, " ", "-"), 4)
			counter.reset()
			for _, img := range images {
				askEveryReplica(t, hc, lb, img, 2*replicas, tc.concurrent)
			}
			for _, img := range images {
				m, c := counter.served(img)
				if m > 1 || c > 1 {
					t.Errorf("%s: the registry served its manifest %d times and its config %d times; want each at most once across %d replicas", img.ref, m, c, replicas)
				}
				if m == 0 || c == 0 {
					t.Errorf("%s: the registry served its manifest %d times and its config %d times; want each once (did the calls reach it?)", img.ref, m, c)
				}
			}
			if t.Failed() {
				t.Logf("registry requests: %v", counter.snapshot())
				for i, s := range servers {
					t.Logf("replica r%d's log lines about Redis:\n%s", i+1, linesAbout(s.stderr.String(), "redis"))
				}
			}
		})
	}
	got := seen.snapshot()
	if len(got) != replicas {
		t.Errorf("requests answered per replica: %v; want all %d replicas to have served some", got, replicas)
	}
	t.Logf("requests answered per replica: %v", got)
}

// requireHAProxy finds haproxy; without it the test is skipped, except in
// CI, where a missing install step must fail.
func requireHAProxy(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("E2E_HAPROXY"), "/usr/sbin/haproxy"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("haproxy is not installed: CI must run the replica test (scripts/install-tools.sh haproxy)")
	}
	t.Skip("haproxy is not installed (scripts/install-tools.sh haproxy, or apt-get install haproxy): skipping the replica test")
	return ""
}

// startHAProxy runs haproxy in the foreground with a config of its own:
// one loopback frontend, round robin over the backends, and a response
// header naming the replica that answered. It returns the frontend's base URL.
func startHAProxy(t *testing.T, bin string, backends []string) string {
	t.Helper()
	var lastErr error
	for range 3 { // the free port found may be taken before haproxy binds it
		port, err := freeLoopbackPort()
		if err != nil {
			t.Fatal(err)
		}
		base, err := tryHAProxy(t, bin, port, backends)
		if err == nil {
			return base
		}
		lastErr = err
	}
	t.Fatalf("haproxy would not start: %v", lastErr)
	return ""
}

func tryHAProxy(t *testing.T, bin string, port int, backends []string) (string, error) {
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `defaults
	mode http
	timeout connect 5s
	timeout client 2m
	timeout server 2m

frontend mcp
	bind 127.0.0.1:%d
	default_backend replicas
	# %%s is the name of the server that answered.
	http-response set-header X-Replica %%s

backend replicas
	balance roundrobin
`, port)
	for i, b := range backends {
		fmt.Fprintf(&cfg, "\tserver r%d %s\n", i+1, b)
	}
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		return "", err
	}
	var log syncBuffer
	cmd := exec.Command(bin, "-db", "-f", path) // -db: foreground, no daemon
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-exited:
			return "", fmt.Errorf("haproxy exited: %s", log.String())
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(stop)
				return base, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("no answer from %s/healthz after 20s: %s", base, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// replicaCounter is an http.RoundTripper that counts the answers by the
// X-Replica header haproxy sets.
type replicaCounter struct {
	mu        sync.Mutex
	byReplica map[string]int
}

func (c *replicaCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		c.mu.Lock()
		c.byReplica[resp.Header.Get("X-Replica")]++
		c.mu.Unlock()
	}
	return resp, err
}

func (c *replicaCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.byReplica {
		out[k] = v
	}
	return out
}

// countingProxy is a reverse proxy in front of the registry that counts
// the manifest and blob requests it forwards.
type countingProxy struct {
	host string // 127.0.0.1:port, as image references name it
	mu   sync.Mutex
	n    map[string]int // "GET /v2/repo/manifests/ref" → count
}

func newCountingProxy(t *testing.T, registryHost string) *countingProxy {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: registryHost}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &countingProxy{n: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") || strings.Contains(r.URL.Path, "/blobs/") {
			p.mu.Lock()
			p.n[r.Method+" "+r.URL.Path]++
			p.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

func (p *countingProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.n)
}

func (p *countingProxy) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.n {
		out[k] = v
	}
	return out
}

// served returns how many times the registry sent img's manifest (by tag or
// by digest) and its config blob. HEADs revalidate; they send no content.
func (p *countingProxy) served(img replicaImage) (manifest, config int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range p.n {
		method, path, _ := strings.Cut(k, " ")
		if method != http.MethodGet {
			continue
		}
		switch path {
		case "/v2/" + img.repo + "/manifests/" + img.tag, "/v2/" + img.repo + "/manifests/" + img.digest:
			manifest += v
		case "/v2/" + img.repo + "/blobs/" + img.config:
			config += v
		}
	}
	return manifest, config
}

// replicaImage is a new image pushed for one subtest.
type replicaImage struct {
	ref                       string // through the counting proxy
	repo, tag, digest, config string
}

// pushImages pushes n random single-platform images straight to the
// registry (not through the counting proxy) and names them through it.
func pushImages(t *testing.T, proxy, prefix string, n int) []replicaImage {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out []replicaImage
	for i := range n {
		img, err := random.Image(512, 1)
		if err != nil {
			t.Fatal(err)
		}
		repo := fmt.Sprintf("replicas/%s-%d", prefix, i)
		ref, err := name.ParseReference(reg.Host+"/"+repo+":1", name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
			t.Fatalf("push %s: %v", ref, err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		c, err := img.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, replicaImage{
			ref: proxy + "/" + repo + ":1", repo: repo, tag: "1", digest: d.String(), config: c.String(),
		})
	}
	return out
}

// askEveryReplica makes calls for img through the load balancer: get_image_info
// and get_image_config alternately, one after another or all at once, each
// over a client session of its own. Every answer must name the image's digest.
func askEveryReplica(t *testing.T, hc *http.Client, lb string, img replicaImage, calls int, concurrent bool) {
	t.Helper()
	errs := make([]error, calls)
	do := func(i int) {
		tool := []string{"get_image_info", "get_image_config"}[i%2]
		errs[i] = callThrough(t.Context(), hc, lb, tool, img)
	}
	if concurrent {
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() { do(i) })
		}
		wg.Wait()
	} else {
		for i := range calls {
			do(i)
		}
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d for %s: %v", i, img.ref, err)
		}
	}
}

// callThrough connects a fresh client to the load balancer and makes one call.
func callThrough(ctx context.Context, hc *http.Client, lb, tool string, img replicaImage) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tr := &mcp.StreamableClientTransport{Endpoint: lb + "/mcp", HTTPClient: hc, DisableStandaloneSSE: true}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "registry-mcp-e2e-replicas", Version: "0"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"image_ref": img.ref}})
	if err != nil {
		return err
	}
	if res.IsError {
		return fmt.Errorf("%s: tool error: %s", tool, registrytest.Text(res))
	}
	var out struct {
		Digest string `json:"digest"`
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	want := img.digest
	if tool == "get_image_config" {
		want = img.config
	}
	if out.Digest != want {
		return fmt.Errorf("%s answered digest %q, want %q", tool, out.Digest, want)
	}
	return nil
}

// linesAbout returns the lines of log that mention word, case-insensitively.
func linesAbout(log, word string) string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(strings.ToLower(line), word) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
