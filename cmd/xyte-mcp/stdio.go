package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func init() {
	register("stdio", "serve MCP over stdin and stdout, for desktop agents", runStdio)
}

func runStdio(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("stdio", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	common := addCommonFlags(fs, cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := common.apply(&cfg); err != nil {
		return err
	}

	// Everything but JSON-RPC goes to stderr: stdout belongs to the protocol.
	logger := newLogger(e.stderr, cfg.LogLevel, cfg.APIKey, cfg.PartnerKey)
	stopDemo, err := withDemo(ctx, *common.demo, &cfg, logger)
	if err != nil {
		return err
	}
	defer stopDemo()
	if cfg.APIKey == "" {
		return fmt.Errorf("%w: set XYTE_API_KEY to the organization's Xyte API key "+
			"(or use --demo)", errUsage)
	}
	if *common.demo {
		fmt.Fprintf(e.stderr, "xyte-mcp demo: MCP over stdio against a simulated Xyte "+
			"organization at %s\n", cfg.BaseURL)
	}

	// stdio is one long session: session defaults (set_context) and event
	// subscriptions work here whatever XYTE_MCP_SESSIONS says.
	cfg.Sessions = true
	sv, err := newServices(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		sv.Shutdown(drain)
	}()
	ms := sv.MCP
	ctx = tenant.NewContext(ctx, tenant.New(cfg.APIKey))
	pending := newPendingCalls()
	in := &jsonLines{r: bufio.NewReaderSize(e.stdin, 64<<10), logger: logger, pending: pending}
	out := &answerCounter{w: e.stdout, pending: pending}
	transport := &mcp.IOTransport{Reader: io.NopCloser(in), Writer: out}
	err = ms.MCP().Run(ctx, transport)
	switch {
	case err == nil, errors.Is(err, io.EOF):
		// The client closed stdin: a normal end.
		return nil
	case ctx.Err() != nil:
		return nil
	}
	return fmt.Errorf("serve stdio: %w", err)
}

// maxLineBytes bounds one JSON-RPC message on stdin.
const maxLineBytes = 16 << 20

// jsonLines passes on the stdin lines that hold a JSON object or array and
// drops every other line with a warning on stderr. The SDK ends the session
// on a line it cannot parse; a stray line from a noisy client must not stop
// the server, and answering each one could start an endless error exchange.
//
// At the end of input it waits for the answers to the requests already
// passed on, so that `printf ... | xyte-mcp stdio` gets every answer.
type jsonLines struct {
	r       *bufio.Reader
	logger  *slog.Logger
	pending *pendingCalls
	buf     []byte
	err     error
}

func (j *jsonLines) Read(p []byte) (int, error) {
	for len(j.buf) == 0 && j.err == nil {
		line, tooLong, err := j.readLine()
		j.err = err
		switch {
		case tooLong:
			j.logger.Warn("stdio: dropped a line longer than the limit",
				"limit_bytes", maxLineBytes)
		case len(line) > 0 && isJSONMessage(line):
			j.buf = append(line, '\n')
			if isRequest(line) {
				j.pending.add(1)
			}
		case len(bytes.TrimSpace(line)) > 0:
			j.logger.Warn("stdio: dropped a line that is not a JSON-RPC message",
				"bytes", len(line))
		}
	}
	if len(j.buf) == 0 {
		j.pending.wait(answerWait)
		return 0, j.err
	}
	n := copy(p, j.buf)
	j.buf = j.buf[n:]
	return n, nil
}

// readLine returns the next line without its newline. A line longer than
// maxLineBytes is read to its end and returned empty, with tooLong set.
func (j *jsonLines) readLine() (line []byte, tooLong bool, err error) {
	for {
		chunk, readErr := j.r.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > maxLineBytes {
				line, tooLong = nil, true
			}
		}
		if errors.Is(readErr, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, readErr
	}
}

// isJSONMessage reports whether line is a JSON-RPC 2.0 message the SDK can
// take: an object with "jsonrpc": "2.0" and, if it has an id, a string or an
// integer id that float64 holds exactly.
func isJSONMessage(line []byte) bool {
	var msg struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
	}
	t := bytes.TrimSpace(line)
	if len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &msg) != nil || msg.JSONRPC != "2.0" {
		return false
	}
	if msg.ID == nil || msg.ID[0] == '"' {
		return true // no id, or a string (Unmarshal checked that it is valid JSON)
	}
	// The SDK reads ids through float64: a larger one would come back
	// changed, and the client could not match the answer. null, fractions,
	// exponents, objects and arrays do not parse as integers.
	n, err := strconv.ParseInt(string(msg.ID), 10, 64)
	return err == nil && n <= 1<<53 && n >= -(1<<53)
}

// answerWait bounds the wait for answers after the end of input.
const answerWait = time.Minute

// isRequest reports whether a JSON-RPC message is a request: it has a
// method and an id, so an answer is due.
func isRequest(line []byte) bool {
	var msg struct {
		Method string          `json:"method"`
		ID     json.RawMessage `json:"id"`
	}
	return json.Unmarshal(line, &msg) == nil && msg.Method != "" && msg.ID != nil
}

// pendingCalls counts the requests read whose answers are not yet written.
type pendingCalls struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed while n is 0
}

func newPendingCalls() *pendingCalls {
	z := make(chan struct{})
	close(z)
	return &pendingCalls{zero: z}
}

func (p *pendingCalls) add(d int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	was := p.n
	p.n = max(p.n+d, 0)
	switch {
	case was == 0 && p.n > 0:
		p.zero = make(chan struct{})
	case was > 0 && p.n == 0:
		close(p.zero)
	}
}

// wait returns once every request read has its answer, or after d.
func (p *pendingCalls) wait(d time.Duration) {
	p.mu.Lock()
	zero := p.zero
	p.mu.Unlock()
	select {
	case <-zero:
	case <-time.After(d):
	}
}

// answerCounter writes the SDK's messages to stdout, each in one Write, and
// counts the answers among them. Stdout stays open when the connection closes.
type answerCounter struct {
	w       io.Writer
	pending *pendingCalls
}

func (a *answerCounter) Write(p []byte) (int, error) {
	n, err := a.w.Write(p)
	if answers := countAnswers(p); answers > 0 {
		a.pending.add(-answers)
	}
	return n, err
}

func (a *answerCounter) Close() error { return nil }

// countAnswers counts the responses (messages with an id and no method) in
// one written message or batch.
func countAnswers(p []byte) int {
	type message struct {
		Method string          `json:"method"`
		ID     json.RawMessage `json:"id"`
	}
	var one message
	if json.Unmarshal(p, &one) == nil {
		return boolInt(one.Method == "" && one.ID != nil)
	}
	var batch []message
	if json.Unmarshal(p, &batch) != nil {
		return 0
	}
	n := 0
	for _, m := range batch {
		n += boolInt(m.Method == "" && m.ID != nil)
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
