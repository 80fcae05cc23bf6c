package httpserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
)

func getWithKey(t *testing.T, url, key string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestRESTRateLimitPerTenant(t *testing.T) {
	t.Parallel()
	var limited atomic.Int64
	f := newFixture(t, fixtureOpts{limiter: ratelimit.NewLocal(ratelimit.Config{PerMinute: 60, Burst: 2}),
		onLimited: func() { limited.Add(1) }})
	url := f.http.URL + "/v1/organization"
	for i := range 2 {
		if resp := getWithKey(t, url, keyA); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, resp.StatusCode)
		}
	}
	before := len(f.sim.Requests())
	resp := getWithKey(t, url, keyA)
	var body struct{ Error, Message string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
		body.Error != "rate_limited" {
		t.Fatalf("over the limit: %d %q %+v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if after := len(f.sim.Requests()); after != before {
		t.Fatal("a limited request reached the upstream")
	}
	if n := limited.Load(); n != 1 {
		t.Fatalf("OnLimited called %d times, want 1", n)
	}
	if resp := getWithKey(t, url, keyB); resp.StatusCode != http.StatusOK {
		t.Fatalf("tenant B limited by A: %d", resp.StatusCode)
	}
	for _, probe := range []string{"/healthz", "/readyz", "/metrics"} {
		for range 5 {
			if resp := getWithKey(t, f.http.URL+probe, ""); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s limited: %d", probe, resp.StatusCode)
			}
		}
	}
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{})
	kept := getWithKey(t, f.http.URL+"/v1/organization", keyA, "X-Request-Id", "trace-42.a:b")
	if got := kept.Header.Get("X-Request-Id"); got != "trace-42.a:b" {
		t.Fatalf("sane request id not kept: %q", got)
	}
	made := getWithKey(t, f.http.URL+"/v1/organization", keyA, "X-Request-Id", "bad id <script>")
	id := made.Header.Get("X-Request-Id")
	if id == "" || id == "bad id <script>" {
		t.Fatalf("insane request id kept: %q", id)
	}
	if !f.logContains(`"request_id":"trace-42.a:b"`) {
		t.Fatal("the request log line lacks the request id")
	}
}

func (f *fixture) logContains(s string) bool {
	return strings.Contains(f.logBuf.String(), s)
}
