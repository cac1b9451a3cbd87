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
// the server goes on. The SDK's stdio transport ends the session on such a
// line, and with it the process; this transport also decodes each message
// once, where a filter in front of the SDK's would decode it twice.
func ServeStdio(ctx context.Context, s *mcp.Server, in io.Reader, out io.Writer) error {
	err := s.Run(ctx, &stdioTransport{in: in, out: out})
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// maxLineBytes bounds one input line, as the SDK's transport does
// (mcp.DefaultMaxLineLength); a longer line is answered as a parse error.
const maxLineBytes = mcp.DefaultMaxLineLength

type stdioTransport struct {
	in  io.Reader
	out io.Writer
}

func (t *stdioTransport) Connect(context.Context) (mcp.Connection, error) {
	c := &stdioConn{out: t.out, msgs: make(chan jsonrpc.Message), done: make(chan struct{}), closed: make(chan struct{})}
	// Read in a goroutine, so that Close can end a Read blocked on input
	// (stdin cannot be unblocked portably; the goroutine ends with it).
	go c.readLoop(bufio.NewReaderSize(t.in, 64<<10))
	return c, nil
}

// stdioConn is the mcp.Connection over one reader and one writer.
type stdioConn struct {
	out     io.Writer
	wmu     sync.Mutex
	msgs    chan jsonrpc.Message
	done    chan struct{} // closed when the input ends; readErr says why
	readErr error
	closed  chan struct{}
	once    sync.Once
}

func (c *stdioConn) readLoop(r *bufio.Reader) {
	defer close(c.done)
	for {
		line, err := c.line(r)
		if msg := c.decode(line); msg != nil {
			select {
			case c.msgs <- msg:
			case <-c.closed:
				return
			}
		}
		if err != nil {
			c.readErr = err
			return
		}
	}
}

// line reads one line without surrounding space; an over-long line is
// consumed and answered, and nothing returned in its place.
func (c *stdioConn) line(r *bufio.Reader) ([]byte, error) {
	var long []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			if long != nil {
				chunk = append(long, chunk...)
			}
			return bytes.TrimSpace(chunk), err
		}
		if len(long)+len(chunk) > maxLineBytes {
			c.answer(jsonrpc.CodeParseError, "parse error: the line is over the 16 MiB limit")
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			return nil, err
		}
		long = append(long, chunk...)
	}
}

// decode turns a line into a message, or answers it and returns nil.
func (c *stdioConn) decode(line []byte) jsonrpc.Message {
	if len(line) == 0 {
		return nil
	}
	msg, err := jsonrpc.DecodeMessage(line)
	switch {
	case err == nil:
		return msg
	case !json.Valid(line):
		c.answer(jsonrpc.CodeParseError, "parse error: the line is not JSON")
	case line[0] == '[':
		c.answer(jsonrpc.CodeInvalidRequest, "invalid request: batches are not supported; send one message per line")
	default:
		c.answer(jsonrpc.CodeInvalidRequest, "invalid request: the line is JSON but not a JSON-RPC 2.0 message")
	}
	return nil
}

// answer writes a JSON-RPC error response with id null.
func (c *stdioConn) answer(code int64, msg string) {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": code, "message": msg}})
	_ = c.write(b)
}

func (c *stdioConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.out.Write(append(b, '\n'))
	return err
}

func (c *stdioConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case msg := <-c.msgs:
		return msg, nil
	case <-c.done:
		if c.readErr != nil && !errors.Is(c.readErr, io.EOF) {
			return nil, c.readErr
		}
		return nil, io.EOF
	case <-c.closed:
		return nil, io.EOF
	}
}

func (c *stdioConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	return c.write(b)
}

func (c *stdioConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *stdioConn) SessionID() string { return "" }
