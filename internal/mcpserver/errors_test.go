package mcpserver_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
)

const unknownID = "00000000-0000-4000-8000-000000000000"

func TestToolErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{Sessions: true})
	tests := []struct {
		name string
		tool string
		args map[string]any
		code string
		want []string
	}{
		{"empty id", "get_device", map[string]any{"device_id": ""}, "invalid_params",
			[]string{"device_id", "required"}},
		{"blank id", "get_device_status", map[string]any{"device_id": " "}, "invalid_params",
			[]string{"device_id"}},
		{"wrong type", "get_device", map[string]any{"device_id": 12}, "invalid_params",
			[]string{"device_id"}},
		{"unknown argument", "list_devices", map[string]any{"shade": "red"}, "invalid_params",
			[]string{"shade"}},
		{"page size", "list_devices", map[string]any{"per_page": 500}, "invalid_params",
			[]string{"per_page"}},
		{"missing name", "send_command", map[string]any{"device_id": unknownID}, "invalid_params",
			[]string{"name"}},
		{"enum", "search_device_histories", map[string]any{"status": "asleep"}, "invalid_params",
			[]string{"status"}},
		{"priority", "list_incidents", map[string]any{"priority": "urgent"}, "invalid_params",
			[]string{"priority"}},
		{"bad time", "search_device_histories", map[string]any{"from": "yesterday"},
			"invalid_params", []string{"from", "RFC 3339"}},
		{"bad incident time", "list_incidents", map[string]any{"to": "soon"}, "invalid_params",
			[]string{"to"}},
		{"claim space", "claim_device", map[string]any{"space_id": 0}, "invalid_params",
			[]string{"space_id"}},
		{"nothing to update", "update_device", map[string]any{"device_id": unknownID},
			"invalid_params", []string{"fields"}},
		{"empty message", "send_ticket_message", map[string]any{"ticket_id": unknownID,
			"message": " "}, "invalid_params", []string{"message"}},
		{"preset name", "start_meeting_room_preset", map[string]any{"room": "x",
			"preset": "../../etc/passwd"}, "invalid_params", []string{"preset"}},
		{"action", "find_and_control_device", map[string]any{"room": "x",
			"action": "power on; rm"}, "invalid_params", []string{"action"}},
		{"ambiguous room", "diagnose_av_issue", map[string]any{"room": "Boardroom"},
			"invalid_params", []string{"room", "matches", "Boardroom"}},
		{"api params", "xyte_api_call", map[string]any{"endpoint": "devices.getDevice"},
			"invalid_params", []string{"device_id", "required"}},
		{"api unknown param", "xyte_api_call", map[string]any{"endpoint": "devices.getDevices",
			"params": map[string]any{"shade": "red"}}, "invalid_params", []string{"shade"}},
		{"api endpoint", "xyte_api_call", map[string]any{"endpoint": "devices.reboot"},
			"invalid_params", []string{"endpoint"}},
		{"partner endpoint", "xyte_endpoint_describe", map[string]any{
			"endpoint": "partner.devices.getDevices"}, "forbidden", []string{"partner"}},
		{"unknown device", "get_device", map[string]any{"device_id": unknownID}, "not_found",
			[]string{unknownID}},
		{"unknown device status", "get_device_status", map[string]any{"device_id": unknownID},
			"not_found", []string{unknownID}},
		{"unknown ticket", "get_ticket", map[string]any{"ticket_id": unknownID}, "not_found",
			[]string{unknownID}},
		{"unknown space", "get_space", map[string]any{"space_id": 999999999}, "not_found",
			[]string{"999999999"}},
		{"unknown command device", "send_command", map[string]any{"device_id": unknownID,
			"name": "reboot"}, "not_found", []string{unknownID}},
		{"unknown room", "diagnose_av_issue", map[string]any{"room": "Atlantis"}, "not_found",
			[]string{"room", "Atlantis"}},
		{"unknown preset", "start_meeting_room_preset", map[string]any{"room": "x",
			"preset": "party"}, "not_found", []string{"preset", "party", "default, shutdown"}},
		{"unknown task", "get_task_status", map[string]any{"task_id": "abc"}, "not_found",
			[]string{"task_id"}},
		{"no device to list commands of", "list_device_commands", nil, "invalid_params",
			[]string{"device_id", "set_context"}},
		{"no device to send to", "send_command", map[string]any{"name": "reboot"},
			"invalid_params", []string{"device_id", "set_context"}},
		{"no device to cancel on", "cancel_command", map[string]any{"command_id": unknownID},
			"invalid_params", []string{"device_id", "set_context"}},
		{"no device for a task", "send_command_async", map[string]any{"name": "reboot"},
			"invalid_params", []string{"device_id", "set_context"}},
		{"blank command", "send_command", map[string]any{"device_id": unknownID, "name": " "},
			"invalid_params", []string{"name", "friendly_name"}},
		{"blank task command", "send_command_async", map[string]any{"device_id": unknownID,
			"name": " "}, "invalid_params", []string{"name", "friendly_name"}},
		{"empty task id", "get_task_status", map[string]any{"task_id": ""}, "invalid_params",
			[]string{"task_id"}},
		{"empty task id to cancel", "cancel_task", map[string]any{"task_id": ""},
			"invalid_params", []string{"task_id"}},
		{"task limit", "list_tasks", map[string]any{"limit": 201}, "invalid_params",
			[]string{"limit"}},
		{"space zero", "get_space", map[string]any{"space_id": 0}, "invalid_params",
			[]string{"space_id"}},
		{"move to space zero", "move_device", map[string]any{"device_id": unknownID,
			"space_id": 0}, "invalid_params", []string{"space_id"}},
		{"ticket id", "get_ticket", map[string]any{"ticket_id": "a/b"}, "invalid_params",
			[]string{"ticket_id"}},
		{"nothing to change on a ticket", "update_ticket", map[string]any{"ticket_id": unknownID},
			"invalid_params", []string{"fields"}},
		{"bad incident start", "list_incidents", map[string]any{"from": "yesterday"},
			"invalid_params", []string{"from"}},
		{"unknown room to control", "find_and_control_device", map[string]any{"room": "Atlantis",
			"action": "power_on"}, "not_found", []string{"room", "Atlantis"}},
		{"dry run checks ids", "cancel_command", map[string]any{"device_id": unknownID,
			"command_id": "a/b", "dry_run": true}, "invalid_params", []string{"command_id"}},
		{"unknown default space", "set_context", map[string]any{"space_id": 999999999},
			"not_found", []string{"999999999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mustFail(t, e.cs, tt.tool, tt.args, tt.code, tt.want...)
		})
	}
}

func TestResourceErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{ExperimentalAPIs: true})
	for _, uri := range []string{"device://" + unknownID, "device://" + unknownID + "/commands",
		"device://" + unknownID + "/state",
		"device://" + unknownID + "/histories", "ticket://" + unknownID} {
		if _, err := readResource(t, e.cs, uri); err == nil ||
			!strings.Contains(err.Error(), "not found") {
			t.Errorf("read %s: err %v, want not found", uri, err)
		}
	}
}

// TestNoTenant checks that a server with no key anywhere refuses every call.
func TestNoTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, "")})
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv, t.Context())
	mustFail(t, cs, "list_devices", nil, "unauthorized", "Authorization")
	mustFail(t, cs, "get_task_status", map[string]any{"task_id": "x"}, "unauthorized")
	if _, err := readResource(t, cs, "devices://"); err == nil ||
		!strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("read devices://: err %v, want unauthorized", err)
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("%d upstream requests, want 0", n)
	}
}

// TestUpstreamRefusesKey checks that an upstream 401 is a tool error that
// never shows the key.
func TestUpstreamRefusesKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	const badKey = "not-a-valid-key-1234"
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, badKey)})
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv, t.Context())
	res := callTool(t, cs, "list_devices", nil)
	if !res.IsError || !strings.HasPrefix(text(res), "unauthorized: ") {
		t.Fatalf("result %q, want unauthorized error", text(res))
	}
	if strings.Contains(text(res), badKey) || strings.Contains(fmt.Sprint(res.Meta), badKey) {
		t.Errorf("the key leaks into the result: %q", text(res))
	}
}

// TestHistoryWindow checks that a window longer than 31 days is refused
// before any upstream request, and that epoch seconds are accepted.
func TestHistoryWindow(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name     string
		from, to string
		want     string // error argument, or "" for success
	}{
		{"40 days rfc3339", now.Add(-40 * 24 * time.Hour).Format(time.RFC3339), "", "from"},
		{"32 days epoch", epoch(now.Add(-40 * 24 * time.Hour)), epoch(now.Add(-8 * 24 * time.Hour)),
			"from"},
		{"only to, far back", "", epoch(now.Add(-400 * 24 * time.Hour)), ""},
		{"end before start", epoch(now.Add(-time.Hour)), epoch(now.Add(-2 * time.Hour)), "to"},
		{"30 days", now.Add(-30 * 24 * time.Hour).Format(time.RFC3339), "", ""},
		{"2 days epoch", epoch(now.Add(-48 * time.Hour)), epoch(now), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, mcpserver.Options{})
			args := map[string]any{"device_id": e.a.OnlineDeviceIDs[0]}
			if tt.from != "" {
				args["from"] = tt.from
			}
			if tt.to != "" {
				args["to"] = tt.to
			}
			if tt.want == "" {
				mustSucceed(t, e.cs, "search_device_histories", args)
				return
			}
			mustFail(t, e.cs, "search_device_histories", args, "invalid_params", tt.want)
			if n := len(e.sim.Requests()); n != 0 {
				t.Errorf("%d upstream requests, want 0", n)
			}
		})
	}
}

func epoch(t time.Time) string { return fmt.Sprint(t.Unix()) }

// TestDeviceIDRequiredWithoutSessions: without sessions there is no default
// device, and the error does not suggest one.
func TestDeviceIDRequiredWithoutSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	res := callTool(t, e.cs, "get_device", nil)
	if msg := text(res); !res.IsError || !strings.Contains(msg, "device_id") ||
		strings.Contains(msg, "set_context") {
		t.Errorf("get_device without an id: %q", msg)
	}
}
