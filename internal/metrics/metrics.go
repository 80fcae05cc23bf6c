// Package metrics holds the Prometheus collectors of the parts of the server
// below HTTP: upstream calls, the circuit breaker, the response cache, rate
// limits and MCP tool calls. Every name starts with xyte_mcp_; labels hold
// endpoint keys, tool names, outcomes and states from fixed sets, never a
// path, an id or a key.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// other is the label of a value outside the known set, so that no label can
// grow without bound.
const other = "other"

// NewRegistry returns a registry with the Go runtime and process collectors,
// the base every process of the server exports.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Set is every collector of this package.
type Set struct {
	upstreamCalls    *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	upstreamRetries  *prometheus.CounterVec
	breakerState     *prometheus.GaugeVec
	cacheEvents      *prometheus.CounterVec
	rateLimited      *prometheus.CounterVec
	rateFallbacks    prometheus.Counter
	toolCalls        *prometheus.CounterVec
	toolDuration     *prometheus.HistogramVec

	endpoints map[string]bool
	tools     map[string]bool
}

var buckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New creates the collectors and registers them with reg. tools, when not
// empty, lists the tool names that get their own label value; otherwise the
// caller must pass only names of tools that exist.
func New(reg prometheus.Registerer, tools []string) (*Set, error) {
	s := &Set{
		upstreamCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xyte_mcp_upstream_requests_total",
			Help: "Requests to the Xyte API, by endpoint key and status (0: no response).",
		}, []string{"endpoint", "status", "code"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xyte_mcp_upstream_request_duration_seconds", Buckets: buckets,
			Help: "Time of one request to the Xyte API, by endpoint key.",
		}, []string{"endpoint"}),
		upstreamRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xyte_mcp_upstream_retries_total",
			Help: "Retries of idempotent Xyte API calls, by endpoint key.",
		}, []string{"endpoint"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "xyte_mcp_upstream_breaker_state",
			Help: "Circuit breaker state of the Xyte API: 0 closed, 1 half-open, 2 open.",
		}, []string{"host"}),
		cacheEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xyte_mcp_cache_events_total",
			Help: "Response cache lookups and evictions, by event (hit, miss, eviction).",
		}, []string{"event"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xyte_mcp_rate_limited_total",
			Help: "Requests refused by the per-tenant rate limit, by surface (http, mcp).",
		}, []string{"surface"}),
		rateFallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xyte_mcp_rate_limit_fallbacks_total",
			Help: "Rate limit decisions made in-process because the shared store failed.",
		}),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xyte_mcp_tool_calls_total",
			Help: "MCP tool calls, by tool name and outcome (ok, or an error code).",
		}, []string{"tool", "outcome"}),
		toolDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xyte_mcp_tool_call_duration_seconds", Buckets: buckets,
			Help: "Time of one MCP tool call, by tool name.",
		}, []string{"tool"}),
		endpoints: map[string]bool{},
		tools:     map[string]bool{},
	}
	for _, e := range xyte.Catalog() {
		s.endpoints[e.Key] = true
	}
	for _, t := range tools {
		s.tools[t] = true
	}
	for _, c := range []prometheus.Collector{s.upstreamCalls, s.upstreamDuration, s.upstreamRetries,
		s.breakerState, s.cacheEvents, s.rateLimited, s.rateFallbacks, s.toolCalls, s.toolDuration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Set) endpoint(key string) string {
	if s.endpoints[key] {
		return key
	}
	return other
}

// Attempt implements xyte.Observer.
func (s *Set) Attempt(endpoint string, status int, code xyte.Code, d time.Duration) {
	ep := s.endpoint(endpoint)
	c := string(code)
	if c == "" {
		c = "ok"
	}
	s.upstreamCalls.WithLabelValues(ep, strconv.Itoa(status), c).Inc()
	s.upstreamDuration.WithLabelValues(ep).Observe(d.Seconds())
}

// Retry implements xyte.Observer.
func (s *Set) Retry(endpoint string) { s.upstreamRetries.WithLabelValues(s.endpoint(endpoint)).Inc() }

// BreakerState implements xyte.Observer.
func (s *Set) BreakerState(host, state string) {
	v := map[string]float64{"closed": 0, "half-open": 1, "open": 2}[state]
	s.breakerState.WithLabelValues(host).Set(v)
}

// Hit implements cache.Recorder.
func (s *Set) Hit() { s.cacheEvents.WithLabelValues("hit").Inc() }

// Miss implements cache.Recorder.
func (s *Set) Miss() { s.cacheEvents.WithLabelValues("miss").Inc() }

// Eviction implements cache.Recorder.
func (s *Set) Eviction() { s.cacheEvents.WithLabelValues("eviction").Inc() }

// RateLimited counts a request refused by the rate limit on a surface
// ("http" or "mcp").
func (s *Set) RateLimited(surface string) { s.rateLimited.WithLabelValues(surface).Inc() }

// RateLimitFallback counts a decision made locally because Redis failed.
func (s *Set) RateLimitFallback() { s.rateFallbacks.Inc() }

// ToolCall records one MCP tool call: its name, outcome ("ok" or an error
// code) and duration. Unknown tool names are recorded as "other".
func (s *Set) ToolCall(tool, outcome string, d time.Duration) {
	if len(s.tools) > 0 && !s.tools[tool] {
		tool = other
	}
	if !outcomes[outcome] {
		outcome = other
	}
	s.toolCalls.WithLabelValues(tool, outcome).Inc()
	s.toolDuration.WithLabelValues(tool).Observe(d.Seconds())
}

// outcomes are the tool outcome labels: success and the failure codes.
var outcomes = map[string]bool{
	"ok": true, "error": true,
	string(xyte.CodeNotFound): true, string(xyte.CodeUnauthorized): true,
	string(xyte.CodeForbidden): true, string(xyte.CodeInvalidParams): true,
	string(xyte.CodeRateLimited): true, string(xyte.CodeUpstream): true,
	string(xyte.CodeNetwork): true, string(xyte.CodeTimeout): true,
}
