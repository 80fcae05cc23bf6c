package fleet_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// TestUpstreamFailuresAreReturned: when the hub refuses one of the calls a
// service makes, the service fails with the hub's code, saying which call.
func TestUpstreamFailuresAreReturned(t *testing.T) {
	t.Parallel()
	type call func(ctx context.Context, c *xyte.Client, room, device string) error
	tests := []struct {
		name, endpoint, want string
		call                 call
	}{
		{"filtered devices", "devices.getDevices", "list devices page 1",
			func(ctx context.Context, c *xyte.Client, _, _ string) error {
				_, err := fleet.ListDevices(ctx, c, fleet.DeviceFilter{NameContains: "display"})
				return err
			}},
		{"device status incidents", "incidents.getIncidents", "list open incidents",
			func(ctx context.Context, c *xyte.Client, _, device string) error {
				_, err := fleet.DeviceStatus(ctx, c, device)
				return err
			}},
		{"commands", "commands.getCommands", "list commands of device",
			func(ctx context.Context, c *xyte.Client, _, device string) error {
				_, err := fleet.ListCommands(ctx, c, device, "")
				return err
			}},
		{"command with only a friendly name", fleet.SendCommandEndpoint, `send command "Power on"`,
			func(ctx context.Context, c *xyte.Client, _, device string) error {
				_, err := fleet.SendCommand(ctx, c, device, xyte.SendCommandRequest{FriendlyName: "Power on"})
				return err
			}},
		{"histories", "devices.getHistories", "search device histories",
			func(ctx context.Context, c *xyte.Client, _, device string) error {
				_, err := fleet.SearchHistories(ctx, c, fleet.HistoryFilter{DeviceID: device})
				return err
			}},
		{"incidents", "incidents.getIncidents", "list incidents",
			func(ctx context.Context, c *xyte.Client, _, _ string) error {
				_, err := fleet.ListIncidents(ctx, c, fleet.IncidentFilter{})
				return err
			}},
		{"tickets", "tickets.getTickets", "list tickets",
			func(ctx context.Context, c *xyte.Client, _, _ string) error {
				_, err := fleet.ListTickets(ctx, c, "open")
				return err
			}},
		{"spaces", "spaces.getSpaces", "list spaces",
			func(ctx context.Context, c *xyte.Client, _, _ string) error {
				_, err := fleet.ListSpaces(ctx, c, fleet.SpaceFilter{})
				return err
			}},
		{"space", "spaces.getSpace", "get space 1",
			func(ctx context.Context, c *xyte.Client, _, _ string) error {
				_, err := fleet.GetSpace(ctx, c, 1)
				return err
			}},
		{"overview devices", "devices.getDevices", "list devices page 1", overview},
		{"overview incidents", "incidents.getIncidents", "list open incidents", overview},
		{"overview tickets", "tickets.getTickets", "list tickets", overview},
		{"diagnosis spaces", "spaces.getSpaces", "list spaces page 1", diagnose},
		{"diagnosis devices", "devices.getDevices", "list devices page 1", diagnose},
		{"diagnosis incidents", "incidents.getIncidents", "list open incidents", diagnose},
		{"diagnosis tickets", "tickets.getTickets", "list tickets", diagnose},
		{"diagnosis histories", "devices.getHistories", "search histories of device", diagnose},
		{"preset spaces", "spaces.getSpaces", "list spaces page 1", runPreset},
		{"preset devices", "devices.getDevices", "list devices page 1", runPreset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, c, snap := newSim(t)
			room := projectorRoom(t, c)
			if err := sim.SetFaults(xytesim.Fault{Route: tt.endpoint, Status: 403}); err != nil {
				t.Fatal(err)
			}
			err := tt.call(context.Background(), c, room, snap.DeviceIDs[0])
			if xyte.CodeOf(err) != xyte.CodeForbidden || !strings.Contains(fmtErr(err), tt.want) {
				t.Errorf("err %v, want forbidden from %q", err, tt.want)
			}
		})
	}
}

func overview(ctx context.Context, c *xyte.Client, _, _ string) error {
	_, err := fleet.Overview(ctx, c)
	return err
}

func diagnose(ctx context.Context, c *xyte.Client, room, _ string) error {
	_, err := fleet.DiagnoseRoom(ctx, c, room)
	return err
}

func runPreset(ctx context.Context, c *xyte.Client, room, _ string) error {
	presets, _ := fleet.NewPresets("")
	p, err := presets.Get("default")
	if err != nil {
		return err
	}
	_, err = fleet.RunPreset(ctx, c, room, p, false)
	return err
}

// TestBadArgumentsSendNothing: arguments the hub could not take are refused,
// naming the argument, before any request.
func TestBadArgumentsSendNothing(t *testing.T) {
	t.Parallel()
	sim, c, _ := newSim(t)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"device_id", func() error {
			_, err := fleet.SendCommand(ctx, c, "a/b", xyte.SendCommandRequest{Name: "reboot"})
			return err
		}},
		{"page", func() error {
			_, err := fleet.ListDevices(ctx, c, fleet.DeviceFilter{Page: -1})
			return err
		}},
		{"per_page", func() error {
			_, err := fleet.SearchHistories(ctx, c, fleet.HistoryFilter{PerPage: xyte.MaxHistoryPerPage + 1})
			return err
		}},
		{"device_id", func() error {
			_, err := fleet.SearchHistories(ctx, c, fleet.HistoryFilter{DeviceID: "../d1"})
			return err
		}},
		{"per_page", func() error {
			_, err := fleet.ListIncidents(ctx, c, fleet.IncidentFilter{PerPage: xyte.MaxIncidentPageSize + 1})
			return err
		}},
		{"per_page", func() error {
			_, err := fleet.ListSpaces(ctx, c, fleet.SpaceFilter{PerPage: xyte.MaxPerPage + 1})
			return err
		}},
		{"body", func() error {
			_, err := fleet.PlanRequest(fleet.SendCommandEndpoint, fleet.CommandRequest("d1",
				xyte.SendCommandRequest{Name: "dim", ExtraParams: map[string]any{"level": math.NaN()}}))
			return err
		}},
	}
	sim.ClearRequests()
	for _, tt := range tests {
		if err := tt.call(); argName(err) != tt.name {
			t.Errorf("err %v, want an argument error naming %s", err, tt.name)
		}
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("refused arguments made %d requests", n)
	}
}

// TestPlanCarriesTheQuery: a planned request shows the query it would send.
func TestPlanCarriesTheQuery(t *testing.T) {
	t.Parallel()
	p, err := fleet.PlanRequest("devices.getDevices", xyte.Request{
		Query: map[string][]string{"space_id": {"7"}}})
	if err != nil || p.Query["space_id"][0] != "7" || p.Body != nil {
		t.Errorf("plan %+v, %v", p, err)
	}
}

// TestRunPresetOutcomes: a preset's steps go to the devices they name; a step
// whose device is missing is skipped; a failed send fails its step only,
// unless the hub refused the key, which stops the run.
func TestRunPresetOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("unknown room", func(t *testing.T) {
		t.Parallel()
		_, c, _ := newSim(t)
		p := &fleet.Preset{Name: "x", Steps: []fleet.PresetStep{{DeviceType: "display", Command: "on"}}}
		if _, err := fleet.RunPreset(ctx, c, "Atlantis", p, false); !errors.Is(err, fleet.ErrNotFound) {
			t.Errorf("err %v, want not found", err)
		}
	})

	t.Run("steps by device", func(t *testing.T) {
		t.Parallel()
		sim, c, _ := newSim(t)
		room, device := roomDevice(t, c)
		p := &fleet.Preset{Name: "custom", Steps: []fleet.PresetStep{
			{Device: strings.ToUpper(device.Name), Command: "power_on"},
			{Device: "Nonexistent", Command: "power_off"},
		}}
		sim.ClearRequests()
		run, err := fleet.RunPreset(ctx, c, room, p, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Steps) != 2 || run.Steps[0].Outcome != "sent" || run.Steps[0].DeviceID != device.ID ||
			run.Steps[1].Outcome != "skipped" || !strings.Contains(run.Steps[1].Reason, "Nonexistent") {
			t.Fatalf("steps %+v", run.Steps)
		}
		if run.Summary != "1 sent, 1 skipped" {
			t.Errorf("summary %q", run.Summary)
		}
		var sent []string
		for _, r := range sim.Requests() {
			if r.Endpoint == fleet.SendCommandEndpoint {
				sent = append(sent, string(r.Body))
			}
		}
		if len(sent) != 1 || !strings.Contains(sent[0], `"friendly_name":"Power on"`) {
			t.Errorf("sends %q, want one power_on named Power on", sent)
		}
	})

	t.Run("failed sends", func(t *testing.T) {
		t.Parallel()
		sim, c, _ := newSim(t)
		room, _ := roomDevice(t, c)
		p := &fleet.Preset{Name: "twice", Steps: []fleet.PresetStep{
			{DeviceType: "projector", Command: "power_on"}, {DeviceType: "projector", Command: "input"}}}
		if err := sim.SetFaults(xytesim.Fault{Route: fleet.SendCommandEndpoint, Status: 500}); err != nil {
			t.Fatal(err)
		}
		run, err := fleet.RunPreset(ctx, c, room, p, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range run.Steps {
			if s.Outcome != "failed" || !strings.HasPrefix(s.Reason, "upstream_error: ") {
				t.Errorf("step %+v, want failed with the hub's code", s)
			}
		}
		if !strings.HasSuffix(run.Summary, " failed") || len(run.Steps) < 2 {
			t.Errorf("summary %q of %d steps", run.Summary, len(run.Steps))
		}
	})

	t.Run("refused key", func(t *testing.T) {
		t.Parallel()
		sim, c, _ := newSim(t)
		room, _ := roomDevice(t, c)
		p := &fleet.Preset{Name: "twice", Steps: []fleet.PresetStep{
			{DeviceType: "projector", Command: "power_on"}, {DeviceType: "projector", Command: "input"}}}
		if err := sim.SetFaults(xytesim.Fault{Route: fleet.SendCommandEndpoint, Status: 403}); err != nil {
			t.Fatal(err)
		}
		sim.ClearRequests()
		if _, err := fleet.RunPreset(ctx, c, room, p, false); xyte.CodeOf(err) != xyte.CodeForbidden {
			t.Fatalf("err %v, want forbidden", err)
		}
		n := 0
		for _, r := range sim.Requests() {
			if r.Endpoint == fleet.SendCommandEndpoint {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d sends after the hub refused the key, want the run to stop at 1", n)
		}
	})
}

// roomDevice returns a room with a projector and that room's first device.
func roomDevice(t *testing.T, c *xyte.Client) (string, xyte.Device) {
	t.Helper()
	ctx := context.Background()
	room := projectorRoom(t, c)
	r, err := fleet.ResolveRoom(ctx, c, room)
	if err != nil {
		t.Fatal(err)
	}
	devices, _, err := fleet.AllDevices(ctx, c, r.SpaceID)
	if err != nil || len(devices) == 0 {
		t.Fatalf("devices of %s: %v", room, err)
	}
	return room, devices[0]
}
