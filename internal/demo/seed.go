package demo

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Fixtures names what Seed pushed, with the digests tests compare against.
type Fixtures struct {
	Host string

	// App is a single-platform linux/amd64 image with a full runtime config.
	App       string // repo:tag
	AppDigest string
	AppImage  v1.Image

	// Multi is an index of linux/amd64, linux/arm64/v8 and linux/arm/v7 plus an attestation manifest.
	Multi       string
	MultiDigest string
	MultiIndex  v1.ImageIndex

	// ARM64Only is an index whose only platform is linux/arm64.
	ARM64Only string

	// TagsRepo holds many tags (TagNames) of one small image.
	TagsRepo string
	TagNames []string

	// Supply holds the signed, layered and big images (seed_supply.go).
	Supply SupplyFixtures
}

// Ref prefixes a repo:tag with the registry host.
func (f *Fixtures) Ref(repoTag string) string { return f.Host + "/" + repoTag }

// Step pushes one group of sample images and names them in Fixtures.
type Step func(Target, *Fixtures) error

// DefaultSteps are the sample images of -demo, in the order Seed pushes
// them; a step may use what an earlier one recorded (AppNext reuses App's
// layers). To add sample images, write a Step beside the others, name its
// images in Fixtures, and append it here.
func DefaultSteps() []Step {
	return []Step{seedApp, seedMulti, seedARM64Only, seedTags, seedLayered, seedAppNext, seedSigned, seedRateLimit}
}

// Seed pushes the sample images of steps, DefaultSteps when none are
// given, to t.
func Seed(t Target, steps ...Step) (*Fixtures, error) {
	if len(steps) == 0 {
		steps = DefaultSteps()
	}
	f := &Fixtures{Host: t.Host}
	for _, step := range steps {
		if err := step(t, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func seedApp(r Target, f *Fixtures) error {
	img, err := Image(ImageSpec{
		OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{
			Layer(File{Path: "bin/", Dir: true}, File{Path: "bin/sh", Content: "#!shell\n", Mode: 0o755}, File{Path: "etc/", Dir: true}, File{Path: "etc/os-release", Content: "ID=demo\nVERSION_ID=1.0\nPRETTY_NAME=\"Demo Linux 1.0\"\n"}),
			Layer(File{Path: "app/", Dir: true}, File{Path: "app/server", Content: "binary\x00\x01\x02", Mode: 0o755}, File{Path: "app/config.yaml", Content: "port: 8080\n"}),
			Layer(File{Path: "app/static/", Dir: true}, File{Path: "app/static/index.html", Content: "<h1>hello</h1>\n"}),
		},
		CreatedBy: []string{
			"/bin/sh -c #(nop) ADD file:4b1e0a9d in / ",
			"|1 VERSION=1.0 /bin/sh -c mkdir /app && cp server /app/server",
			"COPY static /app/static # buildkit",
		},
		EmptySteps: []string{
			`/bin/sh -c #(nop)  ENV APP_ENV=production`,
			`/bin/sh -c #(nop)  EXPOSE 8080/tcp`,
			`/bin/sh -c #(nop)  ENTRYPOINT ["/app/server"]`,
		},
		Config: v1.Config{
			Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=production"},
			Entrypoint:   []string{"/app/server"},
			Cmd:          []string{"--port", "8080"},
			WorkingDir:   "/app",
			User:         "1000:1000",
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
			Labels: map[string]string{
				"org.opencontainers.image.source":  "https://github.com/example/demo",
				"org.opencontainers.image.version": "1.0",
			},
		},
	})
	if err != nil {
		return err
	}
	f.App, f.AppImage = "demo/app:1.0", img
	d, err := img.Digest()
	if err != nil {
		return err
	}
	f.AppDigest = d.String()
	if err := r.PushImage("demo/app", "1.0", img); err != nil {
		return err
	}
	return r.PushImage("demo/app", "latest", img)
}

func seedMulti(r Target, f *Fixtures) error {
	var imgs []v1.Image
	for _, p := range [][3]string{{"linux", "amd64", ""}, {"linux", "arm64", "v8"}, {"linux", "arm", "v7"}} {
		img, err := PlatformImage(p[0], p[1], p[2])
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	idx, err := IndexOf(true, imgs...)
	if err != nil {
		return err
	}
	d, err := idx.Digest()
	if err != nil {
		return err
	}
	f.Multi, f.MultiDigest, f.MultiIndex = "demo/multi:1.0", d.String(), idx
	return r.PushIndex("demo/multi", "1.0", idx)
}

func seedARM64Only(r Target, f *Fixtures) error {
	img, err := PlatformImage("linux", "arm64", "")
	if err != nil {
		return err
	}
	idx, err := IndexOf(true, img)
	if err != nil {
		return err
	}
	f.ARM64Only = "demo/arm64-only:1.0"
	return r.PushIndex("demo/arm64-only", "1.0", idx)
}

func seedTags(r Target, f *Fixtures) error {
	img, err := PlatformImage("linux", "amd64", "")
	if err != nil {
		return err
	}
	for major := 1; major <= 3; major++ {
		for minor := 0; minor <= 9; minor++ {
			for patch := 0; patch <= 8; patch++ {
				f.TagNames = append(f.TagNames, fmt.Sprintf("%d.%d.%d", major, minor, patch))
			}
		}
	}
	f.TagNames = append(f.TagNames, "latest", "edge", "nightly", "v4.0.0", "4.0.0-rc.1", "4.0.0-beta.2", "2.5", "1.0-alpine", "3.9.8-alpine")
	f.TagsRepo = "demo/tags"
	if err := r.PushImage(f.TagsRepo, f.TagNames[0], img); err != nil {
		return err
	}
	for _, tag := range f.TagNames[1:] {
		if err := r.PushImage(f.TagsRepo, tag, img); err != nil {
			return err
		}
	}
	return nil
}
