package demo

import (
	"bytes"
	"debug/buildinfo"
	"testing"
)

func TestGoBinaryIsReadable(t *testing.T) {
	b := GoBinary("go1.21.0", "example.com/demo", []Module{{"golang.org/x/net", "v0.17.0"}})
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if bi.GoVersion != "go1.21.0" || bi.Path != "example.com/demo" || len(bi.Deps) != 1 || bi.Deps[0].Version != "v0.17.0" {
		t.Fatalf("%+v", bi)
	}
}
