package tools

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// dockerfile reconstructs a Dockerfile: from the history's commands when it
// records them, else from what the config says. Builders such as crane, ko
// and jib write a history without created_by (or none), yet the config still
// holds the image's runtime settings.
func dockerfile(cfg *v1.ConfigFile) string {
	if d := oci.ReconstructDockerfile(cfg.History); d != "" {
		return d
	}
	return configDockerfile(cfg.Config)
}

// configDockerfile writes the instructions a config implies, in the order a
// Dockerfile usually gives them; "" when the config sets nothing.
func configDockerfile(c v1.Config) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(c.Labels)) {
		lines = append(lines, "LABEL "+dockerQuote(k)+"="+dockerQuote(c.Labels[k]))
	}
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		lines = append(lines, "ENV "+k+"="+dockerQuote(v))
	}
	if c.WorkingDir != "" {
		lines = append(lines, "WORKDIR "+c.WorkingDir)
	}
	if c.User != "" {
		lines = append(lines, "USER "+c.User)
	}
	if len(c.ExposedPorts) > 0 {
		lines = append(lines, "EXPOSE "+strings.Join(slices.Sorted(maps.Keys(c.ExposedPorts)), " "))
	}
	if len(c.Entrypoint) > 0 {
		lines = append(lines, "ENTRYPOINT "+execForm(c.Entrypoint))
	}
	if len(c.Cmd) > 0 {
		lines = append(lines, "CMD "+execForm(c.Cmd))
	}
	if len(lines) == 0 {
		return ""
	}
	return "# from the image config: its history records no build commands\n" + strings.Join(lines, "\n") + "\n"
}

// dockerQuote quotes a value that a Dockerfile would otherwise split or misread.
func dockerQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\$=#") {
		return s
	}
	return strconv.Quote(s)
}

// execForm renders a command in a Dockerfile's JSON exec form.
func execForm(args []string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(args) // a []string always encodes
	return strings.TrimSpace(b.String())
}
