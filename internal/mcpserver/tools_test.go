package mcpserver_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
)

// TestToolsSucceed calls every tool once against the simulator.
func TestToolsSucceed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tool  string
		args  func(t *testing.T, e *env) map[string]any
		check func(t *testing.T, e *env, out map[string]any)
	}{
		{"list_devices", func(*testing.T, *env) map[string]any { return map[string]any{"per_page": 5} },
			func(t *testing.T, e *env, out map[string]any) {
				if n := len(out["devices"].([]any)); n != 5 || out["has_more"] != true {
					t.Errorf("%d devices, has_more %v; want 5, true", n, out["has_more"])
				}
			}},
		{"get_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "id", e.a.DeviceIDs[0])
		}},
		{"get_device_status", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.OfflineDeviceIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "device_id", e.a.OfflineDeviceIDs[0])
			wantField(t, out, "online", false)
		}},
		{"claim_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"space_id": e.a.RoomIDs[0], "name": "Claimed Display",
				"cloud_id": "cloud-test-0001"}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out["device"].(map[string]any), "name", "Claimed Display")
		}},
		{"update_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[1], "name": "Renamed"}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out["device"].(map[string]any), "name", "Renamed")
		}},
		{"move_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[2], "space_id": e.a.RoomIDs[1]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "done", true)
			dev := mustSucceed(t, e.cs, "get_device", map[string]any{"device_id": e.a.DeviceIDs[2]})
			wantField(t, dev, "space_id", float64(e.a.RoomIDs[1]))
		}},
		{"delete_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[3]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "done", true)
			mustFail(t, e.cs, "get_device", map[string]any{"device_id": e.a.DeviceIDs[3]},
				"not_found", e.a.DeviceIDs[3])
		}},
		{"list_device_commands", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "device_id", e.a.DeviceIDs[0])
		}},
		{"send_command", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "reboot"}
		}, func(t *testing.T, e *env, out map[string]any) {
			cmd := out["command"].(map[string]any)
			wantField(t, cmd, "name", "reboot")
			wantField(t, cmd, "friendly_name", "Reboot")
		}},
		{"search_device_histories", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.OnlineDeviceIDs[0], "per_page": 10}
		}, func(t *testing.T, e *env, out map[string]any) {
			hs := out["histories"].([]any)
			if len(hs) == 0 {
				t.Fatal("no history entries")
			}
			for _, h := range hs {
				wantField(t, h.(map[string]any), "device_id", e.a.OnlineDeviceIDs[0])
			}
		}},
		{"list_spaces", func(*testing.T, *env) map[string]any {
			return map[string]any{"space_type": "room"}
		}, func(t *testing.T, e *env, out map[string]any) {
			for _, sp := range out["spaces"].([]any) {
				wantField(t, sp.(map[string]any), "space_type", "room")
			}
		}},
		{"get_space", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"space_id": e.a.RoomIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "id", float64(e.a.RoomIDs[0]))
		}},
		{"list_incidents", func(*testing.T, *env) map[string]any {
			return map[string]any{"status": "active", "per_page": 100}
		}, func(t *testing.T, e *env, out map[string]any) {
			if n := len(out["incidents"].([]any)); n != len(e.a.ActiveIncidentIDs) {
				t.Errorf("%d incidents, want %d", n, len(e.a.ActiveIncidentIDs))
			}
		}},
		{"list_tickets", func(*testing.T, *env) map[string]any { return nil },
			func(t *testing.T, e *env, out map[string]any) {
				if n := len(out["tickets"].([]any)); n != len(e.a.OpenTicketIDs) {
					t.Errorf("%d tickets, want %d", n, len(e.a.OpenTicketIDs))
				}
			}},
		{"get_ticket", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "id", e.a.TicketIDs[0])
		}},
		{"update_ticket", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.OpenTicketIDs[0], "title": "New title"}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out["ticket"].(map[string]any), "title", "New title")
		}},
		{"mark_ticket_resolved", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.OpenTicketIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "done", true)
			tk := mustSucceed(t, e.cs, "get_ticket", map[string]any{"ticket_id": e.a.OpenTicketIDs[0]})
			wantField(t, tk, "status", "resolved")
		}},
		{"send_ticket_message", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.OpenTicketIDs[0], "message": "On my way"}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "done", true)
			tk := mustSucceed(t, e.cs, "get_ticket", map[string]any{"ticket_id": e.a.OpenTicketIDs[0]})
			if !strings.Contains(jsonText(t, tk["comments"]), "On my way") {
				t.Errorf("message not among the comments: %v", tk["comments"])
			}
		}},
		{"get_organization_info", func(*testing.T, *env) map[string]any { return nil },
			func(t *testing.T, e *env, out map[string]any) { wantField(t, out, "name", "Org A") }},
		{"find_and_control_device", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Projector")
			return map[string]any{"room": room, "device_type": "projector", "action": "power_on"}
		}, func(t *testing.T, e *env, out map[string]any) {
			picked := out["picked"].(map[string]any)
			wantField(t, picked, "kind", "projector")
			wantField(t, out["command"].(map[string]any), "name", "power_on")
		}},
		{"diagnose_av_issue", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Display")
			return map[string]any{"room": room, "issue_description": "screen is black"}
		}, func(t *testing.T, e *env, out map[string]any) {
			if len(out["devices"].([]any)) == 0 || len(out["findings"].([]any)) == 0 {
				t.Errorf("no devices or findings: %v", out)
			}
		}},
		{"start_meeting_room_preset", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Display")
			return map[string]any{"room": room}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantOutcomes(t, out, "sent")
		}},
		{"shutdown_meeting_room", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Display")
			return map[string]any{"room": room}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantOutcomes(t, out, "sent")
		}},
		{"fleet_overview", func(*testing.T, *env) map[string]any { return nil },
			func(t *testing.T, e *env, out map[string]any) {
				wantField(t, out, "devices", float64(len(e.a.DeviceIDs)))
				if n := len(out["never_seen"].([]any)); n != len(e.a.NeverSeenDeviceIDs) {
					t.Errorf("%d never seen, want %d", n, len(e.a.NeverSeenDeviceIDs))
				}
			}},
		{"set_context", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[4], "space_id": e.a.RoomIDs[0]}
		}, func(t *testing.T, e *env, out map[string]any) {
			dev := mustSucceed(t, e.cs, "get_device", nil)
			wantField(t, dev, "id", e.a.DeviceIDs[4])
			list := mustSucceed(t, e.cs, "list_devices", map[string]any{"per_page": 100})
			for _, d := range list["devices"].([]any) {
				wantField(t, d.(map[string]any), "space_id", float64(e.a.RoomIDs[0]))
			}
		}},
		{"send_command_async", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "power_off"}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "status", "done")
			task := mustSucceed(t, e.cs, "get_task_status", map[string]any{"task_id": out["task_id"]})
			wantField(t, task, "status", "done")
			wantField(t, task["result"].(map[string]any), "name", "power_off")
		}},
		{"xyte_endpoints_list", func(*testing.T, *env) map[string]any {
			return map[string]any{"group": "tickets", "read_only": true}
		}, func(t *testing.T, e *env, out map[string]any) {
			var keys []string
			for _, ep := range out["endpoints"].([]any) {
				keys = append(keys, ep.(map[string]any)["key"].(string))
			}
			if !slices.Equal(keys, []string{"tickets.getTickets", "tickets.getTicket"}) {
				t.Errorf("endpoints %v", keys)
			}
		}},
		{"xyte_endpoint_describe", func(*testing.T, *env) map[string]any {
			return map[string]any{"endpoint": "devices.deleteDevice"}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "method", "DELETE")
			wantField(t, out, "needs_confirm", true)
		}},
		{"xyte_api_call", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"endpoint": "devices.getDevice",
				"params": map[string]any{"device_id": e.a.DeviceIDs[0]}}
		}, func(t *testing.T, e *env, out map[string]any) {
			wantField(t, out, "status", float64(200))
			wantField(t, out["body"].(map[string]any), "id", e.a.DeviceIDs[0])
		}},
	}
	// Covered elsewhere: cancel_command, and the task tools against a real
	// queue (TestTaskToolsOnQueue).
	covered := map[string]bool{"cancel_command": true, "get_task_status": true,
		"list_tasks": true, "cancel_task": true}
	for _, tt := range tests {
		covered[tt.tool] = true
		t.Run(tt.tool, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, mcpserver.Options{Sessions: true})
			out := mustSucceed(t, e.cs, tt.tool, tt.args(t, e))
			tt.check(t, e, out)
		})
	}
	for _, name := range allTools {
		if !covered[name] {
			t.Errorf("tool %s has no success case", name)
		}
	}
}

func wantField(t *testing.T, m map[string]any, key string, want any) {
	t.Helper()
	if m[key] != want {
		t.Errorf("%s = %v (%T), want %v (%T)", key, m[key], m[key], want, want)
	}
}

func wantOutcomes(t *testing.T, out map[string]any, want string) {
	t.Helper()
	var n int
	for _, s := range out["steps"].([]any) {
		switch o := s.(map[string]any)["outcome"]; o {
		case want:
			n++
		case "skipped":
		default:
			t.Errorf("step outcome %v: %v", o, s)
		}
	}
	if n == 0 {
		t.Errorf("no step %s: %v", want, out)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
