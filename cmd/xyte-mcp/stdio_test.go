package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
)

func TestIsJSONMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, true},
		{`{"jsonrpc":"2.0","id":"a","method":"ping"}`, true},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, true},
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, true},
		{`hello`, false},
		{`{}`, false},
		{`42`, false},
		{`[]`, false},
		{`{"jsonrpc":"1.0","id":1,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":null,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":1.5,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":{},"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":-9007199254740992,"method":"ping"}`, true},
		{`{"jsonrpc":"2.0","id":-9007199254740993,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id": 5 ,"method":"ping"}`, true},
		{`{"jsonrpc":"2.0","id":1e3,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":[1],"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":true,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":"","method":"ping"}`, true},
	}
	for _, tc := range tests {
		if got := isJSONMessage([]byte(tc.line)); got != tc.want {
			t.Errorf("isJSONMessage(%s) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestJSONLinesWaitsForAnswers: at the end of input the reader holds EOF
// back until every request read has been answered.
func TestJSONLinesWaitsForAnswers(t *testing.T) {
	t.Parallel()
	pending := newPendingCalls()
	in := &jsonLines{r: bufio.NewReader(strings.NewReader(
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\nnoise\n")),
		logger: slog.New(slog.DiscardHandler), pending: pending}
	out := &answerCounter{w: io.Discard, pending: pending}

	data, err := in.Read(make([]byte, 1024))
	if err != nil || data == 0 {
		t.Fatalf("first read = %d, %v", data, err)
	}
	eof := make(chan error, 1)
	go func() {
		_, err := in.Read(make([]byte, 1024))
		eof <- err
	}()
	select {
	case err := <-eof:
		t.Fatalf("EOF before the answer: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	_, _ = out.Write([]byte("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n"))
	select {
	case err := <-eof:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("read after the answer = %v, want EOF", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no EOF after the answer")
	}
}

// TestCountAnswers: only responses (an id and no method) count as answers,
// alone or in a batch; requests and notifications from the server do not.
func TestCountAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		want int
	}{
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, 1},
		{`{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"no"}}`, 1},
		{`{"jsonrpc":"2.0","method":"notifications/progress","params":{}}`, 0},
		{`{"jsonrpc":"2.0","id":9,"method":"roots/list"}`, 0},
		{`[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","method":"x"},` +
			`{"jsonrpc":"2.0","id":2,"result":{}}]`, 2},
		{`not json`, 0},
	}
	for _, tc := range tests {
		if got := countAnswers([]byte(tc.msg)); got != tc.want {
			t.Errorf("countAnswers(%s) = %d, want %d", tc.msg, got, tc.want)
		}
	}
}

// TestJSONLinesDropsOverlongLines: a line longer than maxLineBytes is read
// to its end and dropped with a warning; a long line within the limit, and
// the line after the dropped one, pass whole, however small the read buffer.
func TestJSONLinesDropsOverlongLines(t *testing.T) {
	t.Parallel()
	long := `{"jsonrpc":"2.0","method":"notifications/x","params":{"pad":"` +
		strings.Repeat("a", 200) + `"}}`
	huge := `{"jsonrpc":"2.0","method":"x","params":"` + strings.Repeat("b", maxLineBytes) + `"}`
	next := `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	var logs bytes.Buffer
	in := &jsonLines{r: bufio.NewReaderSize(strings.NewReader(long+"\n"+huge+"\n"+next+"\n"), 16),
		logger: slog.New(slog.NewJSONHandler(&logs, nil)), pending: newPendingCalls()}

	got, err := io.ReadAll(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := long + "\n" + next + "\n"; string(got) != want {
		t.Errorf("passed on %d bytes, want the long line and the next one (%d bytes)", len(got),
			len(want))
	}
	if !strings.Contains(logs.String(), "dropped a line longer than the limit") {
		t.Errorf("no warning for the dropped line: %s", logs.String())
	}
}

// TestStdioEndsWhenCanceled: stdio --demo announces the simulator on
// stderr, answers on stdout, and exits 0 when its context ends (SIGINT or
// SIGTERM in main) while stdin is still open.
func TestStdioEndsWhenCanceled(t *testing.T) {
	t.Parallel()
	stdinR, stdinW := io.Pipe()
	t.Cleanup(func() { _ = stdinW.Close() })
	stdout, stderr := &lockedbuf.Buffer{}, &lockedbuf.Buffer{}
	e := testEnv(map[string]string{"XYTE_LOG_LEVEL": "warn"}, stdout, stderr)
	e.stdin = stdinR
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"stdio", "--demo"}, e) }()

	go func() {
		_, _ = io.WriteString(stdinW, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":`+
			`{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t",`+
			`"version":"0"}}}`+"\n")
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), `"id":1,"result"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer to initialize: stdout %q, stderr %q", stdout, stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("stdio exit %d after cancel, want 0: %s", code, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("stdio did not return after cancel")
	}
	if !strings.Contains(stderr.String(), "xyte-mcp demo: MCP over stdio against a simulated "+
		"Xyte organization at http://127.0.0.1:") {
		t.Errorf("no demo notice on stderr: %q", stderr)
	}
}
