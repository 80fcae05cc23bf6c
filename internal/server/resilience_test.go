package server_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// served starts the HTTP server for cfg against sim and returns its URL.
func served(t *testing.T, cfg config.Config) string {
	t.Helper()
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
	return hs.URL
}

func simFor(t *testing.T, keys ...string) (*xytesim.Server, string) {
	t.Helper()
	var orgs []xytesim.Org
	for _, k := range keys {
		orgs = append(orgs, xytesim.Org{Key: k})
	}
	sim := xytesim.New(xytesim.Config{Orgs: orgs, CommandDelay: time.Nanosecond})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	return sim, up.URL
}

// TestReplicasShareRateLimitThroughRedis: two servers on the real Redis at
// 127.0.0.1:6379 share one tenant's budget; another tenant is unaffected.
func TestReplicasShareRateLimitThroughRedis(t *testing.T) {
	t.Parallel()
	keyA, keyB := "rl-A-"+rand.Text(), "rl-B-"+rand.Text() // fresh tenants in the shared Redis
	_, upstream := simFor(t, keyA, keyB)
	cfg := config.Defaults()
	cfg.BaseURL, cfg.RedisURL, cfg.RateLimit, cfg.RateBurst = upstream, "redis://127.0.0.1:6379/0", 60, 4
	replicas := []string{served(t, cfg), served(t, cfg)}

	limited := 0
	for i := range 8 {
		if status, _ := call(t, "GET", replicas[i%2]+"/v1/organization", keyA, ""); status == 429 {
			limited++
		}
	}
	if limited != 4 {
		t.Fatalf("%d of 8 requests limited across two replicas; the shared burst is 4", limited)
	}
	if status, _ := call(t, "GET", replicas[1]+"/v1/organization", keyB, ""); status != 200 {
		t.Fatalf("tenant B limited by A's use: %d", status)
	}
}

// TestUpstreamHangIsATimelyError (B19): an upstream that never answers gives
// a tool error and a 504 within the configured deadline.
func TestUpstreamHangIsATimelyError(t *testing.T) {
	t.Parallel()
	const key = "hang-key-0123456789"
	sim, upstream := simFor(t, key)
	if err := sim.SetFaults(xytesim.Fault{Route: "*", Hang: true}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.BaseURL, cfg.UpstreamTimeout, cfg.RateLimit = upstream, 300*time.Millisecond, 0
	base := served(t, cfg)

	start := time.Now()
	status, body := call(t, "GET", base+"/v1/organization", key, "")
	if status != http.StatusGatewayTimeout || body["error"] != "timeout" || time.Since(start) > 5*time.Second {
		t.Fatalf("REST: %d %v after %v", status, body, time.Since(start))
	}
	cs := connectMCP(t, base, key)
	start = time.Now()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_organization_info"})
	if err != nil || !res.IsError || time.Since(start) > 5*time.Second {
		t.Fatalf("MCP: %v %+v after %v", err, res, time.Since(start))
	}
	if text := res.Content[0].(*mcp.TextContent).Text; !strings.HasPrefix(text, "timeout:") {
		t.Fatalf("MCP error text %q", text)
	}
}

// TestCommandSentOnceWhenTheUpstreamFails (B21): send_command over MCP and
// over REST reach the upstream exactly once each when it fails after
// reading the request, and the caller is told the outcome is unknown.
func TestCommandSentOnceWhenTheUpstreamFails(t *testing.T) {
	t.Parallel()
	const key = "once-key-0123456789"
	sim, upstream := simFor(t, key)
	cfg := config.Defaults()
	cfg.BaseURL, cfg.RateLimit = upstream, 0
	base := served(t, cfg)
	device := sim.DeviceIDs(key)[0]
	const sendRoute = "POST /core/v1/organization/devices/{device_id}/commands"

	for _, fault := range []xytesim.Fault{{Route: "commands.sendCommand", Status: 502},
		{Route: "commands.sendCommand", DropAfterBody: true}} {
		if err := sim.SetFaults(fault); err != nil {
			t.Fatal(err)
		}
		sim.ClearRequests()
		status, body := call(t, "POST", base+"/v1/devices/"+device+"/commands", key, `{"name":"reboot"}`)
		msg, _ := body["message"].(string)
		if status < 500 || !strings.Contains(msg, "outcome") {
			t.Fatalf("REST %+v: %d %v", fault, status, body)
		}
		res, err := connectMCP(t, base, key).CallTool(context.Background(), &mcp.CallToolParams{
			Name: "send_command", Arguments: map[string]any{"device_id": device, "name": "reboot"}})
		if err != nil || !res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "outcome") {
			t.Fatalf("MCP %+v: %v %+v", fault, err, res)
		}
		n := 0
		for _, r := range sim.Requests() {
			if r.Route == sendRoute {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("fault %+v: the upstream saw %d sends for two calls; want exactly 2", fault, n)
		}
	}
}

// connectMCP opens a go-sdk client session over Streamable HTTP with key.
func connectMCP(t *testing.T, base, key string) *mcp.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: authTransport{key: key}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(
		context.Background(), &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: hc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

type authTransport struct{ key string }

func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+a.key)
	return http.DefaultTransport.RoundTrip(r)
}
