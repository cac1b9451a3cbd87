package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Bounds on an error result's text. Error texts echo arguments and quote
// what registries and Docker Hub said; without bounds a 4 MB argument comes
// back twice, and a registry's escape sequences reach the user's terminal.
const (
	// maxErrorBytes caps the whole text of an error result.
	maxErrorBytes = 8 << 10
	// maxEchoRunes caps each argument (or other unbroken run of text) quoted in it.
	maxEchoRunes = 200
)

// errorText makes an error's text fit to show: arguments echoed in it are cut
// to maxEchoRunes, control and bidirectional-override characters are escaped
// (so that text from a registry can neither move the cursor nor reorder what
// the reader sees), and the whole is cut to maxErrorBytes on a rune boundary.
func errorText(msg string, in any) string {
	msg = strings.ToValidUTF8(msg, "")
	msg = cutEchoes(msg, inputStrings(in))
	msg = escapeControls(msg)
	msg = cutLongRuns(msg)
	return cutBytes(msg, maxErrorBytes)
}

// boundErrors is receiving middleware that applies errorText to every error
// the server answers: tool error results, including those the SDK writes
// when arguments fail the schema (which quote the argument, raw), and
// JSON-RPC errors such as a failed resources/read. It is the one place error
// text leaves the server.
func boundErrors(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		res, err := next(ctx, method, req)
		r, _ := res.(*mcp.CallToolResult)
		failed := r != nil && r.IsError
		if err == nil && !failed {
			return res, nil // the common case: nothing to bound, no arguments to decode
		}
		in := requestArguments(req)
		var rpcErr *jsonrpc.Error
		switch {
		case errors.As(err, &rpcErr):
			rpcErr.Message = errorText(rpcErr.Message, in)
			if len(rpcErr.Data) > maxErrorBytes {
				rpcErr.Data = nil // the SDK's not-found quotes the URI whole
			}
		case err != nil:
			// Replaced only when the text must change: the SDK treats some
			// errors (a cancelled context) by their type.
			if text := errorText(err.Error(), in); text != err.Error() {
				err = errors.New(text)
			}
		}
		if failed {
			for _, c := range r.Content {
				if t, ok := c.(*mcp.TextContent); ok {
					t.Text = errorText(t.Text, in)
				}
			}
		}
		return res, err
	}
}

// requestArguments returns what a request carries that an error may quote:
// a tool call's arguments, or a resource's URI.
func requestArguments(req mcp.Request) any {
	switch r := req.(type) {
	case *mcp.CallToolRequest:
		if r.Params != nil {
			var v any
			if json.Unmarshal(r.Params.Arguments, &v) == nil {
				return v
			}
		}
	case *mcp.ReadResourceRequest:
		if r.Params != nil {
			return r.Params.URI
		}
	}
	return nil
}

// inputStrings lists the string arguments of a call that are long enough to
// need cutting where a message quotes them.
func inputStrings(in any) []string {
	b, err := json.Marshal(in)
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if utf8.RuneCountInString(v) > maxEchoRunes {
				out = append(out, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// cutEchoes replaces each long argument in msg, as given and as %q quotes
// it, by its first maxEchoRunes runes.
func cutEchoes(msg string, inputs []string) string {
	for _, s := range inputs {
		short := cutRunes(s, maxEchoRunes)
		msg = strings.ReplaceAll(msg, s, short)
		if q := strconv.Quote(s); len(q) > 2 {
			msg = strings.ReplaceAll(msg, q[1:len(q)-1], strconv.Quote(short)[1:len(strconv.Quote(short))-1])
		}
	}
	return msg
}

// escapeControls turns line breaks and tabs into spaces and writes every other
// control character (C0, DEL, C1) and every bidirectional formatting
// character as a visible escape such as \x1b or \u202e.
func escapeControls(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune reports control characters and the Unicode bidirectional
// formatting characters (LRM, RLM, ALM, the embeddings, overrides and isolates).
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// cutLongRuns cuts every run of text without a space that is longer than
// maxEchoRunes: an argument a client library reshaped before quoting it
// (lower-cased, trimmed) escapes cutEchoes, and no advice needs such a run.
func cutLongRuns(msg string) string {
	fields := strings.Split(msg, " ")
	changed := false
	for i, f := range fields {
		if len(f) > maxEchoRunes && utf8.RuneCountInString(f) > maxEchoRunes {
			fields[i], changed = cutRunes(f, maxEchoRunes), true
		}
	}
	if !changed {
		return msg
	}
	return strings.Join(fields, " ")
}

// cutRunes keeps the first n runes of s, marking a cut with an ellipsis.
func cutRunes(s string, n int) string {
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + "…"
}

// cutBytes keeps at most n bytes of s, ellipsis included, never splitting a rune.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n - len("…")
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "…"
}
