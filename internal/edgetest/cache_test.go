package edgetest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// upstreamCount counts the upstream requests on a route of the simulator.
func (e *env) upstreamCount(route string) int {
	n := 0
	for _, r := range e.upstreamCalls() {
		if strings.HasSuffix(r.Route, route) {
			n++
		}
	}
	return n
}

// TestB24ResponseCache: the response cache is keyed by tenant and by every
// argument, sits behind authentication, keeps no failure (4xx, 5xx, 429),
// and is dropped by a write; /v1 answers are marked private to the caller.
func TestB24ResponseCache(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{mutate: func(c *config.Config) { c.CacheTTL = time.Minute }})
	a, _ := e.sim.Snapshot(keyA)
	b, _ := e.sim.Snapshot(keyB)
	csA, csB := e.mustConnect(t, "Bearer "+keyA), e.mustConnect(t, "Bearer "+keyB)

	t.Run("tenant in the key", func(t *testing.T) {
		for range 2 {
			for _, v := range []struct {
				authz string
				own   xytesim.Snapshot
				other xytesim.Snapshot
			}{{keyA, a, b}, {keyB, b, a}} {
				r := e.get(t, "/v1/devices?per_page=5", v.authz)
				if mark, ok := foreignMark(string(r.body), v.other); ok || r.status != 200 {
					t.Fatalf("%s sees %q of %s (%d)", v.own.Name, mark, v.other.Name, r.status)
				}
			}
			for _, v := range []tenantView{{own: a, foreign: b, cs: csA},
				{own: b, foreign: a, cs: csB}} {
				text := resultText(callTool(t, v.cs, "list_devices", map[string]any{"per_page": 5}))
				if mark, ok := foreignMark(text, v.foreign); ok {
					t.Fatalf("%s sees %q of %s", v.own.Name, mark, v.foreign.Name)
				}
			}
		}
	})

	t.Run("arguments in the key", func(t *testing.T) {
		first := e.get(t, "/v1/devices?per_page=1", keyA)
		second := e.get(t, "/v1/devices?per_page=2", keyA)
		if strings.Count(string(first.body), `"id"`) >= strings.Count(string(second.body), `"id"`) {
			t.Errorf("per_page=2 was answered from per_page=1's entry")
		}
	})

	t.Run("anonymous caller", func(t *testing.T) {
		e.get(t, "/v1/devices", keyA)
		before := len(e.upstreamCalls())
		r := e.get(t, "/v1/devices", "")
		if r.status != 401 || strings.Contains(string(r.body), a.DeviceIDs[0]) {
			t.Errorf("anonymous caller: %d %s", r.status, r)
		}
		if len(e.upstreamCalls()) != before {
			t.Error("an anonymous caller reached the upstream")
		}
	})

	t.Run("private answers", func(t *testing.T) {
		for _, path := range []string{"/v1/devices", "/v1/devices/" + a.DeviceIDs[0],
			"/v1/devices/no-such-device"} {
			r := e.get(t, path, keyA)
			cc := r.header.Get("Cache-Control")
			if !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private") {
				t.Errorf("%s: Cache-Control %q", path, cc)
			}
			if r.status == 200 && !hasItems(r.header, "Vary", "Authorization") {
				t.Errorf("%s: Vary %q", path, r.header.Values("Vary"))
			}
		}
	})

	t.Run("writes drop entries", func(t *testing.T) {
		dev := a.OnlineDeviceIDs[1]
		path := "/v1/devices/" + dev + "/commands"
		before := e.get(t, path, keyA)
		sent := e.send(t, request{method: http.MethodPost, path: path,
			body: `{"name":"reboot"}`, header: mcpHeader(keyA)})
		after := e.get(t, path, keyA)
		if sent.status != 200 || string(before.body) == string(after.body) {
			t.Errorf("a command sent (%d) did not show in the next read", sent.status)
		}
		res := callTool(t, csA, "send_command",
			map[string]any{"device_id": dev, "name": "power_on"})
		listed := resultText(callTool(t, csA, "list_device_commands",
			map[string]any{"device_id": dev}))
		if res.IsError || !strings.Contains(listed, "power_on") {
			t.Errorf("a command sent over MCP did not show in the next read")
		}
	})
}

// TestB24FailuresNotCached makes every upstream attempt of one read fail
// with a status, then lets the read succeed: the next call, well within the
// cache TTL, reaches the upstream and succeeds, over REST and over MCP; and
// the successful answer is then served from the cache. Each case has a
// server of its own, so that retries and the circuit breaker of one do not
// shape another.
func TestB24FailuresNotCached(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 503, 429, 401, 403, 404} {
		for _, surface := range []string{"REST", "MCP"} {
			t.Run(fmt.Sprintf("%d/%s", status, surface), func(t *testing.T) {
				t.Parallel()
				checkFailureNotCached(t, status, surface)
			})
		}
	}
}

func checkFailureNotCached(t *testing.T, status int, surface string) {
	e := newEnv(t, envOpts{mutate: func(c *config.Config) { c.CacheTTL = time.Minute }})
	a, _ := e.sim.Snapshot(keyA)
	dev := a.DeviceIDs[0]
	read := func() bool {
		if surface == "REST" {
			return e.get(t, "/v1/devices/"+dev, keyA).status == http.StatusOK
		}
		cs := e.mustConnect(t, keyA)
		return !callTool(t, cs, "get_device", map[string]any{"device_id": dev}).IsError
	}
	// Three attempts: the first and the client's two retries of a read.
	fault := xytesim.Fault{Route: "GET /devices/{device_id}", Status: status, Count: 3}
	if status == http.StatusTooManyRequests {
		fault.RetryAfter = "0"
	}
	if err := e.sim.SetFaults(fault); err != nil {
		t.Fatal(err)
	}
	failed := read()
	e.sim.ClearFaults()
	if failed {
		t.Fatal("the read succeeded despite the fault")
	}
	n := e.upstreamCount("/devices/{device_id}")
	if !read() {
		t.Fatalf("the read after a %d failed: the failure was kept", status)
	}
	if e.upstreamCount("/devices/{device_id}") != n+1 {
		t.Errorf("the read after a %d did not reach the upstream", status)
	}
	if !read() || e.upstreamCount("/devices/{device_id}") != n+1 {
		t.Error("the successful answer was not served from the cache")
	}
}
