package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
)

// TestGoClientStdio drives `stdio --demo` with go-sdk's CommandTransport.
func TestGoClientStdio(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.Command(binary, "stdio", "--demo")
	cmd.Env = procEnv("XYTE_LOG_LEVEL=warn")
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	listDevicesOnce(ctx, t, cs)
	// stdio is one session: its defaults tool is offered and works.
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "set_context",
		Arguments: map[string]any{}})
	if err != nil || res.IsError {
		t.Errorf("set_context over stdio: %v %+v", err, res)
	}
	if err := cs.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("stdio exit status %d after EOF, want 0", code)
	}
}

// TestGoClientHTTP drives `serve --demo` with go-sdk's Streamable HTTP client
// and checks the REST side of the same server.
func TestGoClientHTTP(t *testing.T) {
	t.Parallel()
	s := startServe(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.base + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	listDevicesOnce(ctx, t, cs)

	for _, path := range []string{"/v1/devices", "/v1/tools", "/healthz", "/readyz"} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
	}
}

func listDevicesOnce(ctx context.Context, t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "list_devices",
		Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError {
		t.Fatalf("list_devices: %+v", res.Content)
	}
	data, _ := json.Marshal(res.StructuredContent)
	if !strings.Contains(string(data), `"id"`) {
		t.Errorf("list_devices answer has no device: %s", data)
	}
}

// TestStdioStdoutIsProtocolOnly pipes a whole session with stray lines into
// `stdio --demo` and closes stdin at once, as `printf ... | xyte-mcp stdio`
// does: every request is answered with its id unchanged, every stdout line
// is one JSON-RPC message, logs go to stderr, and the process exits 0.
func TestStdioStdoutIsProtocolOnly(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "stdio", "--demo")
	cmd.Env = procEnv("XYTE_LOG_LEVEL=debug")
	lines := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":` +
			`"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":"2","method":"tools/call","params":{"name":"list_devices",` +
			`"arguments":{}}}`,
		`hello`,
		`{}`,
		`{"jsonrpc":"2.0","method":"notifications/whatever"}`,
		`{"jsonrpc":"2.0","id":"req-ü","method":"ping"}`,
		`{"jsonrpc":"2.0","id":3,"method":"ping"}`,
	}
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	stderr := &lockedbuf.Buffer{}
	cmd.Stderr = stderr
	var stdout strings.Builder
	cmd.Stdout = &stdout

	start := time.Now()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stdio exit after EOF: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("stdio did not exit within 10s of EOF")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("run took %s", took)
	}

	got := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var msg struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal([]byte(l), &msg); err != nil {
			t.Fatalf("stdout line is not JSON: %q", l)
		}
		got[string(msg.ID)] = true
	}
	for _, id := range []string{`1`, `"2"`, `"req-ü"`, `3`} {
		if !got[id] {
			t.Errorf("no answer with id %s\nstdout:\n%s", id, stdout.String())
		}
	}
	if len(got) != 4 {
		t.Errorf("%d answers, want 4 (notifications and stray lines get none)", len(got))
	}
	if strings.Contains(stderr.String(), "demo-key") {
		t.Errorf("stderr holds the key")
	}
}
