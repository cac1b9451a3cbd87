package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// RunStdio serves s over stdin/stdout until ctx ends or the client hangs up.
func RunStdio(ctx context.Context, s *mcp.Server) error {
	return ServeStdio(ctx, s, os.Stdin, os.Stdout)
}

// ServeStdio serves s over newline-delimited JSON-RPC on in and out. A line
// that is not a JSON-RPC message gets a JSON-RPC error (-32700 for text that
// is not JSON, -32600 for JSON that is not a message, both with id null) and
// the server goes on: the SDK's stdio transport would end the session on
// it, and with it the process.
func ServeStdio(ctx context.Context, s *mcp.Server, in io.Reader, out io.Writer) error {
	w := &lockedWriter{w: out}
	t := &mcp.IOTransport{Reader: &messageLines{r: bufio.NewReaderSize(in, 64<<10), errs: w}, Writer: w}
	err := s.Run(ctx, t)
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// maxLineBytes bounds one input line, as the SDK's transport does
// (mcp.DefaultMaxLineLength); a longer line is answered as a parse error.
const maxLineBytes = mcp.DefaultMaxLineLength

// lockedWriter serialises writes, so an error line written by messageLines
// never interleaves with a message the SDK writes (it writes each message
// with one Write call).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return nil }

// messageLines passes on only the input lines that are JSON-RPC messages
// (or batches of them) and answers every other line itself.
type messageLines struct {
	r       *bufio.Reader
	errs    io.Writer
	pending []byte
	buf     []byte // holds pending: the line outlives the reader's buffer
}

func (m *messageLines) Read(p []byte) (int, error) {
	for len(m.pending) == 0 {
		line, err := m.line()
		if len(line) > 0 {
			m.pending = m.check(line)
		}
		if err != nil && len(m.pending) == 0 {
			return 0, err
		}
	}
	n := copy(p, m.pending)
	m.pending = m.pending[n:]
	return n, nil
}

func (m *messageLines) Close() error { return nil }

// line reads one line without its end; an over-long line is consumed and
// answered, and an empty slice returned in its place.
func (m *messageLines) line() ([]byte, error) {
	var long []byte
	for {
		chunk, err := m.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(chunk) > maxLineBytes {
				long = long[:0:0]
				m.answer(jsonrpc.CodeParseError, "parse error: the line is over the 16 MiB limit")
				if err := m.skipLine(); err != nil {
					return nil, err
				}
				return nil, nil
			}
			long = append(long, chunk...)
			continue
		}
		if long != nil {
			chunk = append(long, chunk...)
		}
		return bytes.TrimSpace(chunk), err
	}
}

func (m *messageLines) skipLine() error {
	for {
		_, err := m.r.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// check returns the line, newline-terminated, if it holds a message or a
// batch of messages; otherwise it answers the line and returns nil.
func (m *messageLines) check(line []byte) []byte {
	if !json.Valid(line) {
		m.answer(jsonrpc.CodeParseError, "parse error: the line is not JSON")
		return nil
	}
	if !isMessageOrBatch(line) {
		m.answer(jsonrpc.CodeInvalidRequest, "invalid request: the line is JSON but not a JSON-RPC 2.0 message")
		return nil
	}
	m.buf = append(append(m.buf[:0], line...), '\n')
	return m.buf
}

func isMessageOrBatch(line []byte) bool {
	if line[0] != '[' {
		_, err := jsonrpc.DecodeMessage(line)
		return err == nil
	}
	var batch []json.RawMessage
	if json.Unmarshal(line, &batch) != nil || len(batch) == 0 {
		return false
	}
	for _, raw := range batch {
		if _, err := jsonrpc.DecodeMessage(raw); err != nil {
			return false
		}
	}
	return true
}

// answer writes a JSON-RPC error response with id null.
func (m *messageLines) answer(code int64, msg string) {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": code, "message": msg}})
	_, _ = m.errs.Write(append(b, '\n'))
}
