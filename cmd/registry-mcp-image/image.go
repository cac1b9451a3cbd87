package main

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's fixed metadata. The Dockerfile carries the same values, and a
// test keeps the two in step.
const (
	// serverName is registry-mcp's name in the official MCP registry
	// (server.json). The registry verifies that an OCI package is the
	// publisher's by reading this label from the image config.
	serverName  = "io.github.registry-mcp/registry-mcp"
	repoURL     = "https://github.com/registry-mcp/registry-mcp"
	description = "MCP server for OCI registries and the Docker Hub API"

	binaryPath = "/registry-mcp"
	// nonroot is distroless's unprivileged user and group; using the same
	// number keeps volume permissions the same whichever way the image was
	// built.
	nonroot = 65532
	home    = "/home/nonroot"
)

var (
	entrypoint = []string{binaryPath}
	// cmd makes a bare `docker run -i` an MCP server over stdio, which is
	// how MCP clients and ToolHive start an image.
	cmd = []string{"-transport", "stdio"}
)

// labels are the image config labels, also used as the index's annotations.
func labels(version, commit string, created time.Time) map[string]string {
	l := map[string]string{
		"io.modelcontextprotocol.server.name":    serverName,
		"org.opencontainers.image.title":         "registry-mcp",
		"org.opencontainers.image.description":   description,
		"org.opencontainers.image.source":        repoURL,
		"org.opencontainers.image.url":           repoURL,
		"org.opencontainers.image.documentation": repoURL + "/tree/main/docs/install",
		"org.opencontainers.image.version":       version,
		"org.opencontainers.image.revision":      commit,
		"org.opencontainers.image.created":       created.Format(time.RFC3339),
	}
	if commit == "" {
		delete(l, "org.opencontainers.image.revision")
	}
	return l
}

// build writes the layout and returns the digest of its image index.
func build(ctx context.Context, o options, log io.Writer) (v1.Hash, error) {
	var ca []byte
	if o.caCerts != "" {
		var err error
		if ca, err = os.ReadFile(o.caCerts); err != nil {
			return v1.Hash{}, fmt.Errorf("reading the CA bundle (registry-mcp needs it for TLS; -ca-certs picks another file): %w", err)
		}
	}
	base, err := baseLayer(ca, o.created)
	if err != nil {
		return v1.Hash{}, err
	}
	tmp, err := os.MkdirTemp("", "registry-mcp-image-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.RemoveAll(tmp)

	var adds []mutate.IndexAddendum
	for _, p := range o.platforms {
		path := o.binaries[p]
		if path == "" {
			fmt.Fprintf(log, "building %s for %s\n", o.pkg, p)
			if path, err = goBuild(ctx, o, p, tmp); err != nil {
				return v1.Hash{}, err
			}
		}
		bin, err := os.ReadFile(path)
		if err != nil {
			return v1.Hash{}, err
		}
		if err := checkBinary(bin, p); err != nil {
			return v1.Hash{}, fmt.Errorf("%s: %w", path, err)
		}
		img, err := platformImage(base, bin, p, o)
		if err != nil {
			return v1.Hash{}, fmt.Errorf("image for %s: %w", p, err)
		}
		adds = append(adds, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.os, Architecture: p.arch, Variant: p.variant}},
		})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	idx, ok := mutate.Annotations(idx, labels(o.version, o.commit, o.created)).(v1.ImageIndex)
	if !ok {
		return v1.Hash{}, errors.New("annotating the index did not return an index")
	}
	if err := writeLayout(o.out, idx, o.version); err != nil {
		return v1.Hash{}, err
	}
	return idx.Digest()
}

// safeValue keeps -ldflags unambiguous: go splits it on spaces, so a value
// with one could smuggle in linker flags of its own.
var safeValue = regexp.MustCompile(`^[A-Za-z0-9._+:-]*$`)

// goBuild cross-compiles o.pkg for p into dir, the way `make build` does,
// with the version stamped in.
func goBuild(ctx context.Context, o options, p platform, dir string) (string, error) {
	date := o.created.Format(time.RFC3339)
	for _, v := range []string{o.version, o.commit} {
		if !safeValue.MatchString(v) {
			return "", fmt.Errorf("%q: version and commit may hold only letters, digits and . _ + : -", v)
		}
	}
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.os, "GOARCH="+p.arch)
	switch {
	case p.variant == "":
	case p.arch == "arm":
		env = append(env, "GOARM="+strings.TrimPrefix(p.variant, "v"))
	case p.arch == "amd64":
		env = append(env, "GOAMD64="+p.variant)
	case p.arch == "arm64" && p.variant == "v8":
	default:
		return "", fmt.Errorf("platform %s: no Go setting for variant %q", p, p.variant)
	}
	out := filepath.Join(dir, strings.ReplaceAll(p.String(), "/", "-"), "registry-mcp")
	ldflags := fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s -X main.date=%s", o.version, o.commit, date)
	c := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, o.pkg)
	c.Env = env
	var stderr bytes.Buffer
	c.Stdout, c.Stderr = &stderr, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("go build %s for %s: %w\n%s", o.pkg, p, err, stderr.String())
	}
	return out, nil
}

// elfMachines maps GOARCH to the ELF machine a Linux binary must be built for.
var elfMachines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM, "386": elf.EM_386,
	"ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV,
}

// checkBinary refuses a binary that could not run in the image: one for
// another architecture (an easy slip with -binary), or a dynamically linked
// one, since the image has no C library.
func checkBinary(bin []byte, p platform) error {
	if p.os != "linux" {
		return nil
	}
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("not a Linux (ELF) executable: %w", err)
	}
	defer f.Close()
	if want, ok := elfMachines[p.arch]; ok && f.Machine != want {
		return fmt.Errorf("built for %s, not %s (%s)", f.Machine, p.arch, want)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return errors.New("dynamically linked, and the image has no C library: build it with CGO_ENABLED=0")
		}
	}
	return nil
}

// file is one entry of a layer.
type file struct {
	path     string // relative to /, directories end in /
	mode     int64
	uid, gid int
	body     []byte
}

// tarLayer makes a layer whose every entry carries mtime, so that a fixed
// date gives a byte-identical layer.
func tarLayer(files []file, mtime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.path, Mode: f.mode, Uid: f.uid, Gid: f.gid, ModTime: mtime, Format: tar.FormatPAX}
		if strings.HasSuffix(f.path, "/") {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// baseLayer holds what a distroless base would: the user database with the
// nonroot user, its home, a writable /tmp and the CA bundle. It is the same
// for every platform, so a registry stores it once.
func baseLayer(ca []byte, mtime time.Time) (v1.Layer, error) {
	files := []file{
		{path: "etc/", mode: 0o755},
		{path: "etc/passwd", mode: 0o644, body: []byte(fmt.Sprintf(
			"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", nonroot, nonroot, home))},
		{path: "etc/group", mode: 0o644, body: []byte(fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", nonroot))},
	}
	if ca != nil {
		files = append(files,
			file{path: "etc/ssl/", mode: 0o755},
			file{path: "etc/ssl/certs/", mode: 0o755},
			file{path: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, body: ca})
	}
	files = append(files,
		file{path: "home/", mode: 0o755},
		file{path: strings.TrimPrefix(home, "/") + "/", mode: 0o700, uid: nonroot, gid: nonroot},
		file{path: "tmp/", mode: 0o1777})
	return tarLayer(files, mtime)
}

// platformImage is one platform's image: the base layer, the binary layer,
// and a config that runs the binary as nonroot.
func platformImage(base v1.Layer, bin []byte, p platform, o options) (v1.Image, error) {
	binLayer, err := tarLayer([]file{{path: strings.TrimPrefix(binaryPath, "/"), mode: 0o755, body: bin}}, o.created)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: o.created}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{Created: created, Comment: "registry-mcp-image",
			CreatedBy: "ADD /etc/passwd /etc/group /etc/ssl/certs/ca-certificates.crt /home/nonroot /tmp"}},
		mutate.Addendum{Layer: binLayer, History: v1.History{Created: created, Comment: "registry-mcp-image",
			CreatedBy: "COPY registry-mcp " + binaryPath}},
	)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant, cf.Created = p.os, p.arch, p.variant, created
	user := fmt.Sprintf("%d:%d", nonroot, nonroot)
	cf.Config = v1.Config{
		Entrypoint: entrypoint,
		Cmd:        cmd,
		User:       user,
		// No WorkingDir: a 0700 home would stop the container from starting
		// when it is run as another user (Kubernetes runAsUser, OpenShift).
		Env: []string{
			"PATH=/",
			// Where registry-mcp looks for ~/.docker/config.json.
			"HOME=" + home,
			"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
		},
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Labels:       labels(o.version, o.commit, o.created),
	}
	// Empty-layer history steps, as a Dockerfile build records them, so that
	// tools reconstructing the build (get_image_details) show the config.
	for _, step := range []string{
		"USER " + user,
		"EXPOSE 8080/tcp",
		`ENTRYPOINT ["` + binaryPath + `"]`,
		`CMD ["` + strings.Join(cmd, `", "`) + `"]`,
	} {
		cf.History = append(cf.History, v1.History{Created: created, CreatedBy: step, Comment: "registry-mcp-image", EmptyLayer: true})
	}
	return mutate.ConfigFile(img, cf)
}

// writeLayout writes idx as the single entry of a new OCI layout at out,
// named refName. It writes beside out and renames, so an interrupted run
// leaves the previous layout intact; it replaces only an OCI layout or an
// empty directory, never other files.
func writeLayout(out string, idx v1.ImageIndex, refName string) error {
	if fi, err := os.Stat(out); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s exists and is not a directory", out)
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(out, "oci-layout")); len(entries) > 0 && err != nil {
			return fmt.Errorf("%s holds files and is not an OCI layout; refusing to replace it (pick another -out)", out)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil { //nolint:gosec // build output, like bin/ and dist/
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": refName})); err != nil {
		return fmt.Errorf("writing the layout: %w", err)
	}
	// The layout package writes blobs 0600 (temporary files renamed); a
	// layout is meant to be read by other users and tools, as a docker build
	// output is.
	err = filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o755) //nolint:gosec // see above
		}
		return os.Chmod(p, 0o644) //nolint:gosec // see above
	})
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
