package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// TestAsyncTasksRunInServe: with asynchronous tasks on and the SQLite store,
// serve is ready when the store answers, and its own workers send a task
// submitted over REST exactly once.
func TestAsyncTasksRunInServe(t *testing.T) {
	t.Parallel()
	const key = "async-key-0123456789"
	sim, upstream := simFor(t, key)
	cfg := config.Defaults()
	cfg.BaseURL, cfg.APIKey, cfg.RateLimit = upstream, key, 0
	cfg.AsyncTasks, cfg.DataDir, cfg.TaskWorkers = true, t.TempDir(), 1
	sv, err := server.New(server.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sv.Shutdown(context.Background()) })
	if err := sv.Ready(context.Background()); err != nil {
		t.Fatalf("ready: %v", err)
	}
	srv, err := sv.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	if status, body := call(t, "GET", hs.URL+"/readyz", key, ""); status != http.StatusOK {
		t.Fatalf("/readyz = %d %v", status, body)
	}

	device := sim.DeviceIDs(key)[0]
	status, task := call(t, "POST", hs.URL+"/v1/tasks", key, `{"device_id":"`+device+`","name":"reboot"}`)
	if status != http.StatusOK || task["task_id"] == nil {
		t.Fatalf("submit: %d %v", status, task)
	}
	id := task["task_id"].(string)
	for deadline := time.Now().Add(10 * time.Second); task["status"] != "done"; {
		if time.Now().After(deadline) {
			t.Fatalf("task still %v", task["status"])
		}
		time.Sleep(20 * time.Millisecond)
		_, task = call(t, "GET", hs.URL+"/v1/tasks/"+id, key, "")
	}
	sends := 0
	for _, r := range sim.Requests() {
		if r.Endpoint == "commands.sendCommand" {
			sends++
		}
	}
	if sends != 1 {
		t.Errorf("the upstream saw %d sends of one task", sends)
	}
}

// TestShutdownPastItsDeadlineWarns: a shutdown whose time is already up
// abandons the plugins' pending deliveries and says so in the log.
func TestShutdownPastItsDeadlineWarns(t *testing.T) {
	t.Parallel()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	cfg := config.Defaults()
	cfg.Plugins, cfg.WebhookURLs = []string{"webhook"}, []string{receiver.URL}
	cfg.WebhookOutSecret = "webhook-out-secret-0123456789abcdef"
	logs := &lockedbuf.Buffer{}
	sv, err := server.New(server.Options{Config: cfg,
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sv.Shutdown(ctx)
	if l := logs.String(); !strings.Contains(l, `"level":"WARN","msg":"plugins did not stop cleanly"`) ||
		!strings.Contains(l, "abandoned at shutdown") {
		t.Errorf("log lacks the warning:\n%s", l)
	}
}

// TestMCPToolCallsAreRateLimited: outside HTTP (stdio), the MCP server still
// limits each tenant's tool calls, and counts the refusals as mcp.
func TestMCPToolCallsAreRateLimited(t *testing.T) {
	t.Parallel()
	const key = "limited-key-0123456789"
	_, upstream := simFor(t, key)
	cfg := config.Defaults()
	cfg.BaseURL, cfg.APIKey, cfg.RateLimit, cfg.RateBurst = upstream, key, 1, 1
	sv, err := server.New(server.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sv.Shutdown(context.Background()) })

	ctx := tenant.NewContext(context.Background(), tenant.New(key))
	serverEnd, clientEnd := mcp.NewInMemoryTransports()
	ss, err := sv.MCP.MCP().Connect(ctx, serverEnd, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx,
		clientEnd, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })

	params := &mcp.CallToolParams{Name: "get_organization_info"}
	if res, err := cs.CallTool(ctx, params); err != nil || res.IsError {
		t.Fatalf("first call: %v %+v", err, res)
	}
	res, err := cs.CallTool(ctx, params)
	if err != nil || !res.IsError ||
		!strings.HasPrefix(res.Content[0].(*mcp.TextContent).Text, "rate_limited:") {
		t.Fatalf("second call within the burst of 1: %v %+v", err, res)
	}
	want := `
# HELP xyte_mcp_rate_limited_total Requests refused by the per-tenant rate limit, by surface (http, mcp).
# TYPE xyte_mcp_rate_limited_total counter
xyte_mcp_rate_limited_total{surface="mcp"} 1
`
	if err := testutil.GatherAndCompare(sv.Registry, strings.NewReader(want),
		"xyte_mcp_rate_limited_total"); err != nil {
		t.Error(err)
	}
}
