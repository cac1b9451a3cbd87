// Command registry-mcp is an MCP server that gives AI agents fast, safe
// access to container registries and the Docker Hub API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/osv"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/signature"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// Set at release time with -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "registry-mcp:", err)
		}
		os.Exit(1)
	}
}

// subcommands are the words run dispatches on, before or after the flags.
var subcommands = []string{"help", "version", "tools", "call"}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "help":
			printUsage(stdout)
			return nil
		case "version":
			fmt.Fprintln(stdout, versionString())
			return nil
		case "tools":
			return printTools(stdout)
		case "call":
			return runCall(ctx, args[1:], stdout, stderr)
		}
	}
	cfg, err := parseConfig(args, osGetenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.showVersion {
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	if len(cfg.args) > 0 {
		sub := cfg.args[0]
		if !slices.Contains(subcommands, sub) {
			return fmt.Errorf("unexpected argument %q (subcommands: %s; registry-mcp -h shows the usage)", sub, strings.Join(subcommands, ", "))
		}
		// Flags before the subcommand count as if given after it:
		// registry-mcp -toolsets registry call TOOL ... is call -toolsets registry TOOL ...
		flags := slices.Clone(args[:len(args)-len(cfg.args)])
		return run(ctx, slices.Concat([]string{sub}, flags, cfg.args[1:]), stdout, stderr)
	}
	authenticated := cfg.authToken != "" || cfg.oauthIssuer != ""
	if cfg.transport == "http" && !server.IsLoopbackAddr(cfg.host) && !authenticated && !cfg.allowUnauthenticated {
		return fmt.Errorf("refusing to serve on %s without authentication: set MCP_AUTH_TOKEN (or -oauth-issuer and -oauth-audience), bind 127.0.0.1, or pass -allow-unauthenticated", cfg.host)
	}
	log := newLogger(cfg, stderr)
	srvCfg, stop, err := buildServer(cfg, log, stderr)
	if err != nil {
		return err
	}
	defer stop()
	s := server.New(srvCfg)
	if osGetenv("GOGC") == "" && osGetenv("GOMEMLIMIT") == "" {
		server.TuneGC()
	}
	if cfg.transport == "stdio" {
		log.Info("serving MCP over stdio", "version", srvCfg.Version)
		return server.RunStdio(ctx, s)
	}
	addr := net.JoinHostPort(cfg.host, strconv.Itoa(cfg.port))
	h := server.Handler(srvCfg, s, server.IsLoopbackAddr(cfg.host))
	return server.ServeHTTP(ctx, addr, h, log, func(a net.Addr) {
		// Building the tools' schemas leaves a few MiB of garbage that the
		// runtime would keep mapped until the heap next grows; an idle
		// replica need not hold it.
		go debug.FreeOSMemory()
		log.Info("serving MCP", "streamable_http", "http://"+a.String()+"/mcp", "sse", "http://"+a.String()+"/sse", "version", srvCfg.Version)
		if cfg.demo {
			printConnect(stderr, "http://"+a.String())
		}
	})
}

// buildServer turns the configuration into the server's, starting the demo
// registry when asked; stop releases what it started.
func buildServer(cfg *config, log *slog.Logger, stderr io.Writer) (server.Config, func(), error) {
	stop, note := func() {}, ""
	if cfg.demo {
		host, demoNote, stopDemo, err := startDemo(stderr, cfg.demoPort)
		if err != nil {
			return server.Config{}, nil, fmt.Errorf("demo registry: %w", err)
		}
		note = demoNote
		osvURL, trustNote, stopOSV, err := startTrustDemo(host, stderr)
		if err != nil {
			stopDemo()
			return server.Config{}, nil, fmt.Errorf("demo trust images: %w", err)
		}
		stop, note = func() { stopOSV(); stopDemo() }, note+trustNote
		if !cfg.vulnSourceSet {
			cfg.vulnSource = osvURL
		}
		cfg.insecure = append(cfg.insecure, host)
		if len(cfg.allowRegistries) > 0 {
			cfg.allowRegistries = append(cfg.allowRegistries, host)
		}
	}
	srvCfg := server.Config{
		Version: moduleVersion(),
		Tools:   tools.Options{Toolsets: cfg.toolsets, Tools: cfg.tools, ReadOnly: cfg.readOnly},
		Deps: tools.Deps{Registry: newRegistryClient(cfg, log), Hub: newHubClient(cfg, log), OSV: newVulnClient(cfg, log),
			Sigstore: signature.NewRoots(cfg.sigstoreTrustedRoot), Logger: log},
		Logger:    log,
		AuthToken: cfg.authToken,
		Note:      note,
		Limits:    cfg.limits(),
	}
	if cfg.oauthIssuer != "" {
		srvCfg.OAuth = &server.OAuthConfig{Issuer: cfg.oauthIssuer, Audience: cfg.oauthAudience}
	}
	return srvCfg, stop, nil
}

// newRegistryClient binds env credentials to their one registry and falls
// back to the Docker config, credential helpers and podman's auth file.
func newRegistryClient(cfg *config, log *slog.Logger) *oci.Client {
	static := oci.StaticCredentials{Registry: cfg.ociRegistry, Username: cfg.ociUsername, Password: cfg.ociPassword, Token: cfg.ociToken}
	if !static.Empty() {
		log.Info("registry credentials from the environment are bound to one host", "host", oci.CanonicalHost(cfg.ociRegistry))
	}
	return oci.New(oci.Options{
		Shared:   cfg.sharedCache(log),
		Keychain: oci.Keychain(static, authn.DefaultKeychain),
		Insecure: cfg.insecure,
		Timeout:  cfg.timeout,
		TagTTL:   cfg.cacheTTL,
		Policy:   oci.Policy{Allow: cfg.allowRegistries, Deny: cfg.denyRegistries, DenyPrivate: cfg.denyPrivate},
		Logger:   log,
	})
}

// sharedCache connects (lazily) to the Redis both clients share, once.
func (c *config) sharedCache(log *slog.Logger) oci.SharedCache {
	c.sharedOnce.Do(func() {
		if c.cacheRedis == "" {
			return
		}
		// Checked by parseConfig; Redis itself is reached lazily, so an
		// outage at start-up is a warning on first use, not a failure.
		if rc, err := oci.NewRedisCache(c.cacheRedis); err == nil {
			log.Info("sharing the registry and Docker Hub caches through Redis", "redis", rc.Addr())
			c.shared = rc
		}
	})
	return c.shared
}

// newLogger logs at cfg.logLevel (checked by parseConfig), info when unset.
func newLogger(cfg *config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(firstNonEmpty(cfg.logLevel, "info"))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.transport == "http" && !isTerminal(w) {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// moduleVersion is the version to report: the one set with -ldflags at
// release time, else the module version Go records when the binary is built
// with go install module@version, else "dev".
func moduleVersion() string {
	info, _ := debug.ReadBuildInfo()
	return pickVersion(version, info)
}

func pickVersion(ldflags string, info *debug.BuildInfo) string {
	if ldflags != "" && ldflags != "dev" {
		return ldflags
	}
	if info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return firstNonEmpty(ldflags, "dev")
}

func versionString() string {
	c, d := commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				c = firstNonEmpty(c, s.Value)
			case "vcs.time":
				d = firstNonEmpty(d, s.Value)
			}
		}
	}
	return fmt.Sprintf("registry-mcp %s (commit %s, built %s)", moduleVersion(), firstNonEmpty(c, "unknown"), firstNonEmpty(d, "unknown"))
}

func printTools(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTOOLSET\tREAD-ONLY\tDESCRIPTION")
	for _, t := range tools.List(tools.Options{}) {
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\n", t.Name, t.Toolset, t.ReadOnly, t.Description)
	}
	return tw.Flush()
}

// newVulnClient is the OSV client; the URL was checked by parseConfig.
func newVulnClient(cfg *config, log *slog.Logger) *osv.Client {
	c, err := osv.New(osv.Options{BaseURL: cfg.vulnSource, Timeout: cfg.timeout, Logger: log})
	if err != nil {
		log.Error("vulnerability source", "error", err)
		return nil
	}
	return c
}
