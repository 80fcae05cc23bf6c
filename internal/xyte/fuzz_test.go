package xyte_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// FuzzPathParameters checks that no id can make the upstream receive a request
// for any route other than the intended endpoint's, or a path parameter other
// than the id given: either the client refuses the id before sending anything,
// or the simulator sees exactly one request, matched to the intended route,
// whose path parameters decode to the ids given.
func FuzzPathParameters(f *testing.F) {
	for _, s := range []string{"d1", "../../tickets", "..%2F..%2Ftickets", "%2e%2e", "d1?limit=100000",
		"d1#x", "a/b", "", " d1", "ü-設備-1", ".", "..", "a/../b", "%", "d1;x=1", "\x00", "a\\b",
		"//", "?", "#", "histories", "claim", "commands/c1"} {
		f.Add(s, "c1")
	}
	sim, c := newSim(f)
	ctx := context.Background()
	const (
		getRoute    = "GET /core/v1/organization/devices/{device_id}"
		cancelRoute = "DELETE /core/v1/organization/devices/{device_id}/commands/{command_id}"
	)
	f.Fuzz(func(t *testing.T, deviceID, commandID string) {
		sim.ClearRequests()
		_, err := c.GetDevice(ctx, deviceID)
		checkOneRequest(t, sim.Requests(), err, getRoute, map[string]string{"device_id": deviceID})

		sim.ClearRequests()
		_, err = c.CancelCommand(ctx, deviceID, commandID)
		checkOneRequest(t, sim.Requests(), err, cancelRoute,
			map[string]string{"device_id": deviceID, "command_id": commandID})
	})
}

func checkOneRequest(t *testing.T, reqs []xytesimRequest, err error, route string, want map[string]string) {
	t.Helper()
	if errors.Is(err, xyte.ErrInvalidArgument) {
		if len(reqs) != 0 {
			t.Fatalf("refused ids still sent %d requests", len(reqs))
		}
		return
	}
	if len(reqs) != 1 {
		t.Fatalf("want 1 request, got %d (err %v)", len(reqs), err)
	}
	got := reqs[0]
	checkRawPath(t, got.RawPath, route, want)
	if got.Route != route {
		t.Fatalf("ids %q reached route %q (raw path %q), want %q", want, got.Route, got.RawPath, route)
	}
	for name, v := range want {
		if got.PathParams[name] != v {
			t.Fatalf("%s arrived as %q, sent %q (raw path %q)", name, got.PathParams[name], v, got.RawPath)
		}
	}
	if got.RawQuery != "" {
		t.Fatalf("ids %q produced a query string %q", want, got.RawQuery)
	}
}

// checkRawPath checks the path as it crossed the wire: the same segments as
// the route's template, each parameter one segment that unescapes to its id.
func checkRawPath(t *testing.T, raw, route string, want map[string]string) {
	t.Helper()
	_, template, _ := strings.Cut(route, " ")
	tsegs, rsegs := strings.Split(template, "/"), strings.Split(raw, "/")
	if len(tsegs) != len(rsegs) {
		t.Fatalf("raw path %q has %d segments, template %q has %d", raw, len(rsegs), template, len(tsegs))
	}
	for i, seg := range tsegs {
		if !strings.HasPrefix(seg, "{") {
			if rsegs[i] != seg {
				t.Fatalf("raw path %q: segment %d is %q, want %q", raw, i, rsegs[i], seg)
			}
			continue
		}
		got, err := url.PathUnescape(rsegs[i])
		if name := strings.Trim(seg, "{}"); err != nil || got != want[name] {
			t.Fatalf("raw path %q: %s unescapes to %q (%v), sent %q", raw, name, got, err, want[name])
		}
	}
}
