package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestB27SIGTERMDrainsAndExits is field report B27 against the binary: with
// an MCP session's GET stream and an event stream open, a slow tool call in
// flight and a command job running, SIGTERM turns /readyz to 503 at once,
// refuses new requests, delivers the slow call's answer, ends both streams,
// and the process exits 0 within its shutdown timeout. The job is not lost:
// a new server on the same task store reports how it ended, and the command
// reached the hub once.
func TestB27SIGTERMDrainsAndExits(t *testing.T) {
	t.Parallel()
	const key = "b27-org-key"
	sim := startSimWithAdmin(t, key)
	// A device read and a command send each take 2 s upstream.
	for _, fault := range []string{`{"route":"devices.getDevice","latency":"2s"}`,
		`{"route":"commands.sendCommand","latency":"2s"}`} {
		adminDo(t, http.MethodPost, sim.admin+"/faults", fault)
	}
	env := []string{"XYTE_LOG_LEVEL=info", "XYTE_BASE_URL=" + sim.base, "XYTE_API_KEY=" + key,
		"ENABLE_ASYNC_TASKS=true", "XYTE_DATA_DIR=" + t.TempDir(),
		"XYTE_TASK_SECRET=Zq8vT3kP0mW5xY7rB2nC4dF6gH9jL1sA", "XYTE_SHUTDOWN_TIMEOUT=8s"}
	s := startListening(t, env, "--sessions")

	ctx := context.Background()
	cs := connectMCP(ctx, t, s.base)
	id := firstDeviceID(ctx, t, cs)
	events := openEventStream(t, s.base, key)

	queued := callOK(ctx, t, cs, "send_command_async", map[string]any{"device_id": id, "name": "reboot"})
	taskID, _ := queued["task_id"].(string)
	waitForStatus(ctx, t, cs, taskID, "running")

	slow := make(chan error, 1)
	go func() {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_device",
			Arguments: map[string]any{"device_id": id}})
		if err == nil && res.IsError {
			err = errorText(res)
		}
		slow <- err
	}()
	waitUntil(t, 10*time.Second, "the device read to reach the simulator", func() bool {
		return countRequests(t, sim.admin, "devices.getDevice") == 1
	})

	sent := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 2*time.Second, "/readyz to answer 503", func() bool {
		return statusOf(s.base+"/readyz", "") == http.StatusServiceUnavailable
	})
	if status := statusOf(s.base+"/v1/devices", key); status != http.StatusServiceUnavailable {
		t.Errorf("new request while draining = %d, want 503", status)
	}
	if err := <-slow; err != nil {
		t.Errorf("the tool call in flight at SIGTERM failed: %v", err)
	}
	select {
	case err := <-events:
		if err != nil {
			t.Errorf("event stream: %v", err)
		}
	case <-time.After(8 * time.Second):
		t.Error("the event stream stayed open through the drain")
	}
	select {
	case <-s.exited:
		if code := s.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit status %d after SIGTERM\nstderr:\n%s", code, s.stderr.String())
		}
		t.Logf("exited %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
	case <-time.After(12 * time.Second):
		t.Fatalf("still running 12 s after SIGTERM (shutdown timeout 8 s)\nstderr:\n%s",
			s.stderr.String())
	}
	s.stopOnce.Do(func() {}) // exited; nothing left for the cleanup to stop

	// A new server on the same store says how the job ended.
	adminDo(t, http.MethodDelete, sim.admin+"/faults", "")
	next := startListening(t, env)
	cs2 := connectMCP(ctx, t, next.base)
	task := callOK(ctx, t, cs2, "get_task_status", map[string]any{"task_id": taskID})
	if status := task["status"]; status != "done" && status != "unknown" && status != "error" {
		t.Errorf("task after the restart: %v, want it ended (done, error or unknown)", task)
	}
	t.Logf("the job running at SIGTERM ended %v", task["status"])
	if n := countRequests(t, sim.admin, "commands.sendCommand"); n != 1 {
		t.Errorf("the hub got the command %d times, want once", n)
	}
}

// simWithAdmin is `xyte-mcp sim` with its admin API.
type simWithAdmin struct {
	*server
	admin string
}

// startSimWithAdmin starts `xyte-mcp sim` with one organization key and its
// admin API on a loopback port.
func startSimWithAdmin(t *testing.T, orgKey string) simWithAdmin {
	t.Helper()
	s := startProcess(t, procEnv(), "sim", "--listen", "127.0.0.1:0",
		"--admin-listen", "127.0.0.1:0", "--key", orgKey, "--log-level", "info")
	admin := s.waitLine(t, s.stderr, "the simulator's listening line", func(line string) (string, bool) {
		var msg struct {
			Msg      string
			BaseURL  string `json:"base_url"`
			AdminURL string `json:"admin_url"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Msg != "simulator listening" {
			return "", false
		}
		s.base = msg.BaseURL
		return msg.AdminURL, msg.AdminURL != ""
	})
	return simWithAdmin{server: s, admin: admin}
}

// startListening starts `xyte-mcp serve` on a random loopback port and
// waits until it listens.
func startListening(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := startProcess(t, procEnv(env...), append([]string{"serve", "--listen", "127.0.0.1:0"},
		args...)...)
	s.base = "http://" + s.waitLine(t, s.stderr, "the listening log line",
		func(line string) (string, bool) {
			var msg struct{ Msg, Addr string }
			return msg.Addr, json.Unmarshal([]byte(line), &msg) == nil &&
				msg.Msg == "http server listening"
		})
	return s
}

func adminDo(t *testing.T, method, url, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s = %d %s", method, url, resp.StatusCode, data)
	}
	return data
}

// countRequests counts the requests the simulator logged for an endpoint.
func countRequests(t *testing.T, admin, endpoint string) int {
	t.Helper()
	var log struct {
		Items []json.RawMessage
	}
	if err := json.Unmarshal(adminDo(t, http.MethodGet, admin+"/requests?endpoint="+endpoint, ""),
		&log); err != nil {
		t.Fatal(err)
	}
	return len(log.Items)
}

func connectMCP(ctx context.Context, t *testing.T, base string) *mcp.ClientSession {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "b27", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// callOK calls a tool and returns its structured result.
func callOK(ctx context.Context, t *testing.T, cs *mcp.ClientSession, tool string,
	args map[string]any) map[string]any {
	t.Helper()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("%s: %v", tool, errorText(res))
	}
	data, _ := json.Marshal(res.StructuredContent)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s: structured content %s: %v", tool, data, err)
	}
	return out
}

type toolError string

func (f toolError) Error() string { return string(f) }

func errorText(res *mcp.CallToolResult) error {
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			return toolError(tc.Text)
		}
	}
	return toolError("tool error without text")
}

func firstDeviceID(ctx context.Context, t *testing.T, cs *mcp.ClientSession) string {
	t.Helper()
	list := callOK(ctx, t, cs, "list_devices", map[string]any{"per_page": 1})
	devices, _ := list["devices"].([]any)
	if len(devices) == 0 {
		t.Fatalf("list_devices gave no device: %v", list)
	}
	id, _ := devices[0].(map[string]any)["id"].(string)
	return id
}

// waitForStatus polls get_task_status until the task has the status.
func waitForStatus(ctx context.Context, t *testing.T, cs *mcp.ClientSession, taskID, status string) {
	t.Helper()
	waitUntil(t, 15*time.Second, "task "+taskID+" to be "+status, func() bool {
		return callOK(ctx, t, cs, "get_task_status", map[string]any{"task_id": taskID})["status"] == status
	})
}

func waitUntil(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
	}
}

// statusOf returns the status of a GET, or 0 when none came.
func statusOf(url, authorization string) int {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// openEventStream opens GET /v1/events and reads it in the background; the
// channel gets nil when the server ends the stream, or the error that ended
// it otherwise.
func openEventStream(t *testing.T, base, key string) <-chan error {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", key)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET /v1/events = %d", resp.StatusCode)
	}
	done := make(chan error, 1)
	go func() {
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		for {
			if _, err := r.ReadString('\n'); err != nil {
				if err == io.EOF {
					err = nil
				}
				done <- err
				return
			}
		}
	}()
	return done
}
