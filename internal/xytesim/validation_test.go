package xytesim

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidation(t *testing.T) {
	t.Parallel()
	s, clock := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	dev, room := snap.DeviceIDs[0], snap.RoomIDs[0]
	plain := firstNotIn(snap.DeviceIDs, snap.EdgeDeviceIDs)
	devRoom := s.deviceSpace(t, dev)
	edgeClaim := func(name string, v any) map[string]any {
		return map[string]any{"proxy_id": snap.EdgeIDs[0], "device_ip": "10.0.0.9",
			"device_model_id": snap.ModelIDs[0], name: v}
	}
	now := clock.Now().Unix()
	window := func(days int) string {
		return fmt.Sprintf("from=%d&to=%d", now-int64(days)*86400, now)
	}
	tests := []struct {
		name, method, path string
		body               any
		status             int
		msg                string
	}{
		{"devices per_page 101", "GET", "/devices?per_page=101", nil, 422, "per_page"},
		{"devices per_page 0", "GET", "/devices?per_page=0", nil, 422, "per_page"},
		{"devices per_page text", "GET", "/devices?per_page=ten", nil, 422, "per_page"},
		{"devices page 0", "GET", "/devices?page=0", nil, 422, "page"},
		{"devices space text", "GET", "/devices?space_id=abc", nil, 422, "space_id"},
		{"users per_page 101", "GET", "/users?per_page=101", nil, 422, "per_page"},
		{"licenses per_page 101", "GET", "/licenses?per_page=101", nil, 422, "per_page"},
		{"licenses bad state", "GET", "/licenses?state=lost", nil, 422, "state"},
		{"licenses bad bool", "GET", "/licenses?assigned=maybe", nil, 422, "assigned"},
		{"incidents page_size 501", "GET", "/incidents?page_size=501", nil, 422, "page_size"},
		{"incidents per_page 501", "GET", "/incidents?per_page=501", nil, 422, "per_page"},
		{"incidents bad priority", "GET", "/incidents?priority=urgent", nil, 422, "priority"},
		{"incidents bad status", "GET", "/incidents?status=open", nil, 422, "status"},
		{"histories 32 days", "GET", "/devices/histories?" + window(32), nil, 422, "31 days"},
		{"histories per_page 1001", "GET", "/devices/histories?per_page=1001", nil, 422,
			"per_page"},
		{"histories from text", "GET", "/devices/histories?from=yesterday", nil, 422, "from"},
		{"histories ISO refused", "GET", "/devices/histories?from=2025-03-10T00:00:00Z", nil, 422,
			"epoch"},
		{"histories to before from", "GET", fmt.Sprintf("/devices/histories?from=%d&to=%d",
			now, now-10), nil, 422, "from"},
		{"histories bad status", "GET", "/devices/histories?status=sleepy", nil, 422, "status"},
		{"claim without space", "POST", "/devices/claim", map[string]any{"cloud_id": "c1"}, 422,
			"space_id"},
		{"claim unknown space", "POST", "/devices/claim",
			map[string]any{"cloud_id": "c1", "space_id": 1}, 422, "Space not found"},
		{"claim space not a number", "POST", "/devices/claim",
			map[string]any{"cloud_id": "c1", "space_id": "twelve"}, 422, "space_id"},
		{"claim without identifiers", "POST", "/devices/claim", map[string]any{"space_id": room},
			422, "cloud_id"},
		{"command without name", "POST", "/devices/" + dev + "/commands",
			map[string]any{"extra_params": map[string]any{"x": 1}}, 422, "friendly_name"},
		{"find_or_create without name", "POST", "/spaces/find_or_create", map[string]any{}, 422,
			"name"},
		{"find_or_create only slashes", "POST", "/spaces/find_or_create",
			map[string]any{"name": " / "}, 422, "name"},
		{"create space without name", "POST", "/spaces", map[string]any{}, 422, "name"},
		{"create space unknown parent", "POST", "/spaces",
			map[string]any{"name": "X", "parent_id": 1}, 422, "Parent"},
		{"create user without groups", "POST", "/users",
			map[string]any{"email": "new.person@example.com"}, 422, "at least to one group"},
		{"create user without email", "POST", "/users",
			map[string]any{"group_ids": []string{snap.GroupIDs[0]}}, 422, "Email can't be blank"},
		{"create group without name", "POST", "/groups", map[string]any{}, 422, "name"},
		{"create group taken name", "POST", "/groups", map[string]any{"name": "Administrators"},
			422, "taken"},
		{"unknown device", "GET", "/devices/no-such-device", nil, 404, "Device not found"},
		{"unknown ticket", "GET", "/tickets/no-such-ticket", nil, 404, "Ticket not found"},
		{"unknown space", "GET", "/spaces/1", nil, 404, "Space not found"},
		{"space id not an integer", "GET", "/spaces/abc", nil, 404, "Space not found"},
		{"space notes of text id", "GET", "/spaces/1.5/notes", nil, 404, "Space not found"},
		{"unknown user", "GET", "/users/nobody", nil, 404, "User not found"},
		{"unknown group", "GET", "/groups/nobody", nil, 404, "Group not found"},
		{"unknown asset", "GET", "/assets/nothing", nil, 404, "Asset not found"},
		{"unknown model", "GET", "/models/nothing", nil, 404, "Model not found"},
		{"unknown incident", "DELETE", "/incidents/nothing", nil, 404, "Incident not found"},
		{"unknown command", "DELETE", "/devices/" + dev + "/commands/nothing", nil, 404,
			"Command not found"},
		{"bad JSON", "POST", "/devices/" + dev + "/commands", `{"name":`, 400, "JSON"},
		{"JSON of the wrong type", "POST", "/devices/" + dev + "/commands", `{"name": 5}`, 422,
			"name"},
		{"JSON array body", "PUT", "/tickets/" + snap.TicketIDs[0], `[1]`, 422, "body"},
		{"ticket update without fields", "PUT", "/tickets/" + snap.TicketIDs[0],
			map[string]any{}, 422, "title"},
		{"ticket blank title", "PUT", "/tickets/" + snap.TicketIDs[0],
			map[string]any{"title": " "}, 422, "blank"},
		{"ticket message missing", "POST", "/tickets/" + snap.TicketIDs[0] + "/message",
			map[string]any{}, 422, "message"},
		{"hostname without ip", "POST", "/edges/devices/" + dev + "/update_hostname",
			map[string]any{}, 400, "device_ip"},
		{"hostname bad characters", "POST", "/edges/devices/" + dev + "/update_hostname",
			map[string]any{"device_ip": "a b;c"}, 422, "device_ip"},
		{"hostname unknown device", "POST", "/edges/devices/nothing/update_hostname",
			map[string]any{"device_ip": "10.0.0.1"}, 404, "Device not found"},
		{"ping status before ping", "GET", "/edges/devices/get_ping_status?proxy_id=x&device_ip=1",
			nil, 422, "ping"},
		{"claim status before claim", "GET",
			"/edges/devices/get_claim_status?proxy_id=x&device_ip=1", nil, 422, "claim"},
		{"ping unknown proxy", "POST", "/edges/devices/start_ping",
			map[string]any{"proxy_id": "x", "device_ip": "10.0.0.9"}, 422, "proxy_id"},
		{"ping bad ip", "POST", "/edges/devices/start_ping",
			map[string]any{"proxy_id": snap.EdgeIDs[0], "device_ip": "ten"}, 422, "device_ip"},
		{"label category", "GET", "/assets/labels/colour", nil, 422, "category"},
		{"asset without name", "POST", "/assets", map[string]any{"serial_number": "1"}, 422,
			"Name"},
		{"asset unknown label id", "POST", "/assets",
			map[string]any{"name": "A", "status": map[string]string{"id": "nope"}}, 422, "label"},
		{"move without space", "POST", "/devices/" + dev + "/move", map[string]any{}, 422,
			"space_id"},
		{"merge without ids", "POST", "/devices/" + dev + "/merge", map[string]any{}, 422,
			"with_device_ids"},
		{"merge into itself", "POST", "/devices/" + dev + "/merge",
			map[string]any{"with_device_ids": []string{dev}}, 422, "itself"},
		{"split unknown shadow", "POST", "/devices/" + dev + "/split",
			map[string]any{"shadow_device_id": "nope"}, 422, "not merged"},
		{"delete root space", "DELETE", "/spaces/" + itoa(int(snap.RootSpaceID)), nil, 422, "root"},
		{"delete site with floors", "DELETE", "/spaces/" + itoa(int(snap.SiteIDs[0])), nil, 422,
			"sub-spaces"},
		{"device note without content", "POST", "/devices/" + dev + "/notes", map[string]any{},
			422, "Content"},
		{"patch blank name", "PATCH", "/devices/" + dev, map[string]any{"name": ""}, 422, "blank"},
		{"custom parameters on a plain device", "PATCH", "/devices/" + plain,
			map[string]any{"custom_parameters": map[string]any{"x": 1}}, 422, "edge devices"},
		{"bad host address", "PATCH", "/devices/" + dev,
			map[string]any{"device_host_address": "a b;c"}, 422, "device_host_address"},
		{"merge unknown shadow", "POST", "/devices/" + dev + "/merge",
			map[string]any{"with_device_ids": []string{"nope"}}, 422, "Device nope not found"},
		{"split without shadow", "POST", "/devices/" + dev + "/split", map[string]any{}, 422,
			"shadow_device_id"},
		{"histories to text", "GET", "/devices/histories?to=later", nil, 422, "to"},
		{"incidents from text", "GET", "/incidents?from=yesterday", nil, 422, "from"},
		{"assets space text", "GET", "/assets?space_id=abc", nil, 422, "space_id"},
		{"asset name a number", "POST", "/assets", `{"name": 5}`, 422, "name"},
		{"asset blank name", "PUT", "/assets/" + snap.AssetIDs[0], map[string]any{"name": " "}, 422,
			"blank"},
		{"asset unknown space", "PUT", "/assets/" + snap.AssetIDs[0], map[string]any{"space_id": 1},
			422, "Space not found"},
		{"asset bad purchase date", "PUT", "/assets/" + snap.AssetIDs[0],
			map[string]any{"purchased_at": "last spring"}, 422, "purchased_at"},
		{"asset blank label name", "POST", "/assets", map[string]any{"name": "A", "status": " "}, 422,
			"Invalid status"},
		{"asset label a number", "POST", "/assets", map[string]any{"name": "A", "status": 5}, 422,
			"Invalid status"},
		{"licenses bad expiry", "GET", "/licenses?expires_before=soon", nil, 422, "expires_before"},
		{"models bad edge_only", "GET", "/models?edge_only=maybe", nil, 422, "edge_only"},
		{"spaces parent text", "GET", "/spaces?parent_id=abc", nil, 422, "parent_id"},
		{"spaces bad created_before", "GET", "/spaces?created_before=yesterday", nil, 422,
			"created_before"},
		{"spaces bad created_after", "GET", "/spaces?created_after=2025-13-01", nil, 422,
			"created_after"},
		{"space blank name", "PUT", "/spaces/" + itoa(int(room)), map[string]any{"name": ""}, 422, "blank"},
		{"space unknown parent", "PUT", "/spaces/" + itoa(int(room)), map[string]any{"parent_id": 1},
			422, "Parent"},
		{"move the root space", "PUT", "/spaces/" + itoa(int(snap.RootSpaceID)),
			map[string]any{"parent_id": snap.SiteIDs[0]}, 422, "root"},
		{"delete room with devices", "DELETE", "/spaces/" + itoa(int(devRoom)), nil, 422, "devices"},
		{"find_or_create unknown parent", "POST", "/spaces/find_or_create",
			map[string]any{"name": "X", "parent_id": 1}, 422, "Parent"},
		{"create user bad email", "POST", "/users",
			map[string]any{"email": "not-an-address", "group_ids": snap.GroupIDs[:1]}, 422, "Email is invalid"},
		{"create user unknown group", "POST", "/users",
			map[string]any{"email": "kim@example.com", "group_ids": []string{"nope"}}, 422, "Group nope"},
		{"rename group to a taken name", "PUT", "/groups/" + snap.GroupIDs[1],
			map[string]any{"name": "Administrators"}, 422, "taken"},
		{"add users without ids", "POST", "/groups/" + snap.GroupIDs[0] + "/add_users",
			map[string]any{}, 422, "user_ids"},
		{"remove users without ids", "POST", "/groups/" + snap.GroupIDs[0] + "/remove_users",
			map[string]any{"user_ids": []string{}}, 422, "user_ids"},
		{"external user without email", "POST", "/groups/" + snap.GroupIDs[0] + "/add_external_user",
			map[string]any{"email": " "}, 422, "blank"},
		{"external user bad email", "POST", "/groups/" + snap.GroupIDs[0] + "/add_external_user",
			map[string]any{"email": "nobody"}, 422, "invalid"},
		{"edge claim unknown proxy", "POST", "/edges/devices/start_claim",
			map[string]any{"proxy_id": "x", "device_ip": "10.0.0.9"}, 422, "proxy_id"},
		{"edge claim unknown model", "POST", "/edges/devices/start_claim",
			map[string]any{"proxy_id": snap.EdgeIDs[0], "device_ip": "10.0.0.9", "device_model_id": "x"},
			422, "device_model_id"},
		{"edge claim bad mac", "POST", "/edges/devices/start_claim", edgeClaim("mac", "zz:zz"), 422, "mac"},
		{"edge claim unknown space", "POST", "/edges/devices/start_claim", edgeClaim("space_id", 1), 422,
			"Space not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, s.org(t, tt.method, tt.path, keyA, tt.body), tt.status, tt.msg)
		})
	}
}

func TestValidationBoundsAccepted(t *testing.T) {
	t.Parallel()
	s, clock := newTwoOrgSim(t)
	now := clock.Now().Unix()
	for _, path := range []string{
		"/devices?per_page=100",
		"/users?per_page=100",
		"/licenses?per_page=100&state=inuse,available&assigned=true",
		"/licenses?state[]=available&state[]=error",
		"/incidents?page_size=500",
		"/incidents?per_page=500&status=closed&priority=low",
		"/devices/histories?per_page=1000",
		fmt.Sprintf("/devices/histories?from=%d&to=%d", now-31*86400, now),
	} {
		s.must(t, "GET", path, keyA, nil)
	}
}

func TestSpaceIDAsNumericString(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	room := s.snapshot(t, keyA).RoomIDs[1]
	res := s.must(t, "POST", "/devices/claim", keyA,
		map[string]any{"cloud_id": "cld-numeric-string", "space_id": itoa(int(room))})
	if got := decodeAs[deviceJSON](t, res).Space.ID; got != room {
		t.Fatalf("space = %d, want %d", got, room)
	}
	list := s.must(t, "GET", "/devices?space_id="+itoa(int(room)), keyA, nil)
	if len(items[deviceJSON](t, list)) == 0 {
		t.Fatal("no devices in the room the device was claimed into")
	}
}

func TestAcceptISOTimes(t *testing.T) {
	t.Parallel()
	clock := newClock()
	cfg := twoOrgs(clock)
	cfg.AcceptISOTimes = true
	s := newSim(t, cfg)
	from := clock.Now().Add(-24 * time.Hour).Format(time.RFC3339)
	res := s.must(t, "GET", "/devices/histories?from="+from, keyA, nil)
	if len(items[historyJSON](t, res)) == 0 {
		t.Fatal("no history for the last day")
	}
	old := clock.Now().Add(-40 * 24 * time.Hour).Format(time.RFC3339)
	wantError(t, s.org(t, "GET", "/devices/histories?from="+old, keyA, nil), 422, "31 days")
}

func TestClaimDuplicate(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	room := s.snapshot(t, keyA).RoomIDs[0]
	body := map[string]any{"mac": "02:00:00:00:00:01", "sn": "PV75-00000001", "space_id": room}
	s.must(t, "POST", "/devices/claim", keyA, body)
	wantError(t, s.org(t, "POST", "/devices/claim", keyA, body), 422, "already claimed")
	// Claimed in another org counts too.
	body["space_id"] = s.snapshot(t, keyB).RoomIDs[0]
	wantError(t, s.org(t, "POST", "/devices/claim", keyB, body), 422, "already claimed")
}

func TestUserUniqueEmail(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	body := map[string]any{
		"email": "sam.doe@example.com", "group_ids": s.snapshot(t, keyA).GroupIDs[:1],
	}
	s.must(t, "POST", "/users", keyA, body)
	body["group_ids"] = s.snapshot(t, keyB).GroupIDs[:1]
	wantError(t, s.org(t, "POST", "/users", keyB, body), 422, "taken")
}

// TestEveryEndpointRefusesBadInput: every endpoint that takes a body
// answers a malformed one with 400, every endpoint that takes an id answers
// an unknown one with 404, and every list answers a bad page with 422, on
// both APIs and before changing anything.
func TestEveryEndpointRefusesBadInput(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	dev, room, ticket := snap.DeviceIDs[0], itoa(int(snap.RoomIDs[0])), snap.TicketIDs[0]
	group, asset := snap.GroupIDs[0], snap.AssetIDs[0]
	before := fetchAll(t, s, keyA)

	withBody := []string{
		"POST /devices/claim", "PATCH /devices/" + dev, "POST /devices/" + dev + "/move",
		"POST /devices/" + dev + "/merge", "POST /devices/" + dev + "/split",
		"POST /devices/" + dev + "/commands", "POST /spaces", "POST /spaces/find_or_create",
		"PUT /spaces/" + room, "PUT /tickets/" + ticket, "POST /tickets/" + ticket + "/message",
		"POST /users", "POST /groups", "PUT /groups/" + group, "POST /groups/" + group + "/add_users",
		"POST /groups/" + group + "/remove_users", "POST /groups/" + group + "/add_external_user",
		"POST /assets", "PUT /assets/" + asset, "POST /devices/" + dev + "/notes",
		"POST /spaces/" + room + "/notes", "POST /edges/devices/start_ping",
		"POST /edges/devices/start_claim", "POST /edges/devices/" + dev + "/update_hostname",
		"partner POST /organizations", "partner PUT /tickets/" + ticket,
		"partner POST /tickets/" + ticket + "/message",
	}
	for _, ep := range withBody {
		wantError(t, s.endpoint(t, ep, `{"name":`), http.StatusBadRequest, "Invalid JSON body")
	}

	const nope = "00000000-0000-4000-8000-000000000000"
	unknown := map[string]string{
		"PATCH /devices/" + nope: "Device", "DELETE /devices/" + nope: "Device",
		"POST /devices/" + nope + "/move": "Device", "POST /devices/" + nope + "/merge": "Device",
		"POST /devices/" + nope + "/split": "Device", "POST /devices/" + nope + "/suspend_incidents": "Device",
		"GET /devices/" + nope + "/commands": "Device", "POST /devices/" + nope + "/commands": "Device",
		"DELETE /devices/" + nope + "/commands/c1": "Device", "PUT /spaces/987654321": "Space",
		"DELETE /spaces/987654321": "Space", "PUT /tickets/" + nope: "Ticket",
		"POST /tickets/" + nope + "/resolved": "Ticket", "POST /tickets/" + nope + "/message": "Ticket",
		"POST /users/" + nope + "/deactivate": "User", "POST /users/" + nope + "/resend_welcome": "User",
		"PUT /groups/" + nope: "Group", "DELETE /groups/" + nope: "Group",
		"POST /groups/" + nope + "/add_users": "Group", "POST /groups/" + nope + "/remove_users": "Group",
		"POST /groups/" + nope + "/add_external_user": "Group", "PUT /assets/" + nope: "Asset",
		"DELETE /assets/" + nope: "Asset", "GET /devices/" + nope + "/notes": "Device",
		"POST /devices/" + nope + "/notes": "Device", "DELETE /devices/" + nope + "/notes/n1": "Device",
		"DELETE /devices/" + dev + "/notes/" + nope: "Note", "POST /spaces/987654321/notes": "Space",
		"DELETE /spaces/987654321/notes/n1": "Space", "DELETE /spaces/" + room + "/notes/" + nope: "Note",
		"partner GET /devices/" + nope: "Device", "partner DELETE /devices/" + nope: "Device",
		"partner GET /devices/" + nope + "/commands":    "Device",
		"partner GET /devices/" + nope + "/config":      "Device",
		"partner GET /devices/" + nope + "/history":     "Device",
		"partner GET /devices/" + nope + "/telemetries": "Device",
		"partner GET /tickets/" + nope:                  "Ticket", "partner PUT /tickets/" + nope: "Ticket",
		"partner POST /tickets/" + nope + "/message":  "Ticket",
		"partner POST /tickets/" + nope + "/resolved": "Ticket",
	}
	for ep, what := range unknown {
		wantError(t, s.endpoint(t, ep, `{"name":"x","message":"x","content":"x","email":"a@b.test"}`),
			http.StatusNotFound, what+" not found")
	}

	lists := []string{
		"/devices", "/devices/" + dev + "/commands", "/users", "/groups", "/assets", "/devices/notes",
		"/devices/" + dev + "/notes", "/spaces/notes", "/spaces", "/models", "/edges", "/licenses",
		"/incidents", "/devices/histories", "partner /devices", "partner /devices/" + dev + "/commands",
		"partner /devices/" + dev + "/telemetries", "partner /devices/" + dev + "/history",
		"partner /devices/histories", "partner /tickets",
	}
	for _, ep := range []string{"partner GET /devices/" + dev + "/history?from=soon",
		"partner GET /devices/histories?to=soon"} {
		wantError(t, s.endpoint(t, ep, ""), 422, "parameter")
	}
	for _, path := range lists {
		prefix, p, ok := strings.Cut(path, " ")
		if ok {
			path = prefix + " GET " + p
		} else {
			path = "GET " + path
		}
		wantError(t, s.endpoint(t, path+"?page=0", ""), 422, "page")
	}

	if after := fetchAll(t, s, keyA); !bytes.Equal(before, after) {
		t.Fatal("a refused request changed the organization")
	}
}

// endpoint calls "[partner ]METHOD /path" of the Organization API with
// keyA, or of the Partner API with the partner key.
func (s *sim) endpoint(t *testing.T, ep, body string) result {
	t.Helper()
	var b any
	if body != "" {
		b = body
	}
	if rest, ok := strings.CutPrefix(ep, "partner "); ok {
		method, path, _ := strings.Cut(rest, " ")
		return s.partner(t, method, path, keyPartner, b)
	}
	method, path, _ := strings.Cut(ep, " ")
	return s.org(t, method, path, keyA, b)
}

// firstNotIn returns the first id of ids that is not in skip.
func firstNotIn(ids, skip []string) string {
	for _, id := range ids {
		if !slices.Contains(skip, id) {
			return id
		}
	}
	return ""
}

// deviceSpace returns the id of the space a device of keyA is in.
func (s *sim) deviceSpace(t *testing.T, id string) int64 {
	t.Helper()
	return decodeAs[deviceJSON](t, s.must(t, "GET", "/devices/"+id, keyA, nil)).Space.ID
}
