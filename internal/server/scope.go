package server

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// writesNeedAToken refuses a write tool to any HTTP call that arrives
// without verified token info. With authentication configured every
// request that reaches the server carries a token, so a call without one
// came through a path that lost it: it must not write. (The tools
// themselves treat "no token" as the local stdio user.)
func writesNeedAToken(o tools.Options) mcp.Middleware {
	writes := map[string]bool{}
	for _, t := range tools.List(o) {
		if !t.ReadOnly {
			writes[t.Name] = true
		}
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		if len(writes) == 0 {
			return next
		}
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if ok && call.Params != nil && writes[call.Params.Name] && (call.Extra == nil || call.Extra.TokenInfo == nil) {
				return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{
					Text: fmt.Sprintf("forbidden: %s changes data and needs a token with the %s scope", call.Params.Name, ScopeWrite),
				}}}, nil
			}
			return next(ctx, method, req)
		}
	}
}
