package edgetest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// canaryUpstream stands in front of the simulator and misbehaves the way
// real upstreams do when something goes wrong: its 401 and 500 answers echo
// the request's headers, key included, and it drops connections.
//
//	GET .../info        401 echoing every header
//	GET .../incidents   500 echoing the key, in JSON and in a header
//	GET .../spaces      connection closed without an answer
//	GET .../tickets     502 HTML page echoing the key
func canaryUpstream(sim http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Authorization")
		switch {
		case strings.HasSuffix(r.URL.Path, "/organization/info"):
			dump, _ := json.Marshal(r.Header)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("WWW-Authenticate", "Key "+key)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"Invalid API key %s","message":"%s","headers":%s}`,
				key, key, dump)
		case strings.HasSuffix(r.URL.Path, "/organization/incidents"):
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Debug-Key", key)
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"error":"crashed while serving key=%s (prefix %s)"}`, key,
				key[:min(len(key), 9)])
		case strings.HasSuffix(r.URL.Path, "/organization/spaces"):
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		case strings.HasSuffix(r.URL.Path, "/organization/tickets"):
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body>Bad gateway for %s</body></html>", key)
		default:
			sim.ServeHTTP(w, r)
		}
	})
}

// canaryScenario is one fault the server handles while the canary is in
// play, through every surface that reaches it.
type canaryScenario struct {
	name  string
	calls []request
}

// toolCall is the JSON-RPC body of a tools/call.
func toolCall(name string, args map[string]any) string {
	data, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 7, "method": "tools/call",
		"params": map[string]any{"name": name, "arguments": args}})
	return string(data)
}

// resourceRead is the JSON-RPC body of a resources/read.
func resourceRead(uri string) string {
	return `{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"` + uri + `"}}`
}

// canaryScenarios lists the fault scenarios for a server whose requests use
// authz as their Authorization value.
func canaryScenarios(authz string) []canaryScenario {
	mcp := func(body string) request {
		return request{method: http.MethodPost, path: "/mcp", body: body, header: mcpHeader(authz)}
	}
	rest := func(path string) request { return request{path: path, header: authHeader(authz)} }
	return []canaryScenario{
		{"success", []request{
			mcp(toolCall("list_devices", nil)), mcp(toolCall("search_device_histories", nil)),
			mcp(resourceRead("devices://")), rest("/v1/devices"), rest("/v1/histories")}},
		{"upstream 401 echoing the key", []request{
			mcp(toolCall("get_organization_info", nil)), mcp(resourceRead("organization://info")),
			rest("/v1/organization")}},
		{"upstream 500 echoing the key", []request{
			mcp(toolCall("list_incidents", nil)), rest("/v1/incidents")}},
		{"dropped upstream connection", []request{
			mcp(toolCall("list_spaces", nil)), rest("/v1/spaces")}},
		{"upstream HTML error page", []request{
			mcp(toolCall("list_tickets", nil)), rest("/v1/tickets")}},
		{"malformed JSON", []request{
			mcp(`{"jsonrpc":"2.0","id":1,"method":`), mcp("{\"jsonrpc\":\"2.0\",\"x\":\"\xff\"}"),
			mcp(`[{"jsonrpc":"2.0","id":{},"method":"ping"}]`),
			{method: http.MethodPost, path: "/v1/devices/d1/commands", body: `{"name":`,
				header: mcpHeader(authz)}}},
		{"invalid keys", []request{
			{method: http.MethodPost, path: "/mcp", body: toolCall("list_devices", nil),
				header: mcpHeader("Basic " + canary)},
			{path: "/v1/devices", header: http.Header{"Authorization": {canary, canary}}},
			{path: "/v1/devices", header: authHeader("Bearer " + canary + ",Bearer x")},
			{path: "/v1/devices", header: authHeader("Bearer " + canary + "_not_known")},
			{path: "/v1/devices", header: authHeader("Bearer xk_CANARY_7f3b")},
			{path: "/v1/devices", header: authHeader(canary[:10])},
			{method: http.MethodPost, path: "/mcp", body: toolCall("list_devices", nil),
				header: mcpHeader("Bearer " + canary + "é")}}},
	}
}

// TestB11CanaryKeyNeverLeaks runs every fault scenario with the canary key,
// as a tenant's key and as a single-tenant server's own key, at debug and at
// error level, and then looks for the canary, and for every fragment of it
// of six characters or more, in the whole log output, every answer (bodies
// and headers, tool results, JSON-RPC errors and any event stream) and
// /metrics. Upstream bodies that echo the key are summarized, never quoted.
func TestB11CanaryKeyNeverLeaks(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelError} {
		for _, single := range []bool{false, true} {
			name := fmt.Sprintf("%s/single-tenant=%v", level, single)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				o := envOpts{level: level, upstream: canaryUpstream}
				authz := "Bearer " + canary
				if single {
					o.serverKey, authz = canary, ""
				}
				// Each scenario has a server of its own, so that one's
				// retries and open circuit breaker do not shape another's.
				// They run at once: the upstream faults make each wait out
				// the client's retry backoff.
				var wg sync.WaitGroup
				for _, sc := range canaryScenarios(authz) {
					e := newEnv(t, o)
					wg.Go(func() { checkCanaryScenario(t, e, sc) })
				}
				wg.Wait()
			})
		}
	}
}

// checkCanaryScenario runs one scenario and searches its output. It may run
// outside the test's goroutine, so it reports with Errorf only.
func checkCanaryScenario(t *testing.T, e *env, sc canaryScenario) {
	var out strings.Builder
	for _, req := range append(sc.calls, request{path: "/metrics"}) {
		r, err := e.try(req)
		if err != nil {
			t.Errorf("%s: %v", sc.name, err)
			return
		}
		if r.status >= 500 && r.status != http.StatusBadGateway {
			t.Errorf("%s: %s %s: status %d: %s", sc.name, req.method, req.path, r.status, r)
		}
		fmt.Fprintf(&out, "%d %v %s\n", r.status, r.header, r.body)
	}
	logs := e.logs.String()
	if e.cfg.LogLevel == slog.LevelDebug && !strings.Contains(logs, `"level":"DEBUG"`) {
		t.Errorf("%s: no debug line was logged: the level did not apply", sc.name)
	}
	if sc.name == "success" && strings.Contains(out.String(), `"isError":true`) {
		t.Errorf("the success scenario did not succeed:\n%s", out.String())
	}
	for where, text := range map[string]string{"answers and /metrics": out.String(),
		"logs": logs} {
		if frag, ok := canaryFragment(text); ok {
			t.Errorf("%s: %s hold %q of the canary key:\n%s", sc.name, where, frag, text)
		}
	}
}

// canaryFragment returns the first piece of the canary key, six characters
// or more, found in text.
func canaryFragment(text string) (string, bool) {
	const n = 6
	for i := 0; i+n <= len(canary); i++ {
		if strings.Contains(text, canary[i:i+n]) {
			return canary[i : i+n], true
		}
	}
	return "", false
}
