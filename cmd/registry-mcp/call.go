package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/server"
)

// runCall runs one tool in-process with the server's configuration and
// prints its result: registry-mcp call [flags] TOOL key=value ...
func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, osGetenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return nil
	}
	if err != nil {
		return err
	}
	if len(cfg.args) == 0 {
		return errors.New("usage: registry-mcp call [flags] TOOL key=value ... (registry-mcp tools lists the tools)")
	}
	if cfg.output != "json" && cfg.output != "text" {
		return fmt.Errorf("-o %q is not json or text", cfg.output)
	}
	// Quiet by default: the result is the output; warnings still reach stderr.
	cfg.logLevel = firstNonEmpty(cfg.logLevel, "warn")
	cfg.transport = "stdio" // text logs
	log := newLogger(cfg, stderr)
	srvCfg, stop, err := buildServer(cfg, log, io.Discard)
	if err != nil {
		return err
	}
	defer stop()
	cs, err := connectInMemory(ctx, server.New(srvCfg))
	if err != nil {
		return err
	}
	defer cs.Close()
	name := cfg.args[0]
	arguments, err := toolArguments(ctx, cs, name, cfg.args[1:])
	if err != nil {
		return err
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: arguments})
	if err != nil {
		return err
	}
	return printResult(stdout, res, cfg.output)
}

func connectInMemory(ctx context.Context, s *mcp.Server) (*mcp.ClientSession, error) {
	ct, st := mcp.NewInMemoryTransports()
	if _, err := s.Connect(ctx, st, nil); err != nil {
		return nil, err
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "registry-mcp-call", Version: moduleVersion()}, &mcp.ClientOptions{})
	return c.Connect(ctx, ct, nil)
}

// toolArguments turns key=value pairs into arguments, typed by the tool's
// input schema: a string property keeps the value as typed (a tag like
// 1.20 stays a string); other properties take it as JSON (10, true, [..]).
func toolArguments(ctx context.Context, cs *mcp.ClientSession, name string, pairs []string) (map[string]any, error) {
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(list.Tools, func(t *mcp.Tool) bool { return t.Name == name })
	if i < 0 {
		names := make([]string, len(list.Tools))
		for j, t := range list.Tools {
			names[j] = t.Name
		}
		return nil, fmt.Errorf("no tool %q; the tools are: %s", name, strings.Join(names, ", "))
	}
	var schema struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	raw, _ := json.Marshal(list.Tools[i].InputSchema)
	_ = json.Unmarshal(raw, &schema)
	args := map[string]any{}
	for _, p := range pairs {
		key, value, ok := strings.Cut(p, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("argument %q is not key=value", p)
		}
		prop, known := schema.Properties[key]
		if !known {
			return nil, fmt.Errorf("%s has no argument %q", name, key)
		}
		if prop.Type == "string" {
			args[key] = value
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			v = value // let the server's validation name the expected type
		}
		args[key] = v
	}
	return args, nil
}

func printResult(w io.Writer, res *mcp.CallToolResult, output string) error {
	if res.IsError {
		var msg []string
		for _, c := range res.Content {
			if t, ok := c.(*mcp.TextContent); ok {
				msg = append(msg, t.Text)
			}
		}
		return errors.New(strings.Join(msg, " "))
	}
	if output == "text" || res.StructuredContent == nil {
		for _, c := range res.Content {
			if t, ok := c.(*mcp.TextContent); ok {
				fmt.Fprintln(w, t.Text)
			}
		}
		return nil
	}
	b, err := json.MarshalIndent(res.StructuredContent, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
