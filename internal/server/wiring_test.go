package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const (
	wireKeyA = "k7Lw2Qx9Rz4Vt8Np1Hs6"
	wireKeyB = "m3Jd5Fg0Ay7Ec9Kb2Xp4"
)

// wired starts the whole HTTP server, multi-tenant, with the audit plugin
// writing to a file, against a simulator with two organizations.
func wired(t *testing.T) (*httptest.Server, *xytesim.Server, string) {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: wireKeyA}, {Key: wireKeyB}},
		CommandDelay: time.Nanosecond})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := config.Defaults()
	cfg.BaseURL, cfg.Plugins, cfg.AuditFile, cfg.RateLimit = up.URL, []string{"audit"}, audit, 0
	cfg.EventsKeepAlive = 100 * time.Millisecond
	sv, err := server.New(server.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sv.Shutdown(context.Background()) })
	srv, err := sv.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs, sim, audit
}

func call(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestEventsFlowPerTenant(t *testing.T) {
	t.Parallel()
	hs, _, _ := wired(t)
	status, out := call(t, "POST", hs.URL+"/v1/events", wireKeyA,
		`{"type":"device.offline","data":{"device":"Lobby Display"}}`)
	if status != http.StatusAccepted || out["id"] == nil {
		t.Fatalf("intake: %d %v", status, out)
	}
	if status, _ := call(t, "POST", hs.URL+"/v1/events", "", `{"type":"x"}`); status != 401 {
		t.Fatalf("intake without a key: %d", status)
	}

	got := readSSE(t, hs.URL+"/v1/events?after=0", wireKeyA)
	if !strings.Contains(got, "event: device.offline") || !strings.Contains(got, "Lobby Display") {
		t.Fatalf("tenant A's stream:\n%s", got)
	}
	if got := readSSE(t, hs.URL+"/v1/events?after=0", wireKeyB); strings.Contains(got, "Lobby") {
		t.Fatalf("tenant B's stream shows A's event:\n%s", got)
	}
}

// readSSE reads a tenant's event stream for a short while.
func readSSE(t *testing.T, url, key string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", key)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

func TestTasksRoutesAndAudit(t *testing.T) {
	t.Parallel()
	hs, sim, audit := wired(t)
	device := sim.DeviceIDs(wireKeyA)[0]
	status, task := call(t, "POST", hs.URL+"/v1/tasks", wireKeyA,
		`{"device_id":"`+device+`","name":"reboot"}`)
	if status != 200 || task["status"] != "done" {
		t.Fatalf("submit: %d %v", status, task)
	}
	id := task["task_id"].(string)
	if status, got := call(t, "GET", hs.URL+"/v1/tasks/"+id, wireKeyA, ""); status != 200 ||
		got["task_id"] != id {
		t.Fatalf("get own task: %d %v", status, got)
	}
	if status, got := call(t, "GET", hs.URL+"/v1/tasks/"+id, wireKeyB, ""); status != 404 {
		t.Fatalf("tenant B reads A's task: %d %v", status, got)
	}
	if status, got := call(t, "DELETE", hs.URL+"/v1/tasks/"+id, wireKeyB, ""); status != 404 {
		t.Fatalf("tenant B cancels A's task: %d %v", status, got)
	}
	if status, got := call(t, "GET", hs.URL+"/v1/tasks", wireKeyB, ""); status != 200 ||
		len(got["tasks"].([]any)) != 0 {
		t.Fatalf("tenant B lists: %d %v", status, got)
	}

	var data []byte
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		if data, _ = os.ReadFile(audit); strings.Contains(string(data), "/v1/tasks") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	line := string(data)
	if !strings.Contains(line, `"POST /v1/tasks"`) || !strings.Contains(line, tenant.New(wireKeyA).ID()) {
		t.Fatalf("audit file lacks the write: %q", line)
	}
	if strings.Contains(line, wireKeyA) {
		t.Fatal("the audit file holds a key")
	}
}
