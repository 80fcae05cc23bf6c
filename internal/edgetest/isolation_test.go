package edgetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// tenantView is what one tenant may see and what it must never see.
type tenantView struct {
	key     string
	own     xytesim.Snapshot
	foreign xytesim.Snapshot
	cs      *mcp.ClientSession
}

// readOp is one read a tenant can make: a tool, a resource or a REST route,
// with its own ids filled in.
type readOp struct {
	name string
	run  func(ctx context.Context, e *env, v tenantView) (string, error)
}

// fleetWide reports a read that walks the whole fleet (every incident,
// every device): run in turn, but kept out of the concurrent phase, where
// under the race detector it would only add minutes.
func (op readOp) fleetWide() bool {
	for _, s := range []string{"fleet_overview", "report://", "/fleet/overview",
		"get_device_status", "/status"} {
		if strings.Contains(op.name, s) {
			return true
		}
	}
	return false
}

func toolOp(name string, args func(s xytesim.Snapshot) map[string]any) readOp {
	return readOp{"tool " + name, func(ctx context.Context, _ *env, v tenantView) (string, error) {
		var a map[string]any
		if args != nil {
			a = args(v.own)
		}
		res, err := v.cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: a})
		if err != nil {
			return "", err
		}
		if res.IsError {
			return "", fmt.Errorf("tool error: %s", resultText(res))
		}
		return resultText(res), nil
	}}
}

func resourceOp(uri func(s xytesim.Snapshot) string) readOp {
	name := "resource " + uri(xytesim.Snapshot{DeviceIDs: []string{"{device_id}"},
		TicketIDs: []string{"{ticket_id}"}})
	return readOp{name, func(ctx context.Context, _ *env, v tenantView) (string, error) {
		res, err := v.cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri(v.own)})
		if err != nil {
			return "", err
		}
		data, _ := json.Marshal(res)
		return string(data), nil
	}}
}

func restOp(path func(s xytesim.Snapshot) string) readOp {
	name := "GET " + path(xytesim.Snapshot{DeviceIDs: []string{"{device_id}"},
		TicketIDs: []string{"{ticket_id}"}, SpaceIDs: []int64{0}})
	return readOp{name, func(_ context.Context, e *env, v tenantView) (string, error) {
		r, err := e.try(request{path: path(v.own), header: authHeader("Bearer " + v.key)})
		if err != nil {
			return "", err
		}
		if r.status != http.StatusOK {
			return "", fmt.Errorf("status %d: %s", r.status, r)
		}
		return string(r.body), nil
	}}
}

func device(s xytesim.Snapshot) string { return s.DeviceIDs[0] }

// deviceURI returns the URI of a resource of the first device.
func deviceURI(suffix string) func(xytesim.Snapshot) string {
	return func(s xytesim.Snapshot) string { return "device://" + device(s) + suffix }
}

func deviceArg(s xytesim.Snapshot) map[string]any { return map[string]any{"device_id": device(s)} }

// readOps lists every read of the server that shows organization data.
func readOps() []readOp {
	return []readOp{
		toolOp("list_devices", nil),
		toolOp("list_devices", func(xytesim.Snapshot) map[string]any {
			return map[string]any{"per_page": 100}
		}),
		toolOp("get_device", deviceArg),
		toolOp("get_device_status", deviceArg),
		toolOp("list_device_commands", deviceArg),
		toolOp("search_device_histories", deviceArg),
		toolOp("search_device_histories", nil),
		toolOp("list_spaces", nil),
		toolOp("get_space", func(s xytesim.Snapshot) map[string]any {
			return map[string]any{"space_id": s.SpaceIDs[1]}
		}),
		toolOp("list_incidents", nil),
		toolOp("list_tickets", nil),
		toolOp("get_ticket", func(s xytesim.Snapshot) map[string]any {
			return map[string]any{"ticket_id": s.TicketIDs[0]}
		}),
		toolOp("get_organization_info", nil),
		toolOp("fleet_overview", nil),
		toolOp("xyte_api_call", func(xytesim.Snapshot) map[string]any {
			return map[string]any{"endpoint": "devices.getDevices"}
		}),
		resourceOp(func(xytesim.Snapshot) string { return "devices://" }),
		resourceOp(deviceURI("")),
		resourceOp(deviceURI("/commands")),
		resourceOp(deviceURI("/histories")),
		resourceOp(deviceURI("/state")),
		resourceOp(deviceURI("/logs")),
		resourceOp(func(xytesim.Snapshot) string { return "spaces://" }),
		resourceOp(func(xytesim.Snapshot) string { return "incidents://" }),
		resourceOp(func(xytesim.Snapshot) string { return "tickets://" }),
		resourceOp(func(s xytesim.Snapshot) string { return "ticket://" + s.TicketIDs[0] }),
		resourceOp(func(xytesim.Snapshot) string { return "organization://info" }),
		resourceOp(func(xytesim.Snapshot) string { return "report://fleet" }),
		restOp(func(xytesim.Snapshot) string { return "/v1/devices" }),
		restOp(func(xytesim.Snapshot) string { return "/v1/devices?per_page=100" }),
		restOp(func(s xytesim.Snapshot) string { return "/v1/devices/" + device(s) }),
		restOp(func(s xytesim.Snapshot) string { return "/v1/devices/" + device(s) + "/status" }),
		restOp(func(s xytesim.Snapshot) string { return "/v1/devices/" + device(s) + "/commands" }),
		restOp(func(s xytesim.Snapshot) string { return "/v1/histories?device_id=" + device(s) }),
		restOp(func(xytesim.Snapshot) string { return "/v1/histories" }),
		restOp(func(xytesim.Snapshot) string { return "/v1/spaces" }),
		restOp(func(s xytesim.Snapshot) string {
			return "/v1/spaces/" + strconv.FormatInt(s.SpaceIDs[0], 10)
		}),
		restOp(func(xytesim.Snapshot) string { return "/v1/incidents" }),
		restOp(func(xytesim.Snapshot) string { return "/v1/tickets" }),
		restOp(func(s xytesim.Snapshot) string { return "/v1/tickets/" + s.TicketIDs[0] }),
		restOp(func(xytesim.Snapshot) string { return "/v1/organization" }),
		restOp(func(xytesim.Snapshot) string { return "/v1/fleet/overview" }),
	}
}

// foreignMark returns an id or name of the other tenant found in text.
func foreignMark(text string, other xytesim.Snapshot) (string, bool) {
	marks := append([]string{other.OrgID, other.Name}, other.DeviceIDs...)
	marks = append(marks, other.TicketIDs...)
	marks = append(marks, other.IncidentIDs...)
	for _, m := range marks {
		if strings.Contains(text, m) {
			return m, true
		}
	}
	return "", false
}

// newIsolationEnv starts a multi-tenant server with the response cache and
// experimental resources on, and an MCP session for each of tenants A and B.
func newIsolationEnv(t *testing.T, sessions bool) (*env, tenantView, tenantView) {
	t.Helper()
	e := newEnv(t, envOpts{sessions: sessions, mutate: func(c *config.Config) {
		c.ExperimentalAPIs = true
		c.CacheTTL = time.Minute
		// Under the race detector and parallel tests, fleet-wide reads
		// can take seconds.
		c.UpstreamTimeout = 20 * time.Second
	}})
	a, _ := e.sim.Snapshot(keyA)
	b, _ := e.sim.Snapshot(keyB)
	va := tenantView{key: keyA, own: a, foreign: b, cs: e.mustConnect(t, "Bearer "+keyA)}
	vb := tenantView{key: keyB, own: b, foreign: a, cs: e.mustConnect(t, keyB)}
	return e, va, vb
}

// TestTenantIsolation runs every read of organization data (tools,
// resources, REST routes) for two tenants with different organizations,
// first in turn and then as 200 interleaved calls at once, with the
// response cache on. No answer to one tenant may hold an id or the name of
// the other's organization.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	for _, sessions := range []bool{false, true} {
		t.Run(fmt.Sprintf("sessions=%v", sessions), func(t *testing.T) {
			t.Parallel()
			e, va, vb := newIsolationEnv(t, sessions)
			ops := readOps()
			// In turn, so that each tenant's answers are cached before the
			// other asks the same.
			for _, op := range ops {
				for _, v := range []tenantView{va, vb} {
					checkIsolated(t, e, v, op)
				}
			}
			ops = slices.DeleteFunc(ops, readOp.fleetWide)
			// 200 calls, 16 at a time, the two tenants interleaved.
			var wg sync.WaitGroup
			slots := make(chan struct{}, 16)
			for i := range 200 {
				v := []tenantView{va, vb}[i%2]
				op := ops[(i/2)%len(ops)]
				slots <- struct{}{}
				wg.Go(func() {
					defer func() { <-slots }()
					checkIsolated(t, e, v, op)
				})
			}
			wg.Wait()
		})
	}
}

// checkIsolated runs op for v and checks its answer. It reports with Errorf
// only, so it may run in any goroutine.
func checkIsolated(t *testing.T, e *env, v tenantView, op readOp) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	text, err := op.run(ctx, e, v)
	if err != nil {
		t.Errorf("%s for %s: %v", op.name, v.own.Name, err)
		return
	}
	if mark, ok := foreignMark(text, v.foreign); ok {
		t.Errorf("%s for %s shows %q of %s", op.name, v.own.Name, mark, v.foreign.Name)
	}
}

// idOp is a read by id, run with a given id.
type idOp struct {
	name string
	run  func(ctx context.Context, e *env, v tenantView, id string) string
}

// unknownDevice and unknownTicket are ids of the right shape that exist
// nowhere.
const (
	unknownDevice = "00000000-0000-4000-8000-00000000dead"
	unknownTicket = "00000000-0000-4000-8000-00000000beef"
	unknownSpace  = "987654321"
)

func toolByID(name, arg string, integer bool) idOp {
	return idOp{"tool " + name, func(ctx context.Context, _ *env, v tenantView, id string) string {
		var val any = id
		if integer {
			val, _ = strconv.ParseInt(id, 10, 64)
		}
		res, err := v.cs.CallTool(ctx, &mcp.CallToolParams{Name: name,
			Arguments: map[string]any{arg: val}})
		if err != nil {
			return "protocol error: " + err.Error()
		}
		data, _ := json.Marshal(res)
		return string(data)
	}}
}

func resourceByID(prefix, suffix string) idOp {
	return idOp{"resource " + prefix + "{id}" + suffix,
		func(ctx context.Context, _ *env, v tenantView, id string) string {
			res, err := v.cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: prefix + id + suffix})
			var werr *jsonrpc.Error
			if errors.As(err, &werr) {
				return fmt.Sprintf("error %d %s", werr.Code, werr.Message)
			}
			data, _ := json.Marshal(res)
			return fmt.Sprintf("%s %v", data, err)
		}}
}

func restByID(prefix, suffix string) idOp {
	return idOp{"GET " + prefix + "{id}" + suffix,
		func(_ context.Context, e *env, v tenantView, id string) string {
			r, err := e.try(request{path: prefix + id + suffix, header: authHeader(v.key)})
			if err != nil {
				return err.Error()
			}
			return fmt.Sprintf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
		}}
}

// TestForeignIDLooksUnknown asks tenant A for tenant B's devices, tickets,
// spaces and tasks through every tool, resource and route that takes an id,
// after B has read each of them (so that B's answers sit in the cache), and
// compares each answer with the one for an id that exists nowhere: they must
// be the same, id aside, so that A cannot learn that B's id exists.
func TestForeignIDLooksUnknown(t *testing.T) {
	t.Parallel()
	e, va, vb := newIsolationEnv(t, true)
	task := callTool(t, vb.cs, "send_command_async", map[string]any{
		"device_id": device(vb.own), "name": "reboot"})
	var started struct {
		TaskID string `json:"task_id"`
	}
	remarshal(t, task.StructuredContent, &started)
	if task.IsError || started.TaskID == "" {
		t.Fatalf("send_command_async: %s", resultText(task))
	}
	unknownTask := strings.Repeat("0", len(started.TaskID))

	dev, ticket := device(vb.own), vb.own.TicketIDs[0]
	space := strconv.FormatInt(vb.own.SpaceIDs[1], 10)
	tests := []struct {
		op               idOp
		foreign, unknown string
	}{
		{toolByID("get_device", "device_id", false), dev, unknownDevice},
		{toolByID("get_device_status", "device_id", false), dev, unknownDevice},
		{toolByID("list_device_commands", "device_id", false), dev, unknownDevice},
		{toolByID("search_device_histories", "device_id", false), dev, unknownDevice},
		{toolByID("get_ticket", "ticket_id", false), ticket, unknownTicket},
		{toolByID("get_space", "space_id", true), space, unknownSpace},
		{toolByID("get_task_status", "task_id", false), started.TaskID, unknownTask},
		{resourceByID("device://", ""), dev, unknownDevice},
		{resourceByID("device://", "/commands"), dev, unknownDevice},
		{resourceByID("device://", "/histories"), dev, unknownDevice},
		{resourceByID("device://", "/state"), dev, unknownDevice},
		{resourceByID("device://", "/logs"), dev, unknownDevice},
		{resourceByID("ticket://", ""), ticket, unknownTicket},
		{restByID("/v1/devices/", ""), dev, unknownDevice},
		{restByID("/v1/devices/", "/status"), dev, unknownDevice},
		{restByID("/v1/devices/", "/commands"), dev, unknownDevice},
		{restByID("/v1/histories?device_id=", ""), dev, unknownDevice},
		{restByID("/v1/tickets/", ""), ticket, unknownTicket},
		{restByID("/v1/spaces/", ""), space, unknownSpace},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.op.name, func(t *testing.T) {
			own := tt.op.run(ctx, e, vb, tt.foreign)
			if strings.Contains(own, "not found") || strings.Contains(own, `"isError":true`) {
				t.Fatalf("tenant B cannot read its own id: %s", own)
			}
			foreign := strings.ReplaceAll(tt.op.run(ctx, e, va, tt.foreign), tt.foreign, "<id>")
			unknown := strings.ReplaceAll(tt.op.run(ctx, e, va, tt.unknown), tt.unknown, "<id>")
			if foreign != unknown {
				t.Errorf("B's id and an unknown id answer differently:\n%s\n%s", foreign, unknown)
			}
			if !strings.Contains(foreign, "not found") && !strings.Contains(foreign, "not_found") &&
				!strings.Contains(foreign, "404") {
				t.Errorf("B's id did not answer not found: %s", foreign)
			}
		})
	}
}

// remarshal copies from into to through JSON.
func remarshal(t testing.TB, from, to any) {
	t.Helper()
	data, err := json.Marshal(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, to); err != nil {
		t.Fatal(err)
	}
}
