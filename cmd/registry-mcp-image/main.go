// Command registry-mcp-image builds registry-mcp's container image as an OCI
// image layout directory, with no container engine and no network: it
// cross-compiles the static binary for each platform (or takes a prebuilt
// one), puts it on a two-layer root filesystem of its own, and writes a
// multi-platform index with go-containerregistry.
//
// The image matches the Dockerfile's: /registry-mcp as the entrypoint,
// "-transport stdio" as the default command, user 65532:65532, the same OCI
// labels (including io.modelcontextprotocol.server.name, which the official
// MCP registry checks to verify ownership). No base image is pulled, so the
// files a base image would bring are written here: /etc/passwd and
// /etc/group naming the nonroot user, a home directory, /tmp, and the build
// machine's CA bundle (registry-mcp talks TLS to registries).
//
//	go run ./cmd/registry-mcp-image -out dist/image-layout -version 1.2.3
//	crane push dist/image-layout ghcr.io/registry-mcp/registry-mcp:1.2.3
//
// The layout's index.json holds one entry, the image index, annotated with
// org.opencontainers.image.ref.name=<version>, which is what crane, skopeo
// (oci:dist/image-layout:<version>) and oras expect.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "registry-mcp-image:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args, os.Getenv, time.Now, stderr)
	if err != nil {
		return err
	}
	digest, err := build(ctx, o, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: index %s (%s), ref name %q\n", o.out, digest, platformList(o.platforms), o.version)
	return nil
}

// options is the parsed command line.
type options struct {
	out       string
	version   string
	commit    string
	created   time.Time
	platforms []platform
	binaries  map[platform]string // prebuilt binaries; the other platforms are built
	pkg       string              // the Go package to build
	caCerts   string              // CA bundle to copy into the image; "" for none
}

// platform is an os/arch[/variant] triple, usable as a map key.
type platform struct{ os, arch, variant string }

func (p platform) String() string {
	s := p.os + "/" + p.arch
	if p.variant != "" {
		s += "/" + p.variant
	}
	return s
}

func parsePlatform(s string) (platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return platform{}, fmt.Errorf("platform %q: want os/arch[/variant], as in linux/arm64", s)
	}
	p := platform{os: parts[0], arch: parts[1]}
	if len(parts) == 3 {
		p.variant = parts[2]
	}
	return p, nil
}

func platformList(ps []platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// binaryFlags collects repeated -binary os/arch=path values.
type binaryFlags map[platform]string

func (b binaryFlags) String() string { return "" }

func (b binaryFlags) Set(v string) error {
	plat, path, ok := strings.Cut(v, "=")
	if !ok || path == "" {
		return fmt.Errorf("%q: want os/arch=path", v)
	}
	p, err := parsePlatform(plat)
	if err != nil {
		return err
	}
	b[p] = path
	return nil
}

const defaultCACerts = "/etc/ssl/certs/ca-certificates.crt"

func parseFlags(args []string, getenv func(string) string, now func() time.Time, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("registry-mcp-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{binaries: binaryFlags{}}
	fs.StringVar(&o.out, "out", "dist/image-layout", "directory to write the OCI image layout to (an existing layout there is replaced)")
	fs.StringVar(&o.version, "version", "dev", "version: set in the binary (main.version), the image's labels and the layout's ref name")
	fs.StringVar(&o.commit, "commit", "", "commit: set in the binary (main.commit) and the org.opencontainers.image.revision label")
	date := fs.String("date", "", "build date, RFC 3339 (default: $SOURCE_DATE_EPOCH, else now); also every file's mtime, so a fixed date gives the same digests")
	plats := fs.String("platforms", "linux/amd64,linux/arm64", "comma list of os/arch[/variant] to build")
	fs.Var(binaryFlags(o.binaries), "binary", "os/arch=path: use this prebuilt static binary for that platform instead of building it (repeatable)")
	fs.StringVar(&o.pkg, "pkg", "github.com/registry-mcp/registry-mcp/cmd/registry-mcp", "Go package to build")
	fs.StringVar(&o.caCerts, "ca-certs", defaultCACerts, `CA bundle copied to `+defaultCACerts+` in the image ("" for none)`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: registry-mcp-image [flags]\n\nBuilds registry-mcp's multi-platform image as an OCI image layout, without a container engine.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.out == "" {
		return o, errors.New("-out is empty")
	}
	if o.version == "" {
		return o, errors.New("-version is empty")
	}
	seen := map[platform]bool{}
	for _, s := range strings.Split(*plats, ",") {
		p, err := parsePlatform(strings.TrimSpace(s))
		if err != nil {
			return o, err
		}
		if seen[p] {
			return o, fmt.Errorf("platform %s listed twice", p)
		}
		seen[p] = true
		o.platforms = append(o.platforms, p)
	}
	for p := range o.binaries {
		if !seen[p] {
			return o, fmt.Errorf("-binary %s: platform not in -platforms (%s)", p, *plats)
		}
	}
	var err error
	o.created, err = buildDate(*date, getenv("SOURCE_DATE_EPOCH"), now)
	return o, err
}

// buildDate picks the image's creation time. SOURCE_DATE_EPOCH is the
// reproducible-builds convention that release tooling sets.
func buildDate(flagValue, epoch string, now func() time.Time) (time.Time, error) {
	switch {
	case flagValue != "":
		t, err := time.Parse(time.RFC3339, flagValue)
		if err != nil {
			return t, fmt.Errorf("-date %q: want RFC 3339, as in 2026-01-02T03:04:05Z", flagValue)
		}
		return t.UTC(), nil
	case epoch != "":
		n, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", epoch)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return now().UTC().Truncate(time.Second), nil
}
