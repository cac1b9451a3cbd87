package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
)

func TestCallRunsOneTool(t *testing.T) {
	t.Parallel()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"call", "-toolsets", "registry", "get_image_info", "image_ref=" + fx.Ref(fx.App)}, &out, &errOut); err != nil {
		t.Fatalf("call: %v (stderr %s)", err, errOut.String())
	}
	var info struct {
		Digest string `json:"digest"`
	}
	if err := json.Unmarshal(out.Bytes(), &info); err != nil || info.Digest != fx.AppDigest {
		t.Errorf("call printed %s, want JSON with digest %s", out.String(), fx.AppDigest)
	}

	out.Reset()
	args := []string{"call", "-o", "text", "list_tags", "repository=" + fx.Host + "/" + fx.TagsRepo, "limit=3", "sort=semver-desc"}
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("call list_tags: %v", err)
	}
	if !strings.Contains(out.String(), `"tags":["v4.0.0","4.0.0-rc.1","4.0.0-beta.2"]`) {
		t.Errorf("-o text with a typed limit printed %q", out.String())
	}

	for _, bad := range [][]string{
		{"call"},
		{"call", "no_such_tool"},
		{"call", "get_image_info", "image_ref"},
		{"call", "get_image_info", "nope=1"},
		{"call", "get_image_info", "image_ref=INVALID::ref"},
	} {
		if err := run(context.Background(), bad, &out, &errOut); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func TestDemoTellsTheModelWhereItIs(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig([]string{"-demo"}, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	srvCfg, stop, err := buildServer(cfg, newLogger(cfg, &bytes.Buffer{}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cs := registrytest.Connect(t, server.New(srvCfg), nil)
	instr := cs.InitializeResult().Instructions
	if !strings.Contains(instr, "A demo registry runs at 127.0.0.1:") || !strings.Contains(instr, "/demo/app:1.0") {
		t.Errorf("instructions do not give the demo registry: %q", instr)
	}
	host := strings.Fields(strings.SplitN(instr, "runs at ", 2)[1])[0]
	res := registrytest.Call(t, cs, "get_image_info", map[string]any{"image_ref": host + "/demo/app:1.0"})
	if res.IsError {
		t.Errorf("the advertised demo image does not resolve: %s", registrytest.Text(res))
	}
}
