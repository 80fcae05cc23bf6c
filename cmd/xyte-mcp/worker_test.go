package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const workerTestSecret = "k9Qz7Lm2Xw4Rt8Vb1Np6Hs3Jd5Fg0Ay7Ec"

// testEnv is an env over a map of variables.
func testEnv(vars map[string]string, stdout, stderr io.Writer) env {
	return env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv: func(k string) string { return vars[k] }}
}

// simURL starts a simulated Xyte API with one organization.
func simURL(t *testing.T, key string) (string, *xytesim.Server) {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: key}},
		CommandDelay: time.Nanosecond})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL, sim
}

func TestWorkerCommand(t *testing.T) {
	t.Parallel()
	base, _ := simURL(t, "org-key-worker-test")
	vars := map[string]string{"XYTE_BASE_URL": base, "XYTE_DATA_DIR": t.TempDir(),
		"XYTE_TASK_SECRET": workerTestSecret, "ENABLE_ASYNC_TASKS": "true"}
	stderr := &lockedbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"worker", "-listen", "127.0.0.1:0"},
			testEnv(vars, io.Discard, stderr))
	}()
	addr := workerAddr(t, stderr, done)

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ok",
		"/metrics": `xyte_mcp_tasks{status="queued"} 0`} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d, want 200 with %q", path, resp.StatusCode, want)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("worker exited with %d: %s", code, stderr)
	}
	if strings.Contains(stderr.String(), workerTestSecret) {
		t.Error("the task secret appears in the logs")
	}
}

// workerAddr waits for the worker's start line and returns its address.
func workerAddr(t *testing.T, stderr *lockedbuf.Buffer, done <-chan int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(stderr.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "worker started" {
				return line.Addr
			}
		}
		select {
		case code := <-done:
			t.Fatalf("worker exited with %d: %s", code, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("the worker did not start: %s", stderr)
	return ""
}

func TestWorkerRequiresSecret(t *testing.T) {
	t.Parallel()
	stderr := &lockedbuf.Buffer{}
	vars := map[string]string{"XYTE_DATA_DIR": t.TempDir()}
	code := run(context.Background(), []string{"worker"}, testEnv(vars, io.Discard, stderr))
	if code != 2 || !strings.Contains(stderr.String(), "XYTE_TASK_SECRET") {
		t.Errorf("exit %d, stderr %q: want 2 naming XYTE_TASK_SECRET", code, stderr)
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"XYTE_DATA_DIR": t.TempDir()}
	for i, want := range []string{"tasks  applied 1", "tasks  up to date"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"migrate"}, testEnv(vars, &stdout, &stderr))
		if code != 0 || !strings.Contains(stdout.String(), want) ||
			!strings.Contains(stdout.String(), "task store: sqlite") {
			t.Errorf("run %d: exit %d, stdout %q, stderr %q: want %q", i+1, code, stdout.String(),
				stderr.String(), want)
		}
	}
}

func TestServeTaskService(t *testing.T) {
	t.Parallel()
	const key = "org-key-serve-test"
	base, sim := simURL(t, key)
	cfg := config.Defaults()
	cfg.APIKey, cfg.BaseURL, cfg.DataDir = key, base, t.TempDir() // single-tenant: no secret
	ctx := context.Background()
	device := sim.DeviceIDs(key)[0]
	cmd := xyte.SendCommandRequest{Name: "reboot"}

	off, err := server.New(server.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := off.Tasks.(*tasks.Sync); !ok {
		t.Errorf("tasks off: service is %T, want *tasks.Sync", off.Tasks)
	}
	off.Shutdown(ctx)

	cfg.AsyncTasks = true
	on, err := server.New(server.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer on.Shutdown(ctx)
	task, err := on.Tasks.SubmitCommand(ctx, tenant.New(key), device, cmd)
	if err != nil || task.Status != tasks.StatusQueued {
		t.Fatalf("submit = %+v (%v), want queued", task, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !task.Final() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if task, err = on.Tasks.Get(ctx, tenant.New(key), task.ID); err != nil {
			t.Fatal(err)
		}
	}
	if task.Status != tasks.StatusDone {
		t.Errorf("task = %+v, want done by the in-process workers", task)
	}
}

// TestWorkerStartFailures: a worker that cannot open its task store or its
// listening address exits 1 with the reason, and no secret in it.
func TestWorkerStartFailures(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	const password = "Hb7-worker-test-password"
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"address in use", map[string]string{"XYTE_DATA_DIR": t.TempDir()},
			[]string{"-listen", busy.Addr().String()},
			"listen on " + busy.Addr().String() + ": "},
		{"unreachable database", map[string]string{"DATABASE_URL": "postgres://xyte:" + password +
			"@127.0.0.1:1/tasks?sslmode=disable&connect_timeout=5"},
			[]string{"-listen", "127.0.0.1:0"}, "connect to postgres"},
	}
	for _, tc := range tests {
		tc.vars["XYTE_TASK_SECRET"] = workerTestSecret
		code, _, stderr := runCmd(t, tc.vars, append([]string{"worker"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if last := lines[len(lines)-1]; code != 1 ||
			!strings.HasPrefix(last, "xyte-mcp worker: ") || !strings.Contains(last, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 with %q", tc.name, code, stderr, tc.want)
		}
		if strings.Contains(stderr, password) || strings.Contains(stderr, workerTestSecret) {
			t.Errorf("%s: a secret is in the output: %q", tc.name, stderr)
		}
	}
}

// TestWorkerReadinessFollowsStore: the worker's /readyz answers 200 while
// the task store does and 503 once it does not, without saying why.
func TestWorkerReadinessFollowsStore(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.APIKey, cfg.DataDir = "org-key-readiness-test", t.TempDir()
	reg := prometheus.NewRegistry()
	q, err := server.OpenTaskQueue(context.Background(), cfg, nil, 0, reg,
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := workerRoutes(q, reg)

	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get(); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/readyz with the store open = %d %q, want 200 ok", code, body)
	}
	q.Close()
	if code, body := get(); code != http.StatusServiceUnavailable ||
		body != "task store unavailable\n" {
		t.Errorf("/readyz with the store closed = %d %q, want 503 with no reason", code, body)
	}
}
