package edgetest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const deviceRoute = "GET /core/v1/organization/devices/{device_id}"

// TestB25IDsStayOneSegment sends every id of field report B25 through the
// get_device tool, the device resource and GET /v1/devices/{id}, and reads
// what the upstream received. Each id either is refused before any upstream
// call (empty, surrounding spaces, dot segments, control characters), as a
// tool error or 400, or reaches the upstream as exactly one escaped path
// segment of the device route that decodes to the id itself, with no query
// string: traversal, '?' and '#' stay inside the segment, and unicode
// survives the round trip.
func TestB25IDsStayOneSegment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	cs := e.mustConnect(t, "Bearer "+keyA)
	ids := []struct {
		id      string
		refused bool
	}{
		{"../../tickets", true},
		{"..%2F..%2Ftickets", true},
		{"%2e%2e", true},
		{"d1?limit=100000", true},
		{"d1#x", true},
		{"a/b", true},
		{"a/../b", true},
		{"a\\b", true},
		{"histories", true},
		{"ü-設備-1", false},
		{"", true},
		{" d1", true},
		{"d1 ", true},
		{".", true},
		{"..", true},
		{"d1\x00", true},
		{"d1\nx", true},
	}
	for _, tt := range ids {
		for _, surface := range []string{"tool", "resource", "REST"} {
			before := len(e.upstreamCalls())
			refused, detail := getDeviceVia(t, e, cs, surface, tt.id)
			calls := e.upstreamCalls()[before:]
			if surface == "REST" && (tt.id == "." || tt.id == "..") {
				// In a URL these are dot segments, not ids: the path is
				// resolved before routing. No device is asked for.
				for _, c := range calls {
					if c.Route == deviceRoute {
						t.Errorf("REST %q reached the device route as %q", tt.id, c.RawPath)
					}
				}
				continue
			}
			if tt.refused {
				if !refused || len(calls) != 0 {
					t.Errorf("%s %q: refused %v (%s), %d upstream calls; want refused, none",
						surface, tt.id, refused, detail, len(calls))
				}
				continue
			}
			checkOneSegment(t, surface, tt.id, calls)
		}
	}
	// Raw REST paths whose escapes spell traversal: never another route.
	for _, raw := range []string{"/v1/devices/..%2Ftickets", "/v1/devices/%2e%2e",
		"/v1/devices/%2E%2E%2F%2E%2E%2Ftickets", "/v1/devices/..%5Ctickets"} {
		before := len(e.upstreamCalls())
		r := e.send(t, request{path: raw, header: authHeader(keyA)})
		if r.status >= 500 && r.status != http.StatusBadGateway {
			t.Errorf("GET %s: %d", raw, r.status)
		}
		for _, c := range e.upstreamCalls()[before:] {
			if c.Route != deviceRoute || c.RawQuery != "" {
				t.Errorf("GET %s reached %q %q", raw, c.Route, c.RawPath)
			}
		}
	}
}

// getDeviceVia reads one device through a surface and reports whether the
// id was refused as invalid.
func getDeviceVia(t *testing.T, e *env, cs *mcp.ClientSession, surface, id string) (bool,
	string) {
	t.Helper()
	switch surface {
	case "tool":
		res := callTool(t, cs, "get_device", map[string]any{"device_id": id})
		text := resultText(res)
		return res.IsError && strings.Contains(text, "invalid_params"), text
	case "resource":
		_, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "device://" +
			url.PathEscape(id)})
		if err == nil {
			return false, "read"
		}
		return true, err.Error()
	}
	r := e.send(t, request{path: "/v1/devices/" + url.PathEscape(id), header: authHeader(keyA)})
	if id == "" {
		// GET /v1/devices/ names no device: no route, no call.
		return r.status == http.StatusNotFound || r.status == http.StatusBadRequest, r.String()
	}
	return r.status == http.StatusBadRequest, r.String()
}

// checkOneSegment checks that an id reached the upstream, if at all, only on
// the device route, as one segment that decodes to the id, with no query.
func checkOneSegment(t *testing.T, surface, id string, calls []xytesim.Request) {
	t.Helper()
	if len(calls) == 0 && strings.HasPrefix(id, "ü") && surface != "resource" {
		t.Errorf("%s %q: a legitimate id did not reach the upstream", surface, id)
	}
	for _, c := range calls {
		seg, ok := strings.CutPrefix(c.RawPath, "/core/v1/organization/devices/")
		decoded, err := url.PathUnescape(seg)
		if c.Route != deviceRoute || !ok || strings.Contains(seg, "/") || err != nil ||
			decoded != id || c.PathParams["device_id"] != id || c.RawQuery != "" {
			t.Errorf("%s %q reached %q as %q (query %q)", surface, id, c.Route, c.RawPath,
				c.RawQuery)
		}
	}
}
