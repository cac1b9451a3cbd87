package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/server"
)

// config is everything the program reads from flags and the environment.
type config struct {
	transport            string
	host                 string
	port                 int
	allowUnauthenticated bool
	readOnly             bool
	toolsets             []string
	demo                 bool
	insecure             []string
	cacheTTL             time.Duration
	cacheRedis           string
	timeout              time.Duration
	logLevel             string
	authToken            string
	args                 []string // what follows the flags: the tool and key=value pairs of call
	output               string   // call's -o: json or text
	oauthIssuer          string
	allowRegistries      []string
	denyRegistries       []string
	denyPrivate          bool
	oauthAudience        string
	clientRate           float64 // requests per second per HTTP client; 0 turns the limit off
	clientConcurrency    int     // requests in flight per HTTP client; 0 turns the limit off

	ociRegistry string
	ociUsername string
	ociPassword string
	ociToken    string

	hubUsername string
	hubToken    string
	hubAPIURL   string
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseConfig reads flags, then the environment for what flags left unset.
// Warnings (a bad port) go to warn.
func parseConfig(args []string, getenv func(string) string, warn io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("registry-mcp", flag.ContinueOnError)
	fs.SetOutput(warn)
	transport := fs.String("transport", "", "http (default: Streamable HTTP at /mcp and SSE at /sse) or stdio; env MCP_TRANSPORT")
	port := fs.String("port", "", "listening port (default 8080); env MCP_PORT")
	fs.StringVar(&c.host, "host", "", "bind address (default 127.0.0.1); env MCP_HOST")
	fs.BoolVar(&c.allowUnauthenticated, "allow-unauthenticated", false, "allow a non-loopback bind without MCP_AUTH_TOKEN")
	fs.BoolVar(&c.readOnly, "read-only", true, "hide write tools (Docker Hub create/update); -read-only=false offers them")
	toolsets := fs.String("toolsets", "", "comma list of toolsets: registry, hub (default both); env MCP_TOOLSETS")
	fs.BoolVar(&c.demo, "demo", false, "start an embedded registry with sample images on loopback")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "HOST[:PORT] that may be reached over plain HTTP (repeatable); env OCI_INSECURE_REGISTRIES")
	var allow, deny listFlag
	fs.Var(&allow, "allow-registries", "only these registry hosts (globs, comma list or repeated), e.g. ghcr.io,*.example.com")
	fs.Var(&deny, "deny-registries", "refuse these registry hosts (globs)")
	fs.BoolVar(&c.denyPrivate, "deny-private-networks", false, "also refuse registries on loopback, RFC 1918 and unique-local addresses")
	fs.DurationVar(&c.cacheTTL, "cache-ttl", 30*time.Second, "how long a tag's digest is trusted before revalidation; 0 disables tag caching")
	fs.StringVar(&c.cacheRedis, "cache-redis", "", "redis://[user:password@]host:port[/db] to share the cache between replicas; env MCP_CACHE_REDIS")
	fs.DurationVar(&c.timeout, "registry-timeout", 30*time.Second, "timeout of each registry request")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.output, "o", "json", "for call: print the structured result as json, or the text content with text")
	fs.StringVar(&c.oauthIssuer, "oauth-issuer", "", "OAuth resource-server mode: the issuer whose JWTs clients present (with -oauth-audience)")
	fs.StringVar(&c.oauthAudience, "oauth-audience", "", "OAuth resource-server mode: the audience tokens must name, usually this server's URL")
	fs.Float64Var(&c.clientRate, "client-rate", server.DefaultClientRate, "HTTP: requests per second one client may make (burst twice that); 0 turns the limit off")
	fs.IntVar(&c.clientConcurrency, "client-concurrency", server.DefaultClientConcurrency, "HTTP: requests one client may have in flight; 0 turns the limit off")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.args = fs.Args()
	if c.clientRate < 0 || c.clientConcurrency < 0 {
		return nil, errors.New("-client-rate and -client-concurrency must not be negative (0 turns a limit off)")
	}
	c.transport = firstNonEmpty(*transport, getenv("MCP_TRANSPORT"), "http")
	switch c.transport {
	case "http", "streamable-http", "sse":
		c.transport = "http"
	case "stdio":
	default:
		return nil, fmt.Errorf("transport %q is not one of http, streamable-http, sse, stdio", c.transport)
	}
	c.port = parsePort(firstNonEmpty(*port, getenv("MCP_PORT")), warn)
	c.host = firstNonEmpty(c.host, getenv("MCP_HOST"), "127.0.0.1")
	c.toolsets = splitList(firstNonEmpty(*toolsets, getenv("MCP_TOOLSETS")))
	for _, ts := range c.toolsets {
		if ts != "registry" && ts != "hub" {
			return nil, fmt.Errorf("toolset %q is not one of registry, hub", ts)
		}
	}
	c.allowRegistries, c.denyRegistries = allow, deny
	c.insecure = append(insecure, splitList(getenv("OCI_INSECURE_REGISTRIES"))...)
	if c.cacheTTL < 0 {
		return nil, errors.New("-cache-ttl must not be negative")
	}
	c.cacheRedis = firstNonEmpty(c.cacheRedis, getenv("MCP_CACHE_REDIS"))
	if c.cacheRedis != "" {
		if err := oci.CheckRedisURL(c.cacheRedis); err != nil {
			return nil, err
		}
	}
	c.authToken = getenv("MCP_AUTH_TOKEN")
	if (c.oauthIssuer == "") != (c.oauthAudience == "") {
		return nil, errors.New("-oauth-issuer and -oauth-audience go together")
	}
	c.ociRegistry = firstNonEmpty(getenv("OCI_REGISTRY"), "docker.io")
	c.ociUsername, c.ociPassword, c.ociToken = getenv("OCI_USERNAME"), getenv("OCI_PASSWORD"), getenv("OCI_TOKEN")
	c.hubUsername, c.hubToken, c.hubAPIURL = getenv("DOCKERHUB_USERNAME"), getenv("DOCKERHUB_TOKEN"), getenv("DOCKERHUB_API_URL")
	if err := checkHubAPIURL(c.hubAPIURL); err != nil {
		return nil, err
	}
	return c, nil
}

// parsePort accepts 0-65535; anything else falls back to 8080 with a warning.
func parsePort(v string, warn io.Writer) int {
	if v == "" {
		return 8080
	}
	p, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || p < 0 || p > 65535 {
		fmt.Fprintf(warn, "warning: port %q is not a port number (0-65535); using 8080\n", v)
		return 8080
	}
	return p
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var osGetenv = os.Getenv

// limits turns the per-client flags into the server's limits, where a
// negative value (not zero, which means "the default") turns one off.
func (c *config) limits() server.Limits {
	l := server.Limits{ClientRate: c.clientRate, ClientBurst: max(1, int(2*c.clientRate)), ClientConcurrency: c.clientConcurrency}
	if c.clientRate == 0 {
		l.ClientRate = -1
	}
	if c.clientConcurrency == 0 {
		l.ClientConcurrency = -1
	}
	return l
}
