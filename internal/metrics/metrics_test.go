package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func TestLabelsStayBounded(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	s, err := New(reg, []string{"get_device"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		id := strings.Repeat("x", i)
		s.Attempt("devices.getDevice/"+id, 404, xyte.CodeNotFound, time.Millisecond)
		s.ToolCall("tool_"+id, "weird "+id, time.Millisecond)
	}
	s.Attempt("devices.getDevice", 200, "", time.Millisecond)
	s.ToolCall("get_device", "ok", time.Millisecond)
	if n := testutil.CollectAndCount(s.upstreamCalls); n != 2 {
		t.Fatalf("%d upstream series after 100 odd endpoints; want 2", n)
	}
	if n := testutil.CollectAndCount(s.toolCalls); n != 2 {
		t.Fatalf("%d tool series after 100 odd tools; want 2", n)
	}
	want := `
# HELP xyte_mcp_tool_calls_total MCP tool calls, by tool name and outcome (ok, or an error code).
# TYPE xyte_mcp_tool_calls_total counter
xyte_mcp_tool_calls_total{outcome="ok",tool="get_device"} 1
xyte_mcp_tool_calls_total{outcome="other",tool="other"} 100
`
	if err := testutil.CollectAndCompare(s.toolCalls, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

// TestEventsReachTheirSeries: breaker states, retries, cache events and rate
// limit decisions each land in their series with the documented values.
func TestEventsReachTheirSeries(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	s, err := New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.BreakerState("hub.xyte.io", "open")
	s.BreakerState("sim.test", "half-open")
	s.Retry("devices.getDevice")
	s.Retry("devices.getDevice/d-123") // not a catalog key
	s.Hit()
	s.Miss()
	s.Miss()
	s.Eviction()
	s.RateLimited("http")
	s.RateLimitFallback()
	want := map[prometheus.Collector]string{
		s.breakerState: `
# HELP xyte_mcp_upstream_breaker_state Circuit breaker state of the Xyte API: 0 closed, 1 half-open, 2 open.
# TYPE xyte_mcp_upstream_breaker_state gauge
xyte_mcp_upstream_breaker_state{host="hub.xyte.io"} 2
xyte_mcp_upstream_breaker_state{host="sim.test"} 1
`,
		s.upstreamRetries: `
# HELP xyte_mcp_upstream_retries_total Retries of idempotent Xyte API calls, by endpoint key.
# TYPE xyte_mcp_upstream_retries_total counter
xyte_mcp_upstream_retries_total{endpoint="devices.getDevice"} 1
xyte_mcp_upstream_retries_total{endpoint="other"} 1
`,
		s.cacheEvents: `
# HELP xyte_mcp_cache_events_total Response cache lookups and evictions, by event (hit, miss, eviction).
# TYPE xyte_mcp_cache_events_total counter
xyte_mcp_cache_events_total{event="eviction"} 1
xyte_mcp_cache_events_total{event="hit"} 1
xyte_mcp_cache_events_total{event="miss"} 2
`,
		s.rateLimited: `
# HELP xyte_mcp_rate_limited_total Requests refused by the per-tenant rate limit, by surface (http, mcp).
# TYPE xyte_mcp_rate_limited_total counter
xyte_mcp_rate_limited_total{surface="http"} 1
`,
	}
	for c, text := range want {
		if err := testutil.CollectAndCompare(c, strings.NewReader(text)); err != nil {
			t.Error(err)
		}
	}
	if got := testutil.ToFloat64(s.rateFallbacks); got != 1 {
		t.Errorf("fallbacks = %v", got)
	}
	names := map[string]bool{}
	families, _ := reg.Gather()
	for _, f := range families {
		names[f.GetName()] = true
	}
	if !names["go_goroutines"] || !names["process_start_time_seconds"] {
		t.Error("the registry lacks the Go or process collectors")
	}
	if _, err := New(reg, nil); err == nil {
		t.Error("a second Set on one registry was accepted")
	}
}
