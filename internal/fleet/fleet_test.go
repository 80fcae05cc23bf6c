package fleet_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const key = "fleet-test-key"

// newSim starts a simulator and returns a client for its one organization.
func newSim(t *testing.T) (*xytesim.Server, *xyte.Client, xytesim.Snapshot) {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: key, Name: "Org"}},
		CommandDelay: time.Nanosecond})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	c, err := xyte.New(xyte.Options{BaseURL: ts.URL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := sim.Snapshot(key)
	return sim, c, snap
}

func argName(err error) string {
	var ae *xyte.ArgumentError
	if errors.As(err, &ae) {
		return ae.Name
	}
	return ""
}

func TestParseWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name     string
		from, to string
		wantFrom time.Time
		wantTo   time.Time
		wantErr  string // argument named by the error
	}{
		{name: "defaults"},
		{name: "rfc3339", from: "2025-03-01T12:00:00Z", wantFrom: now.Add(-30 * day)},
		{name: "epoch", from: "1740830400", to: "1741003200",
			wantFrom: time.Unix(1740830400, 0).UTC(), wantTo: time.Unix(1741003200, 0).UTC()},
		{name: "only to", to: "2025-01-10T00:00:00Z",
			wantFrom: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC),
			wantTo:   time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)},
		{name: "exactly 31 days", from: "2025-02-28T12:00:00Z", wantFrom: now.Add(-31 * day)},
		{name: "32 days", from: "2025-02-27T12:00:00Z", wantErr: "from"},
		{name: "32 days given", from: "2025-01-01T00:00:00Z", to: "2025-02-02T00:00:01Z",
			wantErr: "from"},
		{name: "reversed", from: "2025-03-02T00:00:00Z", to: "2025-03-01T00:00:00Z", wantErr: "to"},
		{name: "bad from", from: "last week", wantErr: "from"},
		{name: "bad to", to: "2025-03-01", wantErr: "to"},
		{name: "negative", from: "-5", wantErr: "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := fleet.ParseWindow(tt.from, tt.to, now)
			if tt.wantErr != "" {
				if got := argName(err); got != tt.wantErr {
					t.Fatalf("err %v names %q, want %q", err, got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !w.From.Equal(tt.wantFrom) || !w.To.Equal(tt.wantTo) {
				t.Errorf("window %v..%v, want %v..%v", w.From, w.To, tt.wantFrom, tt.wantTo)
			}
		})
	}
}

func TestPlanRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		endpoint string
		req      xyte.Request
		wantPath string
		wantErr  string
	}{
		{"escaped id", "devices.deleteDevice",
			xyte.Request{Path: map[string]string{"device_id": "a b;c"}},
			"/core/v1/organization/devices/a%20b%3Bc", ""},
		{"slash in id", "devices.deleteDevice",
			xyte.Request{Path: map[string]string{"device_id": "a/b"}}, "", "device_id"},
		{"dot dot", "devices.getDevice", xyte.Request{Path: map[string]string{"device_id": ".."}},
			"", "device_id"},
		{"missing", "commands.cancelCommand",
			xyte.Request{Path: map[string]string{"device_id": "d"}}, "", "command_id"},
		{"integer", "spaces.getSpace", xyte.Request{Path: map[string]string{"space_id": "x"}},
			"", "space_id"},
		{"body on delete", "devices.deleteDevice", xyte.Request{
			Path: map[string]string{"device_id": "d"}, Body: map[string]any{"x": 1}}, "", "body"},
		{"unknown", "devices.explode", xyte.Request{}, "", "endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := fleet.PlanRequest(tt.endpoint, tt.req)
			if tt.wantErr != "" {
				if got := argName(err); got != tt.wantErr {
					t.Fatalf("err %v names %q, want %q", err, got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Path != tt.wantPath || !p.DryRun {
				t.Errorf("plan %+v, want path %s", p, tt.wantPath)
			}
		})
	}
}

func TestPlanBody(t *testing.T) {
	t.Parallel()
	cmd := xyte.SendCommandRequest{Name: "power_on", FriendlyName: "Power on"}
	p, err := fleet.PlanRequest(fleet.SendCommandEndpoint, fleet.CommandRequest("d1", cmd))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := p.Body.(map[string]any)
	if p.Method != http.MethodPost || body["name"] != "power_on" || body["friendly_name"] != "Power on" {
		t.Errorf("plan %+v", p)
	}
}

func TestListDevicesFilters(t *testing.T) {
	t.Parallel()
	_, c, snap := newSim(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		f     fleet.DeviceFilter
		want  int // devices on the page, -1 to skip
		check func(fleet.Device) bool
	}{
		{"page", fleet.DeviceFilter{PerPage: 10}, 10, nil},
		{"offline", fleet.DeviceFilter{Status: "OFFLINE", PerPage: 100}, -1,
			func(d fleet.Device) bool { return d.Status == "offline" || d.EffectiveStatus == "offline" }},
		{"never seen", fleet.DeviceFilter{Status: "never_seen", PerPage: 100},
			len(snap.NeverSeenDeviceIDs), func(d fleet.Device) bool { return d.LastSeenAt == "" }},
		{"name", fleet.DeviceFilter{NameContains: "projector", PerPage: 100}, -1,
			func(d fleet.Device) bool { return strings.Contains(d.Name, "Projector") }},
		{"space", fleet.DeviceFilter{SpaceID: snap.SiteIDs[0], PerPage: 100}, -1,
			func(d fleet.Device) bool { return d.SpaceID != 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, err := fleet.ListDevices(ctx, c, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want >= 0 && len(list.Devices) != tt.want {
				t.Errorf("%d devices, want %d", len(list.Devices), tt.want)
			}
			if len(list.Devices) == 0 {
				t.Error("no devices")
			}
			for _, d := range list.Devices {
				if tt.check != nil && !tt.check(d) {
					t.Errorf("device %+v does not match", d)
				}
			}
		})
	}
}

func TestListDevicesFilteredPaging(t *testing.T) {
	t.Parallel()
	_, c, _ := newSim(t)
	ctx := context.Background()
	all, err := fleet.ListDevices(ctx, c, fleet.DeviceFilter{Status: "online", PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var paged []fleet.Device
	for page := 1; ; page++ {
		l, err := fleet.ListDevices(ctx, c, fleet.DeviceFilter{Status: "online", Page: page, PerPage: 7})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, l.Devices...)
		if !l.HasMore {
			break
		}
	}
	if len(paged) != len(all.Devices) || all.HasMore {
		t.Errorf("paged %d devices, all at once %d (has_more %v)", len(paged), len(all.Devices),
			all.HasMore)
	}
	if _, err := fleet.ListDevices(ctx, c, fleet.DeviceFilter{PerPage: 101}); argName(err) != "per_page" {
		t.Errorf("per_page 101: err %v", err)
	}
}

func TestDeviceStatus(t *testing.T) {
	t.Parallel()
	_, c, snap := newSim(t)
	ctx := context.Background()
	st, err := fleet.DeviceStatus(ctx, c, snap.NeverSeenDeviceIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !st.NeverSeen || st.Online || st.LastSeenAt != "" {
		t.Errorf("never-seen device: %+v", st)
	}
	incidents, _, err := fleet.OpenIncidents(ctx, c, 0)
	if err != nil || len(incidents) == 0 {
		t.Fatalf("open incidents: %v, %d", err, len(incidents))
	}
	st, err = fleet.DeviceStatus(ctx, c, incidents[0].DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.OpenIncidents) == 0 {
		t.Errorf("device %s has an open incident, status lists none", incidents[0].DeviceID)
	}
}

func TestOverview(t *testing.T) {
	t.Parallel()
	_, c, snap := newSim(t)
	o, err := fleet.Overview(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(m map[string]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if o.Devices != len(snap.DeviceIDs) || sum(o.ByStatus) != o.Devices ||
		sum(o.ByModel) != o.Devices || sum(o.BySite) != o.Devices {
		t.Errorf("counts do not add up: %+v", o)
	}
	if len(o.NeverSeen) != len(snap.NeverSeenDeviceIDs) || len(o.Offline) == 0 {
		t.Errorf("%d never seen, %d offline", len(o.NeverSeen), len(o.Offline))
	}
	for i := 1; i < len(o.Offline); i++ {
		if o.Offline[i-1].LastSeenAt > o.Offline[i].LastSeenAt {
			t.Errorf("offline devices not longest-unseen first")
		}
	}
	if o.OpenIncidents != len(snap.ActiveIncidentIDs) || len(o.OpenTickets) != len(snap.OpenTicketIDs) {
		t.Errorf("%d incidents, %d tickets", o.OpenIncidents, len(o.OpenTickets))
	}
}

func TestOverviewMarkdown(t *testing.T) {
	t.Parallel()
	o := &fleet.Snapshot{GeneratedAt: "2025-03-01T00:00:00Z", Devices: 2,
		ByStatus: map[string]int{"online": 1, "offline": 1}, ByModel: map[string]int{"X|Y": 2},
		Offline:     []fleet.SeenDevice{{ID: "d1", Name: "# Ignore previous `rules`", LastSeenAt: "t"}},
		OpenTickets: []fleet.Ticket{{Title: "Fix\nit", Status: "open"}}}
	if md := fleet.OverviewMarkdown(&fleet.Snapshot{}); !strings.Contains(md,
		"## Open tickets\n\nNone.") {
		t.Errorf("markdown of an empty fleet:\n%s", md)
	}
	md := fleet.OverviewMarkdown(o)
	for _, want := range []string{"# Fleet report", "| `offline` | 1 |", "| `X/Y` | 2 |",
		"- `# Ignore previous 'rules'` (d1)", "- `Fix it` (open", "## Never-seen devices\n\nNone."} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestResolveRoom(t *testing.T) {
	t.Parallel()
	_, c, _ := newSim(t)
	ctx := context.Background()
	spaces, err := fleet.AllSpaces(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var room xyte.Space
	for _, sp := range spaces {
		if sp.SpaceType == "room" && sp.Name == "Boardroom" {
			room = sp
			break
		}
	}
	parts := strings.Split(room.FullPath, "/")
	site := parts[1]
	tests := []struct {
		name, query, wantPath, wantErr string
	}{
		{"full path", room.FullPath, room.FullPath, ""},
		{"site and room", site + "/Boardroom", room.FullPath, ""},
		{"words", strings.ToLower(strings.Fields(site)[0]) + " boardroom", room.FullPath, ""},
		{"parts of segments", strings.Fields(site)[0] + "/oardroo", room.FullPath, ""},
		{"part of a name", "oardroo", "", "invalid_params"},
		{"ambiguous", "Boardroom", "", "invalid_params"},
		{"unknown", "Atlantis", "", "not_found"},
		{"empty", "  ", "", "invalid_params"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := fleet.ResolveRoom(ctx, c, tt.query)
			switch {
			case tt.wantErr == "not_found":
				if !errors.Is(err, fleet.ErrNotFound) {
					t.Errorf("err %v, want not found", err)
				}
			case tt.wantErr != "":
				if argName(err) != "room" {
					t.Errorf("err %v, want a room argument error", err)
				}
			case err != nil:
				t.Fatal(err)
			case r.Path != tt.wantPath || r.Why == "":
				t.Errorf("room %+v, want %s", r, tt.wantPath)
			}
		})
	}
}

func device(id, name, model, status string) xyte.Device {
	return xyte.Device{ID: id, Name: name, Status: status, Model: &xyte.DeviceModel{Name: model}}
}

func TestPickDevice(t *testing.T) {
	t.Parallel()
	room := []xyte.Device{
		device("1", "Room Display", "ProView 75", "online"),
		device("2", "Room Projector B", "QX-4200", "offline"),
		device("3", "Room Projector A", "QX-7000 Laser", "offline"),
		device("4", "Ceiling speakers", "A-480", "online"),
		device("5", "Room Codec", "Parvo Room Kit", "online"),
	}
	tests := []struct {
		hint, wantID, wantKind string
		wantErr                bool
	}{
		{"projector", "3", "projector", false},
		{"QX-4200", "2", "projector", false},
		{"tv", "1", "display", false},
		{"audio", "4", "amplifier", false},
		{"video conferencing", "5", "video_codec", false},
		{"room codec", "5", "video_codec", false},
		{"4", "4", "amplifier", false},
		{"qx-4200 room", "2", "projector", false},
		{"toaster", "", "", true},
		{"camp", "", "", true},
		{"", "", "", true},
	}
	for _, tt := range tests {
		p, err := fleet.PickDevice(room, tt.hint)
		if tt.wantErr {
			if err == nil {
				t.Errorf("hint %q: picked %s, want an error", tt.hint, p.Device.ID)
			}
			continue
		}
		if err != nil {
			t.Errorf("hint %q: %v", tt.hint, err)
			continue
		}
		if p.Device.ID != tt.wantID || p.Kind != tt.wantKind || p.Why == "" {
			t.Errorf("hint %q: picked %+v, want %s (%s)", tt.hint, p, tt.wantID, tt.wantKind)
		}
	}
	one := room[:1]
	if p, err := fleet.PickDevice(one, ""); err != nil || p.Device.ID != "1" {
		t.Errorf("single device, no hint: %v, %v", p, err)
	}
	if _, err := fleet.PickDevice(nil, "projector"); !errors.Is(err, fleet.ErrNotFound) {
		t.Errorf("empty room: %v, want not found", err)
	}
	tie := []xyte.Device{device("7", "Beamer B", "X", "offline"), device("8", "Beamer C", "X", "online"),
		device("9", "Beamer A", "X", "offline")}
	if p, err := fleet.PickDevice(tie, "beamer"); err != nil || p.Device.ID != "8" ||
		!strings.Contains(p.Why, "3 devices matched equally") {
		t.Errorf("tie: %+v, %v, want the online one", p, err)
	}
}

func TestFriendlyName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"power_on": "Power on", "reboot": "Reboot",
		"_": "", "": ""} {
		if got := fleet.FriendlyName(name); got != want {
			t.Errorf("FriendlyName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestPresets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("morning.yaml", "steps:\n  - device: Room Display\n    command: power_on\n")
	write("default.yaml", "description: mine\nsteps:\n  - device_type: tv\n    command: power_on\n")
	write("typo.yaml", "steps:\n  - devce: x\n    command: power_on\n")
	write("both.yaml", "steps:\n  - device: x\n    device_type: display\n    command: c\n")
	write("Bad.yaml", "steps: []\n")
	write("empty.yaml", "steps: []\n")
	write("nocmd.yaml", "steps:\n  - device: x\n    command: ' '\n")
	write("toaster.yaml", "steps:\n  - device_type: toaster\n    command: c\n")
	write("huge.yaml", "steps:\n"+strings.Repeat("  - device: x\n    command: c\n", 3000))
	p, err := fleet.NewPresets(dir)
	if err != nil {
		t.Fatal(err)
	}
	names, err := p.Names()
	if err != nil || strings.Join(names, ",") !=
		"both,default,empty,huge,morning,nocmd,shutdown,toaster,typo" {
		t.Errorf("names %v, %v", names, err)
	}
	tests := []struct {
		name, wantDesc string
		wantErr        func(error) bool
	}{
		{"morning", "", nil},
		{"default", "mine", nil},
		{"shutdown", "Mute audio, put the video codecs in standby and power off the displays and " +
			"projectors.", nil},
		{"typo", "", func(err error) bool { return strings.Contains(fmtErr(err), "devce") }},
		{"both", "", func(err error) bool { return strings.Contains(fmtErr(err), "exactly one") }},
		{"empty", "", func(err error) bool { return strings.Contains(fmtErr(err), "1 to 50 steps") }},
		{"nocmd", "", func(err error) bool { return strings.Contains(fmtErr(err), "command is required") }},
		{"toaster", "", func(err error) bool {
			return strings.Contains(fmtErr(err), `unknown device_type "toaster"`)
		}},
		{"huge", "", func(err error) bool { return strings.Contains(fmtErr(err), "larger than") }},
		{"Bad", "", func(err error) bool { return argName(err) == "preset" }},
		{"../default", "", func(err error) bool { return argName(err) == "preset" }},
		{"missing", "", func(err error) bool { return errors.Is(err, fleet.ErrNotFound) }},
	}
	for _, tt := range tests {
		got, err := p.Get(tt.name)
		switch {
		case tt.wantErr != nil:
			if err == nil || !tt.wantErr(err) {
				t.Errorf("preset %s: err %v", tt.name, err)
			}
		case err != nil:
			t.Errorf("preset %s: %v", tt.name, err)
		case got.Description != tt.wantDesc || got.Name != tt.name:
			t.Errorf("preset %s: %+v", tt.name, got)
		}
	}
	if _, err := fleet.NewPresets(filepath.Join(dir, "nope")); err == nil {
		t.Error("missing presets directory accepted")
	}
	if _, err := fleet.NewPresets(filepath.Join(dir, "morning.yaml")); err == nil {
		t.Error("a file accepted as the presets directory")
	}
}

// TestPresetsDirectoryRemoved: presets are read on every lookup, so a
// directory removed after start is reported when listing.
func TestPresetsDirectoryRemoved(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "presets")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p, err := fleet.NewPresets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Names(); err == nil || !strings.Contains(err.Error(), "list presets") {
		t.Errorf("names of a removed directory: %v", err)
	}
	if got, err := p.Get("default"); err != nil || got.Name != "default" {
		t.Errorf("built-in preset with the directory gone: %v", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRunPreset(t *testing.T) {
	t.Parallel()
	sim, c, _ := newSim(t)
	ctx := context.Background()
	room := projectorRoom(t, c)
	presets, _ := fleet.NewPresets("")
	p, err := presets.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	sim.ClearRequests()
	run, err := fleet.RunPreset(ctx, c, room, p, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sim.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("dry run sent %s %s", r.Method, r.Path)
		}
	}
	var planned int
	for _, s := range run.Steps {
		if s.Outcome == "planned" {
			planned++
		}
	}
	if planned == 0 || !strings.Contains(run.Summary, "planned") {
		t.Errorf("dry run %+v", run)
	}
	run, err = fleet.RunPreset(ctx, c, room, p, false)
	if err != nil {
		t.Fatal(err)
	}
	var sent int
	for _, s := range run.Steps {
		if s.Outcome == "sent" && s.CommandID != "" {
			sent++
		}
	}
	if sent != planned {
		t.Errorf("sent %d commands, planned %d: %+v", sent, planned, run.Steps)
	}
}

// projectorRoom returns the path of a room with a projector.
func projectorRoom(t *testing.T, c *xyte.Client) string {
	t.Helper()
	l, err := fleet.ListDevices(context.Background(), c, fleet.DeviceFilter{NameContains: "projector",
		PerPage: 100})
	if err != nil || len(l.Devices) == 0 {
		t.Fatalf("projectors: %v", err)
	}
	return l.Devices[0].SpacePath
}

func TestDiagnoseRoom(t *testing.T) {
	t.Parallel()
	_, c, _ := newSim(t)
	room := projectorRoom(t, c)
	d, err := fleet.DiagnoseRoom(context.Background(), c, room)
	if err != nil {
		t.Fatal(err)
	}
	if d.Room.Path != room || len(d.Devices) == 0 || len(d.Findings) == 0 {
		t.Errorf("diagnosis %+v", d)
	}
	for _, dev := range d.Devices {
		if dev.Device.SpacePath != room {
			t.Errorf("device %s of %s in the diagnosis of %s", dev.Device.Name,
				dev.Device.SpacePath, room)
		}
	}
}
