package edgetest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

var probePaths = []string{"/healthz", "/readyz", "/metrics", "/v1/healthz", "/v1/readyz",
	"/v1/metrics"}

// TestB10ProbesAndMetrics: health, readiness and metrics answer 200 whatever
// the Authorization or Origin header, in both modes and with the upstream
// gone; they are exempt from rate limits and are not logged at info; and
// metric labels stay bounded (route templates, known tool names, "other")
// however many distinct ids, paths and tool names arrive, with no key, id or
// tenant hash in them.
func TestB10ProbesAndMetrics(t *testing.T) {
	t.Parallel()
	for _, serverKey := range []string{"", keyA} {
		t.Run(fmt.Sprintf("single-tenant=%v", serverKey != ""), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{serverKey: serverKey, level: -4, mutate: func(c *config.Config) {
				c.RateLimit, c.RateBurst = 60, 2
				allowApp(c)
			}})
			checkProbes(t, e, "upstream up")
			if n := len(e.upstreamCalls()); n != 0 {
				t.Errorf("probes made %d upstream calls", n)
			}
			for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
				var entry struct{ Level, Msg, Route string }
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if entry.Msg == "http request" && entry.Level != "DEBUG" {
					t.Errorf("probe logged at %s: %s", entry.Level, line)
				}
			}
			// The rate limit applies to everything else.
			limited := false
			for range 10 {
				limited = limited || e.get(t, "/v1/devices", keyA).status == 429
			}
			if !limited {
				t.Error("the rate limit did not apply to /v1/devices")
			}
			checkProbes(t, e, "tenant limited")
			e.httpUpstreamDown(t)
			checkProbes(t, e, "upstream down")
		})
	}
}

// checkProbes calls every probe with no header, a garbage key and a foreign
// Origin, several times: all answer 200.
func checkProbes(t *testing.T, e *env, when string) {
	t.Helper()
	headers := []http.Header{{}, {"Authorization": {"Bearer garbage"}},
		{"Authorization": {"Bearer "}}, {"Origin": {"https://evil.test"}},
		{"Authorization": {keyB + "," + keyA}}}
	for _, path := range probePaths {
		for _, h := range headers {
			for range 3 {
				if r := e.send(t, request{path: path, header: h}); r.status != http.StatusOK {
					t.Errorf("%s: GET %s with %v = %d %s", when, path, h, r.status, r)
				}
			}
		}
	}
}

// httpUpstreamDown stops the simulator's listener by making every request
// to it fail: the upstream is gone.
func (e *env) httpUpstreamDown(t *testing.T) {
	t.Helper()
	e.upstreamServer.Close()
	if resp, err := http.Get(e.upstreamServer.URL); err == nil {
		resp.Body.Close()
		t.Fatal("the upstream still answers")
	}
}

// TestB10MetricLabelsBounded sends 500 reads of random device ids, random
// paths and unknown tool names, and checks that the number of series stays
// where it was and that no id, path, key or tenant hash became a label.
func TestB10MetricLabelsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	cs := e.mustConnect(t, "Bearer "+keyA)
	warm := func() {
		e.get(t, "/v1/devices/"+rand.Text(), "Bearer "+keyA)
		e.get(t, "/"+rand.Text(), "")
		callTool(t, cs, "get_device", map[string]any{"device_id": rand.Text()})
		e.postMCP(t, keyA, toolCall("no_such_tool_"+strings.ToLower(rand.Text()), nil))
	}
	warm()
	seriesCount(t, e) // the scrape itself is a series too
	before := seriesCount(t, e)
	var ids []string
	for i := range 500 {
		id := rand.Text()
		ids = append(ids, id)
		switch i % 4 {
		case 0:
			e.get(t, "/v1/devices/"+id, "Bearer "+keyA)
		case 1:
			e.get(t, "/random/"+id, "Bearer "+keyB)
		case 2:
			callTool(t, cs, "get_device", map[string]any{"device_id": id})
		default:
			e.postMCP(t, keyB, toolCall("tool_"+strings.ToLower(id), nil))
		}
	}
	after := seriesCount(t, e)
	if after > before+5 {
		t.Errorf("series grew from %d to %d over 500 distinct ids", before, after)
	}
	text := string(e.get(t, "/metrics", "").body)
	for _, s := range append(ids, keyA, keyB, tenant.Hash(keyA), tenant.Hash(keyB)) {
		if strings.Contains(text, s) || strings.Contains(text, strings.ToLower(s)) {
			t.Fatalf("/metrics holds %q", s)
		}
	}
	for _, want := range []string{`route="/v1/devices/{device_id}"`, `route="other"`,
		`tool="other"`, `tool="get_device"`} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

var seriesLine = regexp.MustCompile(`(?m)^xyte_mcp_[a-z_]+(\{[^}]*\})? `)

func seriesCount(t *testing.T, e *env) int {
	t.Helper()
	r := e.get(t, "/metrics", "")
	return len(seriesLine.FindAllString(string(r.body), -1))
}
