package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// envOfFlag names the environment variable a flag falls back to when it is
// not given. A flag given on the command line wins over its variable.
var envOfFlag = map[string]string{
	"transport":             "MCP_TRANSPORT",
	"port":                  "MCP_PORT",
	"host":                  "MCP_HOST",
	"read-only":             "MCP_READ_ONLY",
	"toolsets":              "MCP_TOOLSETS",
	"tools":                 "MCP_TOOLS",
	"log-level":             "MCP_LOG_LEVEL",
	"cache-redis":           "MCP_CACHE_REDIS",
	"vuln-source":           "MCP_VULN_SOURCE",
	"insecure-registry":     "OCI_INSECURE_REGISTRIES",
	"sigstore-trusted-root": "SIGSTORE_TRUSTED_ROOT",
}

// envOnly are the environment variables that have no flag: secrets, which
// do not belong on a command line, and the settings of the libraries used.
var envOnly = []struct{ name, meaning string }{
	{"MCP_AUTH_TOKEN", "HTTP clients must send Authorization: Bearer <token>"},
	{"OCI_REGISTRY", "the registry host OCI_USERNAME/OCI_PASSWORD/OCI_TOKEN are for (default docker.io)"},
	{"OCI_USERNAME, OCI_PASSWORD", "registry credentials (basic, or exchanged at the registry's token service)"},
	{"OCI_TOKEN", "a registry bearer token, sent as is"},
	{"DOCKER_CONFIG", "directory of the Docker config.json read for credentials (default ~/.docker)"},
	{"REGISTRY_AUTH_FILE", "podman's auth.json, read for credentials"},
	{"DOCKERHUB_USERNAME, DOCKERHUB_TOKEN", "Docker Hub API credentials (a personal or organisation access token)"},
	{"DOCKERHUB_API_URL", "Docker Hub API base URL (default https://hub.docker.com), for tests and mirrors"},
}

const usageHeader = `registry-mcp: an MCP server for container images in OCI registries and the Docker Hub API.

Usage:
  registry-mcp [flags]                          serve MCP over HTTP (/mcp and /sse), or stdio with -transport stdio
  registry-mcp [flags] call TOOL key=value ...  run one tool in-process and print its result
  registry-mcp tools                            list the tools: name, toolset, read-only, description
  registry-mcp version                          print the version (also --version)
  registry-mcp help                             print this help (also -h, --help)

Flags (a flag given wins over its environment variable):
`

// printUsage writes the usage: subcommands, flags with their environment
// variables, and the environment variables without a flag.
func printUsage(w io.Writer) {
	fmt.Fprint(w, usageHeader)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	newFlagSet(&config{}, &rawFlags{}).VisitAll(func(f *flag.Flag) {
		name, meaning := flag.UnquoteUsage(f)
		var notes []string
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && !strings.Contains(meaning, "(default") {
			notes = append(notes, "default "+f.DefValue)
		}
		if env := envOfFlag[f.Name]; env != "" {
			notes = append(notes, "env "+env)
		}
		if len(notes) > 0 {
			meaning += " [" + strings.Join(notes, "; ") + "]"
		}
		fmt.Fprintf(tw, "  -%s %s\t%s\n", f.Name, name, meaning)
	})
	_ = tw.Flush()
	fmt.Fprint(w, "\nEnvironment variables without a flag:\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range envOnly {
		fmt.Fprintf(tw, "  %s\t%s\n", e.name, e.meaning)
	}
	_ = tw.Flush()
}
