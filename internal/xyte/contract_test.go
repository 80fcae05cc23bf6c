package xyte_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// fixture finds real ids in a fresh simulator, through the client itself.
type fixture struct {
	t   *testing.T
	sim *xytesim.Server
	c   *xyte.Client
	url string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := xytesim.New(xytesim.Config{
		Seed: 11,
		Orgs: []xytesim.Org{{Key: keyA, Name: "Northwind Labs"}, {Key: keyB, Name: "Contoso Media"},
			{Key: keyRO, Name: "Fabrikam Read Only", ReadOnly: true}},
		PartnerKeys:  []string{partnerKey},
		CommandDelay: time.Hour, // commands stay cancellable for the whole test
	})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	// Retries off: every injected failure must reach the caller.
	c, err := xyte.New(xyte.Options{BaseURL: srv.URL, Key: keyA, PartnerKey: partnerKey,
		MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, sim: sim, c: c, url: srv.URL}
}

// call calls an endpoint with flat arguments, checked against the catalog.
func (f *fixture) call(c *xyte.Client, key string, args map[string]any) (*xyte.Response, error) {
	f.t.Helper()
	ep, ok := xyte.Lookup(key)
	if !ok {
		f.t.Fatalf("no endpoint %s", key)
	}
	req, err := ep.BuildRequest(args)
	if err != nil {
		f.t.Fatalf("%s: catalog refused the arguments: %v", key, err)
	}
	return c.Call(context.Background(), key, req)
}

// must calls an endpoint that has to succeed and decodes its answer.
func (f *fixture) must(key string, args map[string]any) json.RawMessage {
	f.t.Helper()
	resp, err := f.call(f.c, key, args)
	if err != nil {
		f.t.Fatalf("setup %s: %v", key, err)
	}
	return resp.Body
}

// first returns a field of the first item of a list endpoint's answer.
func (f *fixture) first(key string, args map[string]any, field string) any {
	f.t.Helper()
	var page xyte.Page[map[string]any]
	if err := json.Unmarshal(f.must(key, args), &page); err != nil || len(page.Items) == 0 {
		f.t.Fatalf("setup %s: no items (%v)", key, err)
	}
	return page.Items[0][field]
}

func (f *fixture) device() string { return f.first("devices.getDevices", nil, "id").(string) }

func (f *fixture) devices(n int) []string {
	var page xyte.Page[xyte.Device]
	_ = json.Unmarshal(f.must("devices.getDevices", map[string]any{"per_page": n}), &page)
	var ids []string
	for _, d := range page.Items {
		ids = append(ids, d.ID)
	}
	return ids
}

// space returns a room: a leaf space that can be changed or deleted.
func (f *fixture) space() int64 {
	return int64(f.first("spaces.getSpaces", map[string]any{"space_type": "room"}, "id").(float64))
}

func (f *fixture) command(device string) string {
	var cmd xyte.Command
	body := f.must("commands.sendCommand", map[string]any{"device_id": device, "name": "reboot"})
	_ = json.Unmarshal(body, &cmd)
	return cmd.ID
}

func (f *fixture) edge() string { return f.first("edges.getEdges", nil, "id").(string) }

func (f *fixture) partnerDevice() string {
	return f.first("partner.devices.getDevices", nil, "id").(string)
}

func (f *fixture) partnerTicket() string {
	return f.first("partner.tickets.getTickets", nil, "id").(string)
}

func (f *fixture) ticket() string { return f.first("tickets.getTickets", nil, "id").(string) }

func (f *fixture) note(kind, idName string, id any) string {
	body := f.must("notes.create"+kind+"Note", map[string]any{idName: id, "content": "check cabling"})
	var n map[string]any
	_ = json.Unmarshal(body, &n)
	return fmtID(n["id"])
}

func fmtID(v any) string {
	if n, ok := v.(float64); ok {
		return strconv.FormatInt(int64(n), 10)
	}
	s, _ := v.(string)
	return s
}

// contractArgs builds valid arguments for every catalog endpoint.
var contractArgs = map[string]func(f *fixture) map[string]any{
	"devices.getDevices": func(*fixture) map[string]any { return map[string]any{"page": 1, "per_page": 5} },
	"devices.getDevice":  func(f *fixture) map[string]any { return map[string]any{"device_id": f.device()} },
	"devices.claimDevice": func(f *fixture) map[string]any {
		return map[string]any{"name": "Lobby Display", "space_id": f.space(), "mac": "a4:5e:60:00:00:01",
			"sn": "SN-CLAIM-1"}
	},
	"devices.updateDevice": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.device(), "name": "Renamed Display"}
	},
	"devices.deleteDevice": func(f *fixture) map[string]any { return map[string]any{"device_id": f.device()} },
	"devices.getHistories": func(*fixture) map[string]any {
		now := time.Now().Unix()
		return map[string]any{"from": now - 3*86400, "to": now, "per_page": 50}
	},
	"devices.moveDevice": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.device(), "space_id": f.space()}
	},
	"devices.mergeDevice": func(f *fixture) map[string]any {
		ids := f.devices(2)
		return map[string]any{"device_id": ids[0], "with_device_ids": []any{ids[1]}}
	},
	"devices.splitDevice": func(f *fixture) map[string]any {
		ids := f.devices(2)
		f.must("devices.mergeDevice", map[string]any{"device_id": ids[0], "with_device_ids": []any{ids[1]}})
		return map[string]any{"device_id": ids[0], "shadow_device_id": ids[1]}
	},
	"devices.suspendIncidents": func(f *fixture) map[string]any { return map[string]any{"device_id": f.device()} },
	"devices.resumeIncidents":  func(f *fixture) map[string]any { return map[string]any{"device_id": f.device()} },
	"commands.getCommands":     func(f *fixture) map[string]any { return map[string]any{"device_id": f.device()} },
	"commands.sendCommand": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.device(), "name": "set_input", "friendly_name": "Switch input",
			"extra_params": map[string]any{"input": "hdmi2"}}
	},
	"commands.cancelCommand": func(f *fixture) map[string]any {
		d := f.device()
		return map[string]any{"device_id": d, "command_id": f.command(d)}
	},
	"getOrganizationInfo": func(*fixture) map[string]any { return nil },
	"incidents.getIncidents": func(*fixture) map[string]any {
		return map[string]any{"status": "active", "page_size": 50}
	},
	"incidents.deleteIncident": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("incidents.getIncidents", nil, "uuid")}
	},
	"spaces.getSpaces": func(*fixture) map[string]any { return map[string]any{"space_type": "room"} },
	"spaces.getSpace":  func(f *fixture) map[string]any { return map[string]any{"space_id": f.space()} },
	"spaces.createSpace": func(*fixture) map[string]any {
		return map[string]any{"name": "Annex", "config": map[string]any{"temperature_units": "celsius"}}
	},
	"spaces.findOrCreateSpace": func(*fixture) map[string]any {
		return map[string]any{"name": "Annex/Floor 1/Room 101"}
	},
	"spaces.updateSpace": func(f *fixture) map[string]any {
		return map[string]any{"space_id": f.space(), "name": "Renamed Room"}
	},
	"spaces.deleteSpace": func(f *fixture) map[string]any {
		body := f.must("spaces.createSpace", map[string]any{"name": "Temporary"})
		var s xyte.Space
		_ = json.Unmarshal(body, &s)
		return map[string]any{"space_id": int64(s.ID)}
	},
	"tickets.getTickets": func(*fixture) map[string]any { return nil },
	"tickets.getTicket":  func(f *fixture) map[string]any { return map[string]any{"ticket_id": f.ticket()} },
	"tickets.updateTicket": func(f *fixture) map[string]any {
		return map[string]any{"ticket_id": f.ticket(), "title": "Projector still dark"}
	},
	"tickets.markResolved": func(f *fixture) map[string]any { return map[string]any{"ticket_id": f.ticket()} },
	"tickets.sendMessage": func(f *fixture) map[string]any {
		return map[string]any{"ticket_id": f.ticket(), "message": "A technician is on the way."}
	},
	"users.getUsers": func(*fixture) map[string]any { return map[string]any{"per_page": 10} },
	"users.getUser": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("users.getUsers", nil, "id")}
	},
	"users.createUser": func(f *fixture) map[string]any {
		return map[string]any{"email": "new.person@example.com", "name": "New Person",
			"group_ids": []any{f.first("groups.getGroups", nil, "id")}}
	},
	"users.deactivateUser": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("users.getUsers", nil, "id")}
	},
	"users.resendWelcomeEmail": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("users.getUsers", nil, "id")}
	},
	"groups.getGroups": func(*fixture) map[string]any { return nil },
	"groups.getGroup": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("groups.getGroups", nil, "id")}
	},
	"groups.createGroup": func(*fixture) map[string]any { return map[string]any{"name": "Night Shift"} },
	"groups.updateGroup": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("groups.getGroups", nil, "id"), "name": "Renamed Group"}
	},
	"groups.deleteGroup": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("groups.getGroups", nil, "id")}
	},
	"groups.addUsersToGroup": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("groups.getGroups", nil, "id"),
			"user_ids": []any{f.first("users.getUsers", nil, "id")}}
	},
	"groups.removeUsersFromGroup": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("groups.getGroups", nil, "id"),
			"user_ids": []any{f.first("users.getUsers", nil, "id")}}
	},
	"groups.addExternalUserToGroup": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("groups.getGroups", nil, "id"), "email": "guest@example.com"}
	},
	"assets.getAssets": func(*fixture) map[string]any { return map[string]any{"per_page": 10} },
	"assets.getAsset": func(f *fixture) map[string]any {
		return map[string]any{"asset_id": f.first("assets.getAssets", nil, "id")}
	},
	"assets.getAssetLabels": func(*fixture) map[string]any { return map[string]any{"category": "manufacturer"} },
	"assets.createAsset": func(f *fixture) map[string]any {
		return map[string]any{"name": "Spare Projector", "serial_number": "SP-1", "space_id": f.space(),
			"manufacturer": "Acme AV"}
	},
	"assets.updateAsset": func(f *fixture) map[string]any {
		return map[string]any{"asset_id": f.first("assets.getAssets", nil, "id"), "comments": "Moved"}
	},
	"assets.deleteAsset": func(f *fixture) map[string]any {
		return map[string]any{"asset_id": f.first("assets.getAssets", nil, "id")}
	},
	"notes.getAllDeviceNotes": func(*fixture) map[string]any { return nil },
	"notes.getDeviceNotes":    func(f *fixture) map[string]any { return map[string]any{"device_id": f.device()} },
	"notes.createDeviceNote": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.device(), "content": "Lamp replaced"}
	},
	"notes.deleteDeviceNote": func(f *fixture) map[string]any {
		d := f.device()
		return map[string]any{"device_id": d, "id": f.note("Device", "device_id", d)}
	},
	"notes.getAllSpaceNotes": func(*fixture) map[string]any { return nil },
	"notes.getSpaceNotes":    func(f *fixture) map[string]any { return map[string]any{"space_id": f.space()} },
	"notes.createSpaceNote": func(f *fixture) map[string]any {
		return map[string]any{"space_id": f.space(), "content": "Door code changed"}
	},
	"notes.deleteSpaceNote": func(f *fixture) map[string]any {
		s := f.space()
		return map[string]any{"space_id": s, "id": f.note("Space", "space_id", s)}
	},
	"licenses.getLicenses": func(*fixture) map[string]any { return map[string]any{"state": "available,inuse"} },
	"models.getModels":     func(*fixture) map[string]any { return map[string]any{"search": "o"} },
	"models.getModel": func(f *fixture) map[string]any {
		return map[string]any{"id": f.first("models.getModels", nil, "id")}
	},
	"edges.getEdges": func(*fixture) map[string]any { return nil },
	"edges.devices.startPing": func(f *fixture) map[string]any {
		return map[string]any{"proxy_id": f.edge(), "device_ip": "10.20.4.51"}
	},
	"edges.devices.getPingStatus": func(f *fixture) map[string]any {
		args := map[string]any{"proxy_id": f.edge(), "device_ip": "10.20.4.51"}
		f.must("edges.devices.startPing", args)
		return args
	},
	"edges.devices.startClaim": func(f *fixture) map[string]any {
		return map[string]any{"proxy_id": f.edge(), "device_model_id": f.first("models.getModels", nil, "id"),
			"device_ip": "10.20.4.52", "display_name": "Rack Amplifier"}
	},
	"edges.devices.getClaimStatus": func(f *fixture) map[string]any {
		args := map[string]any{"proxy_id": f.edge(), "device_model_id": f.first("models.getModels", nil, "id"),
			"device_ip": "10.20.4.53"}
		f.must("edges.devices.startClaim", args)
		return map[string]any{"proxy_id": args["proxy_id"], "device_ip": args["device_ip"]}
	},
	"edges.devices.updateHostname": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.device(), "device_ip": "display-3-12.example.com"}
	},
	"partner.devices.getDevices": func(*fixture) map[string]any { return nil },
	"partner.devices.getDeviceInfo": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.partnerDevice()}
	},
	"partner.devices.deleteDevice": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.partnerDevice()}
	},
	"partner.devices.getCommands": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.partnerDevice()}
	},
	"partner.devices.getConfiguration": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.partnerDevice()}
	},
	"partner.devices.getStateHistory": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.partnerDevice()}
	},
	"partner.devices.getStateHistoryMultiDevices": func(*fixture) map[string]any { return nil },
	"partner.devices.getTelemetries": func(f *fixture) map[string]any {
		return map[string]any{"device_id": f.partnerDevice()}
	},
	"partner.organizations.createOrganization": func(*fixture) map[string]any {
		return map[string]any{"name": "Tailspin Events", "admin_contact_email": "admin@example.com"}
	},
	"partner.tickets.getTickets": func(*fixture) map[string]any { return nil },
	"partner.tickets.getTicket": func(f *fixture) map[string]any {
		return map[string]any{"ticket_id": f.partnerTicket()}
	},
	"partner.tickets.updateTicket": func(f *fixture) map[string]any {
		return map[string]any{"ticket_id": f.partnerTicket(), "description": "Updated by partner"}
	},
	"partner.tickets.addComment": func(f *fixture) map[string]any {
		return map[string]any{"ticket_id": f.partnerTicket(), "message": "Replacement shipped"}
	},
	"partner.tickets.closeTicket": func(f *fixture) map[string]any {
		return map[string]any{"ticket_id": f.partnerTicket()}
	},
}

// TestContractEveryEndpoint calls every catalog endpoint against the simulator:
// one success, then 401 with an unknown key, 403 with a read-only key (writes),
// 404 for an unknown id (endpoints with ids), and 429 and 503 injected on its
// route.
func TestContractEveryEndpoint(t *testing.T) {
	t.Parallel()
	for _, ep := range xyte.Catalog() {
		t.Run(ep.Key, func(t *testing.T) {
			t.Parallel()
			build, ok := contractArgs[ep.Key]
			if !ok {
				t.Fatalf("no contract arguments for %s", ep.Key)
			}
			f := newFixture(t)
			args := build(f)
			checkInjected(t, f, ep, args)
			checkUnauthorized(t, f, ep, args)
			if !ep.ReadOnly() && ep.API == xyte.APIOrganization {
				checkForbidden(t, f, ep, args)
			}
			if _, err := f.call(f.c, ep.Key, args); err != nil {
				t.Fatalf("success call: %v", err)
			}
			checkNotFound(t, f, ep, args)
		})
	}
}

func checkInjected(t *testing.T, f *fixture, ep xyte.Endpoint, args map[string]any) {
	t.Helper()
	if err := f.sim.SetFaults(xytesim.Fault{Route: ep.Key, Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := f.call(f.c, ep.Key, args)
	if !xyte.IsUpstream(err) || statusOf(err) != 503 {
		t.Fatalf("injected 503: got %v", err)
	}
	if err := f.sim.SetFaults(xytesim.Fault{Route: ep.Key, RetryAfter: "3", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(f.c, ep.Key, args)
	var xe *xyte.Error
	if !xyte.IsRateLimited(err) || !errors.As(err, &xe) || xe.RetryAfter != 3*time.Second {
		t.Fatalf("injected 429: got %v", err)
	}
	f.sim.ClearFaults()
}

func checkUnauthorized(t *testing.T, f *fixture, ep xyte.Endpoint, args map[string]any) {
	t.Helper()
	bad, _ := xyte.New(xyte.Options{BaseURL: f.url, Key: "no-such-key", PartnerKey: "no-such-key"})
	if _, err := f.call(bad, ep.Key, args); !xyte.IsUnauthorized(err) {
		t.Fatalf("unknown key: got %v", err)
	}
}

func checkForbidden(t *testing.T, f *fixture, ep xyte.Endpoint, args map[string]any) {
	t.Helper()
	if _, err := f.call(f.c.WithKey(keyRO), ep.Key, args); !xyte.IsForbidden(err) {
		t.Fatalf("read-only key: got %v", err)
	}
}

// checkNotFound replaces each path id with a well-formed id that does not
// exist, and expects 404.
func checkNotFound(t *testing.T, f *fixture, ep xyte.Endpoint, args map[string]any) {
	t.Helper()
	for _, p := range ep.Params {
		if p.In != xyte.InPath || len(p.Enum) > 0 {
			continue
		}
		bad := map[string]any{}
		for k, v := range args {
			bad[k] = v
		}
		bad[p.Name] = "00000000-0000-4000-8000-000000000000"
		if p.Type == xyte.TypeInteger {
			bad[p.Name] = 987654321
		}
		if _, err := f.call(f.c, ep.Key, bad); !xyte.IsNotFound(err) {
			t.Fatalf("unknown %s: got %v", p.Name, err)
		}
	}
}

func statusOf(err error) int {
	var xe *xyte.Error
	if errors.As(err, &xe) {
		return xe.StatusCode
	}
	return 0
}

// TestContractValidation checks the hub's documented 422 answers reach the
// client as validation errors. The requests are built by hand, past the
// client's own checks, to reach the upstream.
func TestContractValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := time.Now().Unix()
	tests := []struct {
		key string
		req xyte.Request
	}{
		{"devices.getDevices", xyte.Request{Query: url.Values{"per_page": {"101"}}}},
		{"users.getUsers", xyte.Request{Query: url.Values{"per_page": {"101"}}}},
		{"licenses.getLicenses", xyte.Request{Query: url.Values{"per_page": {"101"}}}},
		{"incidents.getIncidents", xyte.Request{Query: url.Values{"page_size": {"501"}}}},
		{"devices.getHistories", xyte.Request{Query: url.Values{
			"from": {strconv.FormatInt(now-32*86400, 10)}, "to": {strconv.FormatInt(now, 10)}}}},
		{"devices.claimDevice", xyte.Request{Body: map[string]any{"name": "No Space"}}},
		{"devices.claimDevice", xyte.Request{Body: map[string]any{"space_id": 987654321}}},
		{"commands.sendCommand", xyte.Request{Path: map[string]string{"device_id": f.device()},
			Body: map[string]any{"extra_params": map[string]any{}}}},
		{"spaces.findOrCreateSpace", xyte.Request{Body: map[string]any{}}},
		{"users.createUser", xyte.Request{Body: map[string]any{"email": "x@example.com", "name": "X"}}},
	}
	for _, tt := range tests {
		_, err := f.c.Call(context.Background(), tt.key, tt.req)
		if !xyte.IsValidation(err) || statusOf(err) != 422 {
			t.Errorf("%s %+v: got %v, want 422", tt.key, tt.req, err)
		}
	}
}

// TestContractTenantIsolation checks that one organization's ids are unknown
// to another's key, through every typed call that takes an id.
func TestContractTenantIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	idA, spaceA, ticketA := f.device(), f.space(), f.ticket()
	b := f.c.WithKey(keyB)
	idB := firstDevice(t, b)
	if idA == idB {
		t.Fatal("two organizations share a device id")
	}
	name := "Taken Over"
	calls := map[string]func() error{
		"get device": func() error { _, err := b.GetDevice(ctx, idA); return err },
		"send command": func() error {
			_, err := b.SendCommand(ctx, idA, xyte.SendCommandRequest{Name: "reboot"})
			return err
		},
		"update device": func() error {
			_, err := b.UpdateDevice(ctx, idA, xyte.UpdateDeviceRequest{Name: &name})
			return err
		},
		"move device":   func() error { _, err := b.MoveDevice(ctx, idA, spaceA); return err },
		"list commands": func() error { _, err := b.ListCommands(ctx, idA); return err },
		"get space":     func() error { _, err := b.GetSpace(ctx, spaceA); return err },
		"get ticket":    func() error { _, err := b.GetTicket(ctx, ticketA); return err },
		"update ticket": func() error {
			_, err := b.UpdateTicket(ctx, ticketA, xyte.UpdateTicketRequest{Title: &name})
			return err
		},
	}
	for what, call := range calls {
		if err := call(); !xyte.IsNotFound(err) {
			t.Errorf("B: %s of A's: got %v, want not found", what, err)
		}
	}
	if _, err := b.ClaimDevice(ctx, xyte.ClaimDeviceRequest{Name: "x", SpaceID: spaceA,
		CloudID: "cloud-1"}); !xyte.IsValidation(err) || !strings.Contains(err.Error(), "Space not found") {
		t.Errorf("B claimed a device into A's space: got %v, want 422 Space not found", err)
	}
	checkListsSeparate(t, b, idA, ticketA)
}

// checkListsSeparate checks that b's lists and organization are its own.
func checkListsSeparate(t *testing.T, b *xyte.Client, idA, ticketA string) {
	t.Helper()
	ctx := context.Background()
	pageB, err := b.ListDevices(ctx, xyte.ListDevicesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range pageB.Items {
		if d.ID == idA {
			t.Fatal("A's device is in B's list")
		}
	}
	tickets, err := b.ListTickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tickets {
		if tk.ID == ticketA {
			t.Fatal("A's ticket is in B's list")
		}
	}
	if info, err := b.OrganizationInfo(ctx); err != nil || info.Name != "Contoso Media" {
		t.Fatalf("B's organization: %+v %v", info, err)
	}
}

// TestTypedCallsRoundTrip drives a device and a ticket through the typed
// calls and checks each answer against what the simulator then holds.
func TestTypedCallsRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.c
	room := f.space()
	spaces, err := c.ListSpaces(ctx, xyte.ListSpacesOptions{SpaceType: "room", PerPage: 2})
	if err != nil || len(spaces.Items) < 2 {
		t.Fatalf("list rooms: %v", err)
	}
	other := int64(spaces.Items[1].ID)
	if other == room {
		other = int64(spaces.Items[0].ID)
	}
	if s, err := c.GetSpace(ctx, room); err != nil || int64(s.ID) != room {
		t.Fatalf("get space %d: %+v %v", room, s, err)
	}

	d, err := c.ClaimDevice(ctx, xyte.ClaimDeviceRequest{Name: "Lobby Display", SpaceID: room,
		CloudID: "cloud-lobby-1"})
	if err != nil || d.ID == "" || d.Name != "Lobby Display" {
		t.Fatalf("claim: %+v %v", d, err)
	}
	name := "Lobby Display 2"
	if d, err = c.UpdateDevice(ctx, d.ID, xyte.UpdateDeviceRequest{Name: &name}); err != nil || d.Name != name {
		t.Fatalf("update: %+v %v", d, err)
	}
	if _, err := c.MoveDevice(ctx, d.ID, other); err != nil {
		t.Fatalf("move: %v", err)
	}
	if got, err := c.GetDevice(ctx, d.ID); err != nil || got.Space == nil || int64(got.Space.ID) != other {
		t.Fatalf("after the move: %+v %v", got, err)
	}
	if err := c.DeleteDevice(ctx, d.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetDevice(ctx, d.ID); !xyte.IsNotFound(err) {
		t.Fatalf("deleted device: got %v", err)
	}
	checkTicketRoundTrip(t, c, f.ticket())
}

func checkTicketRoundTrip(t *testing.T, c *xyte.Client, id string) {
	t.Helper()
	ctx := context.Background()
	title := "Projector flickers in room 4"
	if tk, err := c.UpdateTicket(ctx, id, xyte.UpdateTicketRequest{Title: &title}); err != nil || tk.Title != title {
		t.Fatalf("update ticket: %+v %v", tk, err)
	}
	if err := c.SendTicketMessage(ctx, id, "A technician is on the way."); err != nil {
		t.Fatalf("message: %v", err)
	}
	if err := c.ResolveTicket(ctx, id); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	tk, err := c.GetTicket(ctx, id)
	if err != nil || tk.Title != title || tk.Status != "resolved" {
		t.Fatalf("ticket after the changes: %+v %v", tk, err)
	}
	var said bool
	for _, cm := range tk.Comments {
		said = said || cm.Text == "A technician is on the way."
	}
	if !said {
		t.Fatalf("the message is not among the ticket's comments: %+v", tk.Comments)
	}
}

// TestTypedReadsReportRefusedKey: every typed read passes the hub's refusal
// of a key through as unauthorized, with nothing decoded.
func TestTypedReadsReportRefusedKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.c.WithKey("not-a-key-of-any-org")
	reads := map[string]func() error{
		"devices":   func() error { _, err := c.ListDevices(ctx, xyte.ListDevicesOptions{}); return err },
		"histories": func() error { _, err := c.SearchHistories(ctx, xyte.HistoryQuery{}); return err },
		"spaces":    func() error { _, err := c.ListSpaces(ctx, xyte.ListSpacesOptions{}); return err },
		"incidents": func() error { _, err := c.ListIncidents(ctx, xyte.ListIncidentsOptions{}); return err },
		"tickets":   func() error { _, err := c.ListTickets(ctx); return err },
		"info":      func() error { _, err := c.OrganizationInfo(ctx); return err },
	}
	for name, read := range reads {
		if err := read(); !xyte.IsUnauthorized(err) || statusOf(err) != 401 {
			t.Errorf("%s: got %v, want 401 unauthorized", name, err)
		}
	}
}
