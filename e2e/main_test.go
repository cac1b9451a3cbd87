//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

var (
	// binary is the registry-mcp executable under test.
	binary string
	// reg is what was pushed to the docker-registry process.
	reg *pushed
)

// pushed names the fixtures in the docker-registry, with the digests that
// the tools must report.
type pushed struct {
	Host string

	App          string // single-platform linux/amd64 image, repo:tag
	AppDigest    string
	AppConfig    string // config digest
	AppPullSize  int64  // config + compressed layers
	AppLayers    int
	Multi        string // index of three platforms plus an attestation manifest
	MultiDigest  string
	MultiByPlat  map[string]string // "os/arch[/variant]" → image manifest digest
	ARM64Only    string
	ARM64Digest  string
	TagsRepo     string
	Tags         []string
	TagsSemverHi string // the highest semver tag
}

func (p *pushed) ref(repoTag string) string { return p.Host + "/" + repoTag }

func TestMain(m *testing.M) {
	binary = os.Getenv("E2E_BINARY")
	host := os.Getenv("E2E_REGISTRY")
	if binary == "" || host == "" {
		fmt.Fprintln(os.Stderr, "e2e: E2E_BINARY and E2E_REGISTRY are not set; run the end-to-end tests with scripts/e2e.sh (make e2e)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	p, err := push(ctx, host)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: pushing fixtures to", host+":", err)
		os.Exit(1)
	}
	reg = p
	os.Exit(m.Run())
}

// push writes the fixtures to the registry at host with go-containerregistry,
// as any client would.
func push(ctx context.Context, host string) (*pushed, error) {
	p := &pushed{Host: host, MultiByPlat: map[string]string{}}
	write := func(repoTag string, t remote.Taggable) error {
		ref, err := name.ParseReference(host+"/"+repoTag, name.Insecure)
		if err != nil {
			return err
		}
		switch v := t.(type) {
		case v1.ImageIndex:
			return remote.WriteIndex(ref, v, remote.WithContext(ctx))
		case v1.Image:
			return remote.Write(ref, v, remote.WithContext(ctx))
		}
		return fmt.Errorf("cannot push %T", t)
	}

	app, err := registrytest.Image(registrytest.ImageSpec{
		OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{
			registrytest.Layer(registrytest.File{Path: "etc/", Dir: true}, registrytest.File{Path: "etc/os-release", Content: "ID=e2e\n"}),
			registrytest.Layer(registrytest.File{Path: "app/", Dir: true}, registrytest.File{Path: "app/server", Content: "e2e binary", Mode: 0o755}),
		},
		CreatedBy:  []string{"/bin/sh -c #(nop) ADD file:e2e in / ", "COPY server /app/server # buildkit"},
		EmptySteps: []string{`/bin/sh -c #(nop)  ENTRYPOINT ["/app/server"]`},
		Config: v1.Config{
			Env:        []string{"PATH=/usr/bin:/bin", "E2E=1"},
			Entrypoint: []string{"/app/server"},
			Cmd:        []string{"--serve"},
			WorkingDir: "/app",
			User:       "65532",
			Labels:     map[string]string{"org.opencontainers.image.title": "e2e-app"},
		},
	})
	if err != nil {
		return nil, err
	}
	p.App = "e2e/app:1.0"
	if err := write(p.App, app); err != nil {
		return nil, fmt.Errorf("push %s: %w", p.App, err)
	}
	if err := write("e2e/app:latest", app); err != nil {
		return nil, err
	}
	d, err := app.Digest()
	if err != nil {
		return nil, err
	}
	p.AppDigest = d.String()
	cd, err := app.ConfigName()
	if err != nil {
		return nil, err
	}
	p.AppConfig = cd.String()
	mf, err := app.Manifest()
	if err != nil {
		return nil, err
	}
	p.AppPullSize, p.AppLayers = mf.Config.Size, len(mf.Layers)
	for _, l := range mf.Layers {
		p.AppPullSize += l.Size
	}

	var imgs []v1.Image
	for _, pl := range [][3]string{{"linux", "amd64", ""}, {"linux", "arm64", "v8"}, {"linux", "arm", "v7"}} {
		img, err := registrytest.PlatformImage(pl[0], pl[1], pl[2])
		if err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		key := pl[0] + "/" + pl[1]
		if pl[2] != "" {
			key += "/" + pl[2]
		}
		p.MultiByPlat[key] = d.String()
		imgs = append(imgs, img)
	}
	idx, err := registrytest.IndexOf(true, imgs...)
	if err != nil {
		return nil, err
	}
	p.Multi = "e2e/multi:1.0"
	if err := write(p.Multi, idx); err != nil {
		return nil, fmt.Errorf("push %s: %w", p.Multi, err)
	}
	id, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	p.MultiDigest = id.String()

	arm, err := registrytest.PlatformImage("linux", "arm64", "")
	if err != nil {
		return nil, err
	}
	armIdx, err := registrytest.IndexOf(false, arm)
	if err != nil {
		return nil, err
	}
	p.ARM64Only = "e2e/arm64-only:1.0"
	if err := write(p.ARM64Only, armIdx); err != nil {
		return nil, fmt.Errorf("push %s: %w", p.ARM64Only, err)
	}
	ad, err := arm.Digest()
	if err != nil {
		return nil, err
	}
	p.ARM64Digest = ad.String()

	small, err := registrytest.PlatformImage("linux", "amd64", "")
	if err != nil {
		return nil, err
	}
	p.TagsRepo = "e2e/tags"
	p.Tags = []string{"1.0.0", "1.2.0", "1.10.0", "v2.0.0", "2.1.0-rc.1", "2.0.1", "latest", "edge", "1.2.0-alpine"}
	p.TagsSemverHi = "2.1.0-rc.1"
	for _, tag := range p.Tags {
		if err := write(p.TagsRepo+":"+tag, small); err != nil {
			return nil, fmt.Errorf("push %s:%s: %w", p.TagsRepo, tag, err)
		}
	}
	return p, nil
}
