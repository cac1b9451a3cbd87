package registrytest

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/demo"
)

// The sample images are built by internal/demo, which -demo links into the
// serving binary; these names keep the tests' vocabulary.
type (
	// Fixtures names what Seed pushed.
	Fixtures = demo.Fixtures
	// SupplyFixtures are the supply-chain and filesystem images.
	SupplyFixtures = demo.SupplyFixtures
	// File is one entry of a sample layer.
	File = demo.File
	// ImageSpec describes a sample image.
	ImageSpec = demo.ImageSpec
)

// Fixed values the sample images carry.
const (
	BigFileSize    = demo.BigFileSize
	SignerIdentity = demo.SignerIdentity
	SignerIssuer   = demo.SignerIssuer
	SourceRepo     = demo.SourceRepo
	SourceCommit   = demo.SourceCommit
)

// Builders and contents of the sample images.
var (
	Created       = demo.Created
	BigText       = demo.BigText()
	Layer         = demo.Layer
	Image         = demo.Image
	PlatformImage = demo.PlatformImage
	IndexOf       = demo.IndexOf
)

// Seed pushes the demo's sample images and the big one the read-cap tests
// need, then turns on authentication if the registry was started with it
// and zeroes the request counts.
func Seed(r *Registry) (*Fixtures, error) {
	f, err := demo.Seed(r.target(), append(demo.DefaultSteps(), demo.SeedBig)...)
	if err != nil {
		return nil, err
	}
	r.EnableAuth()
	r.Reset()
	return f, nil
}

func (r *Registry) target() demo.Target { return demo.Target{Host: r.Host} }

// PushImage writes an image under repo:tag.
func (r *Registry) PushImage(repo, tag string, img v1.Image) error {
	return r.target().PushImage(repo, tag, img)
}

// PushIndex writes an index under repo:tag.
func (r *Registry) PushIndex(repo, tag string, idx v1.ImageIndex) error {
	return r.target().PushIndex(repo, tag, idx)
}
