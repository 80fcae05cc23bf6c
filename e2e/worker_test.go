package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestWorkerStopsOnSIGTERM starts `xyte-mcp worker` on an SQLite task store:
// it logs its address and settings, answers its probes and metrics, and on
// SIGTERM logs that it stops and exits 0.
func TestWorkerStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	sim := startSim(t, "e2e-worker-org-key")
	s := startProcess(t, procEnv("XYTE_LOG_LEVEL=info", "XYTE_BASE_URL="+sim.base,
		"XYTE_DATA_DIR="+t.TempDir(), "XYTE_TASK_SECRET=Qm4v8Rk2Zt6Wn1Yp5Hs9Lc3Xb7Jd0Fg2Ta"),
		"worker", "--listen", "127.0.0.1:0", "--workers", "3")
	line := s.waitLine(t, s.stderr, "the start log line", func(line string) (string, bool) {
		return line, strings.Contains(line, `"msg":"worker started"`)
	})
	var started struct {
		Addr, Store string
		Workers     int
	}
	if err := json.Unmarshal([]byte(line), &started); err != nil || started.Store != "sqlite" ||
		started.Workers != 3 {
		t.Fatalf("start line %s, want store sqlite and 3 workers", line)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ok",
		"/metrics": "xyte_mcp_tasks"} {
		resp, err := http.Get("http://" + started.Addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d, want 200 with %q", path, resp.StatusCode, want)
		}
	}

	s.stop(t)
	if !strings.Contains(s.stderr.String(), `"msg":"worker stopping"`) {
		t.Errorf("no stop line after SIGTERM:\n%s", s.stderr.String())
	}
}
