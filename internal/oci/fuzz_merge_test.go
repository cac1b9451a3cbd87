package oci

import (
	"archive/tar"
	"bytes"
	"io"
	"path"
	"strings"
	"testing"
)

func tarOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, n := range names {
		hdr := &tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg}
		if strings.HasSuffix(n, "/") {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
	}
	_ = tw.Close()
	return b.Bytes()
}

// FuzzMergeLayers feeds two tar streams (upper, then lower) through the
// merger that list_image_files uses and checks the merged view's rules.
func FuzzMergeLayers(f *testing.F) {
	f.Add(tarOf(f, "etc/", "etc/.wh.passwd", "usr/.wh..wh..opq"), tarOf(f, "etc/", "etc/passwd", "usr/", "usr/bin/sh", "bin"))
	f.Add(tarOf(f, "a", "./b/../c"), tarOf(f, "a/", "a/x", "/c"))
	f.Add([]byte("not a tar"), []byte{})
	f.Fuzz(func(t *testing.T, upper, lower []byte) {
		m := newMerger()
		deleted := map[string]bool{}
		for i, layer := range [][]byte{upper, lower} {
			m.currentLayer = []string{"upper", "lower"}[i]
			tr := tar.NewReader(bytes.NewReader(layer))
			for {
				hdr, err := tr.Next()
				if err != nil {
					break
				}
				if i == 0 && strings.HasPrefix(path.Base(cleanPath(hdr.Name)), whiteoutPrefix) && path.Base(cleanPath(hdr.Name)) != whiteoutOpaque {
					p := cleanPath(hdr.Name)
					deleted[path.Join(path.Dir(p), strings.TrimPrefix(path.Base(p), whiteoutPrefix))] = true
				}
				m.add(hdr, func(string) bool { return true })
				_, _ = io.Copy(io.Discard, tr)
			}
			m.endLayer()
		}
		for p, e := range m.seen {
			if p != cleanPath(p) || !strings.HasPrefix(p, "/") {
				t.Fatalf("path %q is not clean and absolute", p)
			}
			if strings.HasPrefix(path.Base(p), whiteoutPrefix) {
				t.Fatalf("whiteout %q leaked into the merged view", p)
			}
			if e.Layer == "lower" && deleted[p] {
				t.Fatalf("%q was deleted by the upper layer but shows from the lower one", p)
			}
		}
	})
}
