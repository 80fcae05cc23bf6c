package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// fakeHub stands in for Xyte with fixed data, for shapes and sizes the
// simulator does not seed. Routes are "METHOD /path" below the organization
// root. A list is served one page at a time, as the page and per_page (or
// page_size) parameters ask, or whole when they are not sent; an answer is
// sent as it is, whatever the query.
type fakeHub struct {
	lists   map[string][]string // JSON objects of a list, by route
	answers map[string]string   // JSON bodies, by route

	mu   sync.Mutex
	hits map[string]int
}

func newFakeHub(t *testing.T, h *fakeHub) *xyte.Client {
	t.Helper()
	h.hits = map[string]int{}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	c, err := xyte.New(xyte.Options{BaseURL: ts.URL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, path, _ := strings.Cut(r.URL.Path, "/organization")
	route := r.Method + " " + path
	h.mu.Lock()
	h.hits[route]++
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if body, ok := h.answers[route]; ok {
		_, _ = io.WriteString(w, body)
		return
	}
	items, ok := h.lists[route]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"Not found"}`)
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page") + q.Get("page_size"))
	if per == 0 {
		per = len(items)
	}
	start := min(max(page-1, 0)*per, len(items))
	end := min(start+per, len(items))
	_, _ = fmt.Fprintf(w, `{"items":[%s],"has_next_page":%t}`,
		strings.Join(items[start:end], ","), end < len(items))
}

func (h *fakeHub) count(route string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[route]
}

// objects returns n JSON objects made by format, which is given i.
func objects(n int, format func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = format(i)
	}
	return out
}

// TestScansStopAtThePageLimit: a hub whose lists never end is read for a
// bounded number of pages, and the answer says it was cut.
func TestScansStopAtThePageLimit(t *testing.T) {
	t.Parallel()
	// A bare array as long as the page size says nothing of paging: another
	// page is assumed to follow.
	devices := "[" + strings.Join(objects(xyte.MaxPerPage, func(i int) string {
		return fmt.Sprintf(`{"id":"d%d","name":"Panel %d","status":"offline"}`, i, i)
	}), ",") + "]"
	hub := &fakeHub{answers: map[string]string{
		"GET /devices":   devices,
		"GET /incidents": `{"items":[{"id":"i1","status":"active"}],"has_next_page":true}`,
	}}
	c := newFakeHub(t, hub)
	ctx := context.Background()

	list, err := fleet.ListDevices(ctx, c, fleet.DeviceFilter{Status: "online"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Devices) != 0 || !list.Truncated || !list.HasMore {
		t.Errorf("filtered endless list: %+v", list)
	}
	if n := hub.count("GET /devices"); n != fleet.MaxScanPages {
		t.Errorf("read %d device pages, want %d", n, fleet.MaxScanPages)
	}

	open, cut, err := fleet.OpenIncidents(ctx, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := hub.count("GET /incidents"); !cut || n < 2 || len(open) != n {
		t.Errorf("endless incidents: %d read over %d pages, cut %v", len(open), n, cut)
	}
}

// TestOverviewOfALargeFleet: long lists are cut at the overview's bound and
// the snapshot says so; missing statuses, models and sites count as unknown.
func TestOverviewOfALargeFleet(t *testing.T) {
	t.Parallel()
	never := objects(60, func(i int) string { return fmt.Sprintf(`{"id":"n%d","name":"Sensor %d"}`, i, i) })
	offline := objects(55, func(i int) string {
		return fmt.Sprintf(`{"id":"o%d","name":"Display %d","status":"offline",`+
			`"last_seen_at":"2025-01-01T00:00:%02dZ","space":{"id":1,"name":"HQ"}}`, i, i, i)
	})
	hub := &fakeHub{lists: map[string][]string{
		"GET /devices":   append(never, offline...),
		"GET /incidents": {},
		"GET /tickets": objects(55, func(i int) string {
			return fmt.Sprintf(`{"id":"t%d","title":"Ticket %d","status":"open"}`, i, i)
		}),
	}}
	o, err := fleet.Overview(context.Background(), newFakeHub(t, hub))
	if err != nil {
		t.Fatal(err)
	}
	if o.Devices != 115 || !o.Truncated || len(o.NeverSeen) != 50 || len(o.Offline) != 50 ||
		len(o.OpenTickets) != 50 {
		t.Errorf("snapshot: %d devices, truncated %v, %d never seen, %d offline, %d tickets",
			o.Devices, o.Truncated, len(o.NeverSeen), len(o.Offline), len(o.OpenTickets))
	}
	if o.ByStatus["unknown"] != 60 || o.BySite["unknown"] != 60 || o.BySite["HQ"] != 55 ||
		o.ByModel["unknown"] != 115 {
		t.Errorf("counts by status %v, by site %v, by model %v", o.ByStatus, o.BySite, o.ByModel)
	}
	if md := fleet.OverviewMarkdown(o); !strings.Contains(md, "counts may be low") {
		t.Errorf("markdown does not say the lists were cut:\n%s", md)
	}
}

// TestDiagnoseALargeRoom: a room with more devices than a diagnosis reads is
// cut and says so; an online device with a bad effective status is a
// warning; incidents show the space name when the hub sends no path.
func TestDiagnoseALargeRoom(t *testing.T) {
	t.Parallel()
	hub := &fakeHub{lists: map[string][]string{
		"GET /spaces": {`{"id":7,"name":"Hall","space_type":"room"}`},
		"GET /devices": objects(25, func(i int) string {
			eff := "ok"
			if i == 0 {
				eff = "degraded"
			}
			return fmt.Sprintf(`{"id":"d%d","name":"Display %d","status":"online",`+
				`"effective_status":%q,"last_seen_at":"2025-01-01T00:00:00Z"}`, i, i, eff)
		}),
		"GET /devices/histories": {},
		"GET /incidents":         {`{"id":"i1","status":"active","device_id":"d0","space_name":"Hall"}`},
		"GET /tickets":           {`{"id":"t1","status":"open","device_id":"d0","title":"Flicker"}`},
	}}
	d, err := fleet.DiagnoseRoom(context.Background(), newFakeHub(t, hub), "hall")
	if err != nil {
		t.Fatal(err)
	}
	if d.Room.Path != "Hall" || !d.Truncated || len(d.Devices) != 20 {
		t.Errorf("room %+v, truncated %v, %d devices", d.Room, d.Truncated, len(d.Devices))
	}
	want := `"Display 0" is online but its effective status is degraded`
	if !strings.Contains(strings.Join(d.Findings, "\n"), want) {
		t.Errorf("findings %q lack %q", d.Findings, want)
	}
	if len(d.OpenIncidents) != 1 || d.OpenIncidents[0].SpacePath != "Hall" || len(d.OpenTickets) != 1 {
		t.Errorf("incidents %+v, tickets %+v", d.OpenIncidents, d.OpenTickets)
	}
}

// TestResolveRoomWithoutPaths: spaces the hub sends without a full path are
// matched by name, and an ambiguity names a few candidates and counts the
// rest.
func TestResolveRoomWithoutPaths(t *testing.T) {
	t.Parallel()
	spaces := []string{`{"id":1,"name":""}`, `{"id":2,"name":"Lobby"}`}
	spaces = append(spaces, objects(7, func(i int) string {
		return fmt.Sprintf(`{"id":%d,"name":"Huddle","full_path":"HQ/Floor %d/Huddle"}`, 10+i, i)
	})...)
	c := newFakeHub(t, &fakeHub{lists: map[string][]string{"GET /spaces": spaces}})
	ctx := context.Background()

	if r, err := fleet.ResolveRoom(ctx, c, "lobby"); err != nil || r.Path != "Lobby" || r.SpaceID != 2 {
		t.Errorf("lobby: %+v, %v", r, err)
	}
	if _, err := fleet.ResolveRoom(ctx, c, "HQ/Lobby"); !errors.Is(err, fleet.ErrNotFound) {
		t.Errorf("HQ/Lobby: %v, want not found", err)
	}
	_, err := fleet.ResolveRoom(ctx, c, "Huddle")
	if argName(err) != "room" || !strings.Contains(err.Error(), "matches 7 spaces") ||
		!strings.Contains(err.Error(), "and 2 more") {
		t.Errorf("ambiguous: %v", err)
	}
}

// TestSparseHubAnswers: answers that leave fields out still give full views.
func TestSparseHubAnswers(t *testing.T) {
	t.Parallel()
	c := newFakeHub(t, &fakeHub{answers: map[string]string{
		"POST /devices/d1/commands": `{"id":"c9","status":"pending"}`,
		"GET /devices/d1":           `{"id":"d1","name":"Panel","space":{"id":3,"name":"Lobby"}}`,
	}})
	ctx := context.Background()
	cmd, err := fleet.SendCommand(ctx, c, "d1", xyte.SendCommandRequest{Name: "reboot"})
	if err != nil || cmd.ID != "c9" || cmd.DeviceID != "d1" {
		t.Errorf("command without a device id: %+v, %v", cmd, err)
	}
	d, err := fleet.GetDevice(ctx, c, "d1")
	if err != nil || d.SpacePath != "Lobby" || d.Extra != nil {
		t.Errorf("device without a space path: %+v, %v", d, err)
	}
}
