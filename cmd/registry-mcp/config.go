package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/osv"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// config is everything the program reads from flags and the environment.
type config struct {
	transport            string
	host                 string
	port                 int
	allowUnauthenticated bool
	readOnly             bool
	toolsets             []string
	tools                []string // only these tools (-tools / MCP_TOOLS); empty offers all
	demo                 bool
	demoPort             int
	insecure             []string
	cacheTTL             time.Duration
	cacheRedis           string
	sharedOnce           sync.Once       // sharedCache is made once, for both clients
	shared               oci.SharedCache // nil without -cache-redis
	timeout              time.Duration
	logLevel             string // debug, info, warn or error; "" when neither flag nor env set it
	showVersion          bool   // --version
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

	vulnSource          string // the OSV service scan_image_vulnerabilities asks
	vulnSourceSet       bool   // given by flag or env (the demo otherwise uses its own)
	sigstoreTrustedRoot string // trusted_root.json for keyless signatures; empty: public-good via TUF
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

// logLevels are the values -log-level and MCP_LOG_LEVEL accept.
var logLevels = []string{"debug", "info", "warn", "error"}

// defaultDemoPort is where -demo's registry listens unless -demo-port says
// otherwise: a fixed port keeps the image references of saved prompts and
// client configs valid from one start to the next.
const defaultDemoPort = 5055

// rawFlags are the flags read as given, before the environment and the
// defaults are merged into config.
type rawFlags struct {
	transport, port, toolsets, tools string
	vulnSource                       string
	insecure, allow, deny            listFlag
}

// newFlagSet declares every flag, into c and r. It prints nothing itself:
// parse errors are returned, and -h is answered with the usage on stdout.
// A flag that falls back to an environment variable is named in envOfFlag.
func newFlagSet(c *config, r *rawFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("registry-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&r.transport, "transport", "", "`mode`: http (Streamable HTTP at /mcp and SSE at /sse; the default) or stdio")
	fs.StringVar(&r.port, "port", "", "listening `port` (default 8080)")
	fs.StringVar(&c.host, "host", "", "bind `address` (default 127.0.0.1)")
	fs.BoolVar(&c.allowUnauthenticated, "allow-unauthenticated", false, "allow a non-loopback bind without MCP_AUTH_TOKEN")
	fs.BoolVar(&c.readOnly, "read-only", true, "hide write tools (Docker Hub create/update); -read-only=false offers them")
	fs.StringVar(&r.toolsets, "toolsets", "", "comma `list` of toolsets to offer, e.g. registry,hub (default all; registry-mcp tools shows each tool's toolset)")
	fs.StringVar(&r.tools, "tools", "", "comma `list` of tool names: only these are offered (registry-mcp tools lists them)")
	fs.BoolVar(&c.demo, "demo", false, "start an embedded registry with sample images on loopback")
	fs.IntVar(&c.demoPort, "demo-port", defaultDemoPort, "`port` of the -demo registry; when taken, a free one is used; 0 picks a free one")
	fs.Var(&r.insecure, "insecure-registry", "`HOST[:PORT]` that may be reached over plain HTTP (repeatable)")
	fs.Var(&r.allow, "allow-registries", "only these registry `hosts` (globs, comma list or repeated), e.g. ghcr.io,*.example.com")
	fs.Var(&r.deny, "deny-registries", "refuse these registry `hosts`: globs match names; an exact name also refuses its addresses; IPs and CIDR ranges match addresses")
	fs.BoolVar(&c.denyPrivate, "deny-private-networks", false, "also refuse registries on loopback, RFC 1918 and unique-local addresses")
	fs.DurationVar(&c.cacheTTL, "cache-ttl", 30*time.Second, "how long a tag's digest is trusted before revalidation; 0 disables tag caching")
	fs.StringVar(&c.cacheRedis, "cache-redis", "", "share the cache between replicas through Redis at `URL` redis://[user:password@]host:port[/db]")
	fs.DurationVar(&c.timeout, "registry-timeout", 30*time.Second, "timeout of each registry request")
	fs.StringVar(&c.logLevel, "log-level", "", "`level`: debug, info, warn or error (default info; warn for call)")
	fs.StringVar(&c.output, "o", "json", "for call: the output `format`, json (the structured result) or text (the text content)")
	fs.StringVar(&c.oauthIssuer, "oauth-issuer", "", "OAuth resource-server mode: the `issuer` whose JWTs clients present (with -oauth-audience)")
	fs.StringVar(&c.oauthAudience, "oauth-audience", "", "OAuth resource-server mode: the `audience` tokens must name, usually this server's URL")
	fs.StringVar(&r.vulnSource, "vuln-source", "", "`URL` of the OSV service that scan_image_vulnerabilities sends package names and versions to (default "+osv.DefaultURL+"; a mirror works)")
	fs.StringVar(&c.sigstoreTrustedRoot, "sigstore-trusted-root", "", "Sigstore trusted_root.json `file` for keyless signatures (default: the public-good root, through TUF)")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.Float64Var(&c.clientRate, "client-rate", server.DefaultClientRate, "HTTP: `requests` per second one client may make (burst twice that); 0 turns the limit off")
	fs.IntVar(&c.clientConcurrency, "client-concurrency", server.DefaultClientConcurrency, "HTTP: `requests` one client may have in flight; 0 turns the limit off")
	return fs
}

// parseConfig reads flags, then the environment for what flags left unset.
// Warnings (a bad port) go to warn. -h and --help return flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, warn io.Writer) (*config, error) {
	c, r := &config{}, &rawFlags{}
	fs := newFlagSet(c, r)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w (registry-mcp -h lists the flags)", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c.args = fs.Args()
	if c.clientRate < 0 || c.clientConcurrency < 0 {
		return nil, errors.New("-client-rate and -client-concurrency must not be negative (0 turns a limit off)")
	}
	c.transport = firstNonEmpty(r.transport, getenv("MCP_TRANSPORT"), "http")
	switch c.transport {
	case "http", "streamable-http", "sse":
		c.transport = "http"
	case "stdio":
	default:
		return nil, fmt.Errorf("transport %q is not one of http, streamable-http, sse, stdio", c.transport)
	}
	c.port = parsePort(firstNonEmpty(r.port, getenv("MCP_PORT")), warn)
	c.host = firstNonEmpty(c.host, getenv("MCP_HOST"), "127.0.0.1")
	if err := c.readReadOnly(set["read-only"], getenv("MCP_READ_ONLY")); err != nil {
		return nil, err
	}
	if err := c.readLogLevel(getenv("MCP_LOG_LEVEL")); err != nil {
		return nil, err
	}
	if err := c.readToolSelection(firstNonEmpty(r.toolsets, getenv("MCP_TOOLSETS")), firstNonEmpty(r.tools, getenv("MCP_TOOLS"))); err != nil {
		return nil, err
	}
	if c.demoPort < 0 || c.demoPort > 65535 {
		return nil, fmt.Errorf("-demo-port %d is not a port number (0-65535)", c.demoPort)
	}
	c.allowRegistries, c.denyRegistries = r.allow, r.deny
	c.insecure = append(r.insecure, splitList(getenv("OCI_INSECURE_REGISTRIES"))...)
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
	c.sigstoreTrustedRoot = firstNonEmpty(c.sigstoreTrustedRoot, getenv("SIGSTORE_TRUSTED_ROOT"))
	if err := checkHubAPIURL(c.hubAPIURL); err != nil {
		return nil, err
	}
	c.vulnSource = firstNonEmpty(r.vulnSource, getenv("MCP_VULN_SOURCE"))
	c.vulnSourceSet = c.vulnSource != ""
	c.vulnSource = firstNonEmpty(c.vulnSource, osv.DefaultURL)
	if _, err := osv.ParseURL(c.vulnSource); err != nil {
		return nil, fmt.Errorf("-vuln-source: %w", err)
	}
	return c, nil
}

// readReadOnly takes MCP_READ_ONLY when -read-only was not given.
func (c *config) readReadOnly(flagSet bool, env string) error {
	if flagSet || env == "" {
		return nil
	}
	v, err := strconv.ParseBool(strings.TrimSpace(env))
	if err != nil {
		return fmt.Errorf("MCP_READ_ONLY %q is not true or false", env)
	}
	c.readOnly = v
	return nil
}

// readLogLevel takes MCP_LOG_LEVEL when -log-level was not given, and
// refuses a level that is not one of logLevels: a typo must not silently
// log at another level than the one asked for.
func (c *config) readLogLevel(env string) error {
	source := "-log-level"
	if c.logLevel == "" {
		c.logLevel, source = env, "MCP_LOG_LEVEL"
	}
	if c.logLevel == "" {
		return nil
	}
	c.logLevel = strings.ToLower(strings.TrimSpace(c.logLevel))
	if !slices.Contains(logLevels, c.logLevel) {
		return fmt.Errorf("%s %q is not one of %s", source, c.logLevel, strings.Join(logLevels, ", "))
	}
	return nil
}

// readToolSelection checks the toolsets and tool names against the tools
// the tools package defines (what `registry-mcp tools` prints). The
// catalogue is built only when a selection is given: building it costs
// every tool's schema, which a plain start need not pay twice.
func (c *config) readToolSelection(toolsets, names string) error {
	c.toolsets, c.tools = splitList(toolsets), splitList(names)
	if len(c.toolsets) == 0 && len(c.tools) == 0 {
		return nil
	}
	var validSets, validNames []string
	for _, t := range tools.List(tools.Options{}) {
		validNames = append(validNames, t.Name)
		if !slices.Contains(validSets, t.Toolset) {
			validSets = append(validSets, t.Toolset)
		}
	}
	for _, ts := range c.toolsets {
		if !slices.Contains(validSets, ts) {
			return fmt.Errorf("toolset %q is not one of %s", ts, strings.Join(validSets, ", "))
		}
	}
	for _, name := range c.tools {
		if !slices.Contains(validNames, name) {
			return fmt.Errorf("tool %q does not exist; the tools are: %s", name, strings.Join(validNames, ", "))
		}
	}
	return nil
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
