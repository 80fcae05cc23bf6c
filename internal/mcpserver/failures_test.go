package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// TestToolUpstreamFailures: when the hub refuses a tool's call, the tool
// fails with the hub's code and says what it tried.
func TestToolUpstreamFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tool  string
		args  func(t *testing.T, e *env) map[string]any
		fault xytesim.Fault
		code  string
		want  string
	}{
		{"claim_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"space_id": e.a.RoomIDs[0], "cloud_id": "c-1"}
		}, xytesim.Fault{Route: "devices.claimDevice", Status: 403}, "forbidden", "claim device into space"},
		{"update_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "x"}
		}, xytesim.Fault{Route: "devices.updateDevice", Status: 403}, "forbidden", "update device"},
		{"move_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "space_id": e.a.RoomIDs[1]}
		}, xytesim.Fault{Route: "devices.moveDevice", Status: 403}, "forbidden", "move device"},
		{"delete_device", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0]}
		}, xytesim.Fault{Route: "devices.deleteDevice", Status: 403}, "forbidden", "delete device"},
		{"update_ticket", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0], "title": "x"}
		}, xytesim.Fault{Route: "tickets.updateTicket", Status: 403}, "forbidden", "update ticket"},
		{"mark_ticket_resolved", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0]}
		}, xytesim.Fault{Route: "tickets.markResolved", Status: 403}, "forbidden", "resolve ticket"},
		{"send_ticket_message", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"ticket_id": e.a.TicketIDs[0], "message": "hello"}
		}, xytesim.Fault{Route: "tickets.sendMessage", Status: 403}, "forbidden",
			"send message to ticket"},
		{"find_and_control_device", func(t *testing.T, e *env) map[string]any {
			room, _, _ := roomWith(t, e.cs, "Projector")
			return map[string]any{"room": room, "action": "power_on"}
		}, xytesim.Fault{Route: "devices.getDevices", Status: 403}, "forbidden", "list devices"},
		{"xyte_api_call", func(*testing.T, *env) map[string]any {
			return map[string]any{"endpoint": "devices.getDevices"}
		}, xytesim.Fault{Route: "devices.getDevices", Status: 403}, "forbidden",
			"call devices.getDevices"},
		{"get_organization_info", func(*testing.T, *env) map[string]any { return nil },
			xytesim.Fault{Route: "getOrganizationInfo", Status: 403}, "forbidden", "organization"},
		// The hub's wait is passed on, so that the model can wait that long.
		{"send_command", func(_ *testing.T, e *env) map[string]any {
			return map[string]any{"device_id": e.a.DeviceIDs[0], "name": "reboot"}
		}, xytesim.Fault{Route: "commands.sendCommand", Status: 429, RetryAfter: "7"},
			"rate_limited", "(retry after 7s)"},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, mcpserver.Options{})
			args := tt.args(t, e)
			if err := e.sim.SetFaults(tt.fault); err != nil {
				t.Fatal(err)
			}
			mustFail(t, e.cs, tt.tool, args, tt.code, tt.want)
		})
	}
}

// TestResourceReadFailures: a resource whose read the hub refuses fails with
// the hub's code; an id that is not one URI segment is refused before any
// request.
func TestResourceReadFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri   func(e *env) string
		fault string // endpoint refused with 403; "" for none
		want  string
	}{
		{func(*env) string { return "devices://" }, "devices.getDevices", "forbidden"},
		{func(*env) string { return "spaces://" }, "spaces.getSpaces", "forbidden"},
		{func(*env) string { return "incidents://" }, "incidents.getIncidents", "forbidden"},
		{func(*env) string { return "report://fleet" }, "tickets.getTickets", "forbidden"},
		{func(e *env) string { return "device://" + e.a.DeviceIDs[0] + "/logs" },
			"devices.getHistories", "forbidden"},
		{func(e *env) string { return "device://" + e.a.DeviceIDs[0] + "/logs" },
			"commands.getCommands", "forbidden"},
		{func(*env) string { return "device://%20d1" }, "", "device_id"},
		{func(*env) string { return "device://%20d1/commands" }, "", "device_id"},
		{func(*env) string { return "device://%20d1/histories" }, "", "device_id"},
		{func(*env) string { return "device://%20d1/state" }, "", "device_id"},
		{func(*env) string { return "device://%20d1/logs" }, "", "device_id"},
		{func(*env) string { return "ticket://%20t1" }, "", "ticket_id"},
	}
	for _, tt := range tests {
		e := newEnv(t, mcpserver.Options{ExperimentalAPIs: true})
		uri := tt.uri(e)
		if tt.fault != "" {
			if err := e.sim.SetFaults(xytesim.Fault{Route: tt.fault, Status: 403}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := readResource(t, e.cs, uri)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("read %s with %q refused: %v, want an error naming %q", uri, tt.fault, err,
				tt.want)
		}
		if tt.fault == "" && len(e.sim.Requests()) != 0 {
			t.Errorf("read %s: a bad id reached the upstream", uri)
		}
	}
}

// fakeUpstream serves fixed answers by "METHOD /path" below the organization
// root, standing in for the hub where the simulator has no such answer.
func fakeUpstream(t *testing.T, answers map[string]func(w http.ResponseWriter)) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, path, _ := strings.Cut(r.URL.Path, "/organization")
		answer, ok := answers[r.Method+" "+path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"Not found"}`)
			return
		}
		answer(w)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func jsonAnswer(body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

// TestAPICallAnswers: xyte_api_call passes the hub's JSON on; an empty answer
// is null; an answer too large or not JSON is an upstream error.
func TestAPICallAnswers(t *testing.T) {
	t.Parallel()
	big := `{"items":["` + strings.Repeat("x", 600<<10) + `"]}`
	url := fakeUpstream(t, map[string]func(http.ResponseWriter){
		"GET /info":    jsonAnswer(`{"name":"Org"}`),
		"GET /devices": jsonAnswer(big),
		"GET /spaces":  jsonAnswer("<html>maintenance</html>"),
		"DELETE /devices/d1": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNoContent)
		},
	})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, url, keyA), ServerKey: keyA})
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv, context.Background())

	out := mustSucceed(t, cs, "xyte_api_call", map[string]any{"endpoint": "getOrganizationInfo"})
	if body, _ := out["body"].(map[string]any); body["name"] != "Org" || out["status"] != float64(200) {
		t.Errorf("organization: %v", out)
	}
	out = mustSucceed(t, cs, "xyte_api_call", map[string]any{"endpoint": "devices.deleteDevice",
		"params": map[string]any{"device_id": "d1"}, "confirm": "devices.deleteDevice"})
	if out["status"] != float64(204) || out["body"] != nil {
		t.Errorf("empty answer: %v", out)
	}
	mustFail(t, cs, "xyte_api_call", map[string]any{"endpoint": "devices.getDevices"},
		"upstream_error", "smaller page")
	mustFail(t, cs, "xyte_api_call", map[string]any{"endpoint": "spaces.getSpaces"},
		"upstream_error", "not JSON")
}

// TestDescribeEndpointWithoutParams: an endpoint that takes nothing lists its
// params as [], not null.
func TestDescribeEndpointWithoutParams(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	out := mustSucceed(t, e.cs, "xyte_endpoint_describe", map[string]any{"endpoint": "getOrganizationInfo"})
	if params, ok := out["params"].([]any); !ok || len(params) != 0 {
		t.Errorf("params %v, want []", out["params"])
	}
}

// TestDeviceLogsKeepTheNewest: the logs timeline holds at most 200 entries,
// the newest, and says older ones were left out.
func TestDeviceLogsKeepTheNewest(t *testing.T) {
	t.Parallel()
	var hist, cmds []string
	for i := range 200 {
		hist = append(hist, fmt.Sprintf(`{"device_id":"d1","status":"online",`+
			`"created_at":"2025-03-01T%02d:%02d:00Z"}`, i/60, i%60))
	}
	for i := range 3 {
		cmds = append(cmds, fmt.Sprintf(`{"id":"c%d","name":"reboot","status":"done",`+
			`"created_at":"2025-03-02T00:00:0%dZ"}`, i, i))
	}
	url := fakeUpstream(t, map[string]func(http.ResponseWriter){
		"GET /devices/d1":          jsonAnswer(`{"id":"d1","name":"Panel"}`),
		"GET /devices/histories":   jsonAnswer(`{"items":[` + strings.Join(hist, ",") + `]}`),
		"GET /devices/d1/commands": jsonAnswer(`[` + strings.Join(cmds, ",") + `]`),
	})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, url, keyA), ServerKey: keyA,
		ExperimentalAPIs: true})
	if err != nil {
		t.Fatal(err)
	}
	text, err := readResource(t, connect(t, srv, context.Background()), "device://d1/logs")
	if err != nil {
		t.Fatal(err)
	}
	var logs struct {
		Entries []struct {
			Time, Kind string
		} `json:"entries"`
		Truncated bool `json:"truncated"`
	}
	if err := json.Unmarshal([]byte(text), &logs); err != nil {
		t.Fatal(err)
	}
	if len(logs.Entries) != 200 || !logs.Truncated || logs.Entries[0].Kind != "command" ||
		logs.Entries[0].Time != "2025-03-02T00:00:02Z" {
		t.Errorf("%d entries, truncated %v, first %+v", len(logs.Entries), logs.Truncated,
			logs.Entries[0])
	}
}

// TestPromptArguments: the offline prompt refuses a device id that is not
// one segment; on a read-only server every prompt says not to write.
func TestPromptArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{ReadOnly: true})
	ctx := context.Background()
	_, err := e.cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "troubleshoot_offline_device_workflow",
		Arguments: map[string]string{"device_id": "a/b", "room_name": "Boardroom"}})
	if err == nil || !strings.Contains(err.Error(), "device_id") {
		t.Errorf("offline prompt with a bad id: %v", err)
	}
	res, err := e.cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "troubleshoot_offline_device_workflow",
		Arguments: map[string]string{"device_id": e.a.OfflineDeviceIDs[0], "room_name": "Boardroom"}})
	if err != nil {
		t.Fatal(err)
	}
	if msg := res.Messages[0].Content.(*mcp.TextContent).Text; !strings.Contains(msg, "read-only") {
		t.Errorf("prompt on a read-only server: %q", msg)
	}
}
