package mcpserver_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
)

// TestDryRun checks that every write tool's dry run returns the request and
// sends no write; the plain writes send nothing at all.
func TestDryRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tool       string
		args       func(t *testing.T, e *env) map[string]any
		method     string // of the plan; "" when the plan is per step
		readsFirst bool   // the tool reads to resolve a room before planning
	}{
		{"claim_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"space_id": e.a.RoomIDs[0], "cloud_id": "c-1"}
		}, "POST", false},
		{"update_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "x"}
		}, "PATCH", false},
		{"move_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "space_id": e.a.RoomIDs[1]}
		}, "POST", false},
		{"delete_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0]}
		}, "DELETE", false},
		{"send_command", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "reboot"}
		}, "POST", false},
		{"send_command_async", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "reboot"}
		}, "POST", false},
		{"cancel_command", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "command_id": unknownID}
		}, "DELETE", false},
		{"update_ticket", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0], "description": "x"}
		}, "PUT", false},
		{"mark_ticket_resolved", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0]}
		}, "POST", false},
		{"send_ticket_message", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0], "message": "hello"}
		}, "POST", false},
		{"xyte_api_call", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"endpoint": "devices.deleteDevice",
				"params": map[string]any{"device_id": e.a.DeviceIDs[0]}}
		}, "DELETE", false},
		{"find_and_control_device", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Display")
			return map[string]any{"room": room, "device_type": "display", "action": "power_off"}
		}, "POST", true},
		{"start_meeting_room_preset", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Display")
			return map[string]any{"room": room}
		}, "", true},
		{"shutdown_meeting_room", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Display")
			return map[string]any{"room": room}
		}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, mcpserver.Options{})
			args := tt.args(t, e)
			args["dry_run"] = true
			e.sim.ClearRequests()
			out := mustSucceed(t, e.cs, tt.tool, args)
			reqs := e.sim.Requests()
			if w := writes(reqs); len(w) != 0 {
				t.Errorf("dry run sent %d writes: %+v", len(w), w[0])
			}
			if !tt.readsFirst && len(reqs) != 0 {
				t.Errorf("dry run sent %d requests, want none", len(reqs))
			}
			checkPlans(t, out, tt.method)
		})
	}
}

// checkPlans finds the plan (or the per-step plans) of a dry run.
func checkPlans(t *testing.T, out map[string]any, method string) {
	t.Helper()
	if method == "" {
		var n int
		for _, s := range out["steps"].([]any) {
			step := s.(map[string]any)
			if step["outcome"] == "planned" {
				n++
				wantField(t, step["plan"].(map[string]any), "method", "POST")
			}
		}
		if n == 0 {
			t.Errorf("no planned step: %v", out)
		}
		return
	}
	plan, ok := out["plan"].(map[string]any)
	if !ok {
		t.Fatalf("no plan in %v", out)
	}
	wantField(t, plan, "dry_run", true)
	wantField(t, plan, "method", method)
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{ReadOnly: true, Sessions: true})
	tools, err := e.cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools.Tools {
		if !tool.Annotations.ReadOnlyHint && tool.Name != "set_context" {
			t.Errorf("read-only server lists %s, which is not read-only", tool.Name)
		}
	}
	if !slices.ContainsFunc(tools.Tools, func(x *mcp.Tool) bool { return x.Name == "xyte_api_call" }) {
		t.Error("read-only server lacks xyte_api_call for reads")
	}
	for _, tool := range []string{"delete_device", "send_command", "update_ticket",
		"start_meeting_room_preset", "claim_device"} {
		mustFail(t, e.cs, tool, map[string]any{"device_id": e.a.DeviceIDs[0]}, "forbidden",
			tool, "read-only")
	}
	mustFail(t, e.cs, "xyte_api_call", map[string]any{"endpoint": "devices.deleteDevice",
		"params": map[string]any{"device_id": e.a.DeviceIDs[0]}, "confirm": "devices.deleteDevice"},
		"forbidden", "read-only")
	out := mustSucceed(t, e.cs, "xyte_api_call", map[string]any{"endpoint": "devices.getDevice",
		"params": map[string]any{"device_id": e.a.DeviceIDs[0]}})
	wantField(t, out, "status", float64(http.StatusOK))
	list := mustSucceed(t, e.cs, "xyte_endpoints_list", nil)
	for _, ep := range list["endpoints"].([]any) {
		if c := ep.(map[string]any)["class"]; c != "read" {
			t.Errorf("read-only server lists endpoint %v of class %v", ep.(map[string]any)["key"], c)
		}
	}
	if w := writes(e.sim.Requests()); len(w) != 0 {
		t.Errorf("read-only server sent %d writes", len(w))
	}
}

func TestAPICallDeleteNeedsConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	id := e.a.DeviceIDs[0]
	args := map[string]any{"endpoint": "devices.deleteDevice", "params": map[string]any{"device_id": id}}
	mustFail(t, e.cs, "xyte_api_call", args, "invalid_params", "confirm", "devices.deleteDevice")
	args["confirm"] = "devices.getDevice"
	mustFail(t, e.cs, "xyte_api_call", args, "invalid_params", "confirm")
	if w := writes(e.sim.Requests()); len(w) != 0 {
		t.Fatalf("unconfirmed delete sent %d writes", len(w))
	}
	args["confirm"] = "devices.deleteDevice"
	mustSucceed(t, e.cs, "xyte_api_call", args)
	mustFail(t, e.cs, "get_device", map[string]any{"device_id": id}, "not_found", id)
}

func TestSendCommandThenList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	id := e.a.OnlineDeviceIDs[0]
	sent := mustSucceed(t, e.cs, "send_command", map[string]any{"device_id": id,
		"name": "set_input", "extra_params": map[string]any{"input": "hdmi2"}})
	cmdID := sent["command"].(map[string]any)["id"]
	list := mustSucceed(t, e.cs, "list_device_commands", map[string]any{"device_id": id})
	idx := slices.IndexFunc(list["commands"].([]any), func(c any) bool {
		return c.(map[string]any)["id"] == cmdID
	})
	if idx < 0 {
		t.Fatalf("command %v not listed: %v", cmdID, list)
	}
	got := list["commands"].([]any)[idx].(map[string]any)
	wantField(t, got, "name", "set_input")
	wantField(t, got["parameters"].(map[string]any), "input", "hdmi2")
	text, err := readResource(t, e.cs, "device://"+id+"/commands")
	if err != nil || !strings.Contains(text, cmdID.(string)) {
		t.Errorf("resource device://%s/commands lacks the command (err %v)", id, err)
	}
}

// hubCancelled is the hub's status of a command stopped before it ran.
const hubCancelled = "cancelled"

func TestCancelCommand(t *testing.T) {
	t.Parallel()
	e := newEnvDelay(t, mcpserver.Options{Sessions: true}, time.Hour)
	id := e.a.OnlineDeviceIDs[0]
	mustSucceed(t, e.cs, "set_context", map[string]any{"device_id": id})
	sent := mustSucceed(t, e.cs, "send_command", map[string]any{"name": "reboot"})
	cmd := sent["command"].(map[string]any)
	wantField(t, cmd, "status", "pending")
	out := mustSucceed(t, e.cs, "cancel_command", map[string]any{"command_id": cmd["id"]})
	wantField(t, out, "done", true)
	list := mustSucceed(t, e.cs, "list_device_commands", map[string]any{"status": hubCancelled})
	if n := len(list["commands"].([]any)); n != 1 {
		t.Errorf("%d commands in state %s, want 1", n, hubCancelled)
	}
	mustFail(t, e.cs, "cancel_command", map[string]any{"command_id": cmd["id"]}, "invalid_params")
}

// TestDryRunBodies: a dry run shows the body that would be sent, including
// flags and parameters given on their own.
func TestDryRunBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	out := mustSucceed(t, e.cs, "update_device", map[string]any{"device_id": e.a.DeviceIDs[0],
		"skip_connectivity_check": true, "dry_run": true})
	body, _ := out["plan"].(map[string]any)["body"].(map[string]any)
	wantField(t, body, "skip_connectivity_check", true)

	room, _, _ := roomWith(t, e.cs, "Display")
	out = mustSucceed(t, e.cs, "find_and_control_device", map[string]any{"room": room,
		"device_type": "display", "action": "set_input", "input_source": "hdmi2", "dry_run": true})
	body, _ = out["plan"].(map[string]any)["body"].(map[string]any)
	params, _ := body["extra_params"].(map[string]any)
	wantField(t, params, "input", "hdmi2")
	mustFail(t, e.cs, "find_and_control_device", map[string]any{"room": room,
		"device_type": "toaster", "action": "power_on"}, "not_found", "device_type", "toaster")
}

// TestSetContextClear: clear forgets the session's defaults.
func TestSetContextClear(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{Sessions: true})
	mustSucceed(t, e.cs, "set_context", map[string]any{"device_id": e.a.DeviceIDs[0]})
	wantField(t, mustSucceed(t, e.cs, "get_device", nil), "id", e.a.DeviceIDs[0])
	out := mustSucceed(t, e.cs, "set_context", map[string]any{"clear": true})
	if len(out) != 0 {
		t.Errorf("cleared context %v", out)
	}
	mustFail(t, e.cs, "get_device", nil, "invalid_params", "device_id")
}
