package tools_test

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// callErr calls a tool that must fail and returns the message the model sees.
func (e *env) callErr(t *testing.T, name string, args map[string]any) string {
	t.Helper()
	res := e.call(t, name, args)
	if !res.IsError {
		t.Fatalf("%s %v: want a tool error, got %s", name, args, registrytest.Text(res))
	}
	return registrytest.Text(res)
}

func wantNone(t *testing.T, what, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(msg, p) {
			t.Errorf("%s: %q says %q, which does not apply", what, msg, p)
		}
	}
}

// TestCredentialAdviceTellsWrongFromMissing: a wrong password and
// credentials bound to another registry each get their own advice.
func TestCredentialAdviceTellsWrongFromMissing(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{TokenAuth: true, Users: map[string]string{"alice": "right"}})
	reg.EnableAuth()
	ref := map[string]any{"image_ref": fx.Ref(fx.App)}
	tests := []struct {
		name   string
		static oci.StaticCredentials
		want   []string
		not    []string
	}{
		{"wrong password", oci.StaticCredentials{Registry: reg.Host, Username: "alice", Password: "wrong"},
			[]string{"unauthorized", "rejected the credentials from OCI_USERNAME for " + reg.Host}, []string{"may be private"}},
		{"bound to another host", oci.StaticCredentials{Registry: "ghcr.io", Username: "alice", Password: "right"},
			[]string{"unauthorized", "credentials are configured for ghcr.io, not this registry"}, []string{"rejected the credentials"}},
		{"none", oci.StaticCredentials{},
			[]string{"unauthorized", "OCI_USERNAME and OCI_PASSWORD"}, []string{"rejected the credentials", "configured for"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &env{reg: reg, fx: fx, cs: connect(t, oci.New(oci.Options{Keychain: oci.Keychain(tt.static, nil)}), nil)}
			msg := e.callErr(t, "get_image_info", ref)
			wantAll(t, tt.name, msg, tt.want...)
			wantNone(t, tt.name, msg, append(tt.not, "wrong", "right")...)
		})
	}
}

// TestAdviceOnlyWhereItApplies: no "check the repository and tag" once the
// image was found, and no -insecure-registry for a network that failed.
func TestAdviceOnlyWhereItApplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	loop, err := registrytest.Image(registrytest.ImageSpec{
		OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{registrytest.Layer(registrytest.File{Path: "a", Linkname: "b"}, registrytest.File{Path: "b", Linkname: "a"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.reg.PushImage("demo/loop", "1", loop); err != nil {
		t.Fatal(err)
	}
	imageAdvice := []string{"list_tags", "library/<name>"}
	tests := []struct {
		name, tool string
		args       map[string]any
		want, not  []string
	}{
		{"file not in an image that exists", "read_image_file", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "path": "/nowhere"},
			[]string{"/nowhere is not in the image"}, imageAdvice},
		{"symbolic link loop", "read_image_file", map[string]any{"image_ref": e.fx.Ref("demo/loop:1"), "path": "/a"},
			[]string{"symbolic links"}, imageAdvice},
		{"not a referrer", "get_referrer_content", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "digest": e.fx.Supply.Referrers["sbom"]},
			[]string{"is not a referrer of"}, imageAdvice},
		{"refused loopback connection", "get_image_info", map[string]any{"image_ref": "127.0.0.1:1/team/app:1"},
			[]string{"cannot connect to 127.0.0.1:1", "Check the port"}, []string{"-insecure-registry"}},
		{"unresolvable host", "get_image_info", map[string]any{"image_ref": "no-such-registry.invalid/team/app:1"},
			[]string{"cannot resolve no-such-registry.invalid", "host name"}, []string{"-insecure-registry"}},
		{"a platform the index lacks", "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.Multi), "platform": "linux/s390x"},
			[]string{"invalid input", "it has: linux/amd64, linux/arm64/v8, linux/arm/v7"}, append(imageAdvice, "not found")},
		{"a platform a single image lacks", "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "platform": "linux/arm64"},
			[]string{"invalid input", "it has: linux/amd64"}, append(imageAdvice, "not found")},
		{"a URL for a reference", "get_image_info", map[string]any{"image_ref": "http://" + e.fx.Ref(e.fx.App)},
			[]string{`drop "http://"`, e.fx.Ref(e.fx.App)}, []string{"name.Insecure", "name."}},
		{"a URL for a registry", "list_repositories", map[string]any{"registry": "http://" + e.fx.Host},
			[]string{`drop "http://"`}, []string{"name."}},
		{"a URL for a repository", "list_tags", map[string]any{"repository": "https://ghcr.io/owner/app"},
			[]string{`drop "https://"`, "ghcr.io/owner/app"}, []string{"name."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := e.callErr(t, tt.tool, tt.args)
			wantAll(t, tt.name, msg, tt.want...)
			wantNone(t, tt.name, msg, tt.not...)
		})
	}
}
