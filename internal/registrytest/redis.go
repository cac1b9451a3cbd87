package registrytest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/measure"
)

// Redis is a redis-server process started for a test, on a free loopback
// port, keeping nothing on disk.
type Redis struct {
	// Addr is 127.0.0.1:port; URL is redis://Addr/0.
	Addr string
	URL  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts Debian's redis-server for a test and stops it at the
// end. Without the binary the test is skipped locally but fails under
// CI=true, where a missing install step must not pass unnoticed.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is not installed (apt-get install redis-server); CI must run the Redis tests")
		}
		t.Skip("redis-server is not installed (apt-get install redis-server); skipping the Redis test")
	}
	r, err := LaunchRedis()
	if err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

// LaunchRedis starts redis-server on a free loopback port; the caller must
// Stop it.
func LaunchRedis() (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	for range 3 { // the free port found may be taken before redis-server binds it
		var r *Redis
		if r, err = startRedis(bin); err == nil {
			return r, nil
		}
	}
	return nil, err
}

func startRedis(bin string) (*Redis, error) {
	port, err := measure.FreePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &Redis{Addr: addr, URL: "redis://" + addr + "/0", cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(r.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			return nil, fmt.Errorf("redis-server exited: %s", strings.TrimSpace(log.String()))
		default:
		}
		if pong(addr) {
			return r, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.Stop()
	return nil, fmt.Errorf("redis-server did not answer on %s within 10 s", addr)
}

// pong sends PING in the inline protocol and expects +PONG.
func pong(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// Stop kills the server (as an outage would) and waits for it to exit. It
// may be called more than once.
func (r *Redis) Stop() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Kill()
	<-r.done
}
