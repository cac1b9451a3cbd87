package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// logCalls logs one line per tool call: the tool, how long it took, the
// size of its result and whether it was an error. A successful call is
// logged at debug, an error result at info (the model was told what went
// wrong; an operator may want to see how often). The SDK's receiving
// middleware sees every call on every transport in one place.
func logCalls(log *slog.Logger) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if !ok || !log.Enabled(ctx, slog.LevelInfo) {
				return next(ctx, method, req)
			}
			start := time.Now()
			res, err := next(ctx, method, req)
			elapsed := time.Since(start)
			level, isError, size := slog.LevelDebug, err != nil, 0
			if r, ok := res.(*mcp.CallToolResult); ok && r != nil {
				isError = isError || r.IsError
				size = contentSize(r)
			}
			if isError {
				level = slog.LevelInfo
			}
			log.LogAttrs(ctx, level, "tool call", slog.String("tool", call.Params.Name),
				slog.Duration("duration", elapsed), slog.Int("result_bytes", size), slog.Bool("is_error", isError))
			return res, err
		}
	}
}

// contentSize is the size of a result's text content: the tools put their
// JSON there, so it is the result's size without marshalling it again.
func contentSize(r *mcp.CallToolResult) int {
	n := 0
	for _, c := range r.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			n += len(t.Text)
		}
	}
	return n
}

// quietSDK hands the SDK a logger whose info records become debug ones:
// it logs "server session connected", "session initialized" and
// "disconnected" at info, which stateless HTTP (a session per request)
// turns into three lines per call. Its warnings and errors pass unchanged.
func quietSDK(log *slog.Logger) *slog.Logger {
	return slog.New(demoteInfo{log.Handler()})
}

type demoteInfo struct{ h slog.Handler }

func (d demoteInfo) Enabled(ctx context.Context, l slog.Level) bool {
	return d.h.Enabled(ctx, demote(l))
}

func (d demoteInfo) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return d.h.Handle(ctx, r)
}

func (d demoteInfo) WithAttrs(attrs []slog.Attr) slog.Handler {
	return demoteInfo{d.h.WithAttrs(attrs)}
}
func (d demoteInfo) WithGroup(name string) slog.Handler { return demoteInfo{d.h.WithGroup(name)} }

func demote(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
}
