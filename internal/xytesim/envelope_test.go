package xytesim

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

func TestListEnvelopes(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	dev := snap.DeviceIDs[0]
	room := itoa(int(snap.RoomIDs[0]))
	hasNext := []string{"has_next_page", "items"}
	nextPage := []string{"items", "next_page"}
	both := []string{"has_next_page", "items", "next_page"}
	tests := []struct {
		path string
		keys []string
	}{
		{"/devices", hasNext},
		{"/devices/histories", hasNext},
		{"/incidents", hasNext},
		{"/users", nextPage},
		{"/licenses", nextPage},
		{"/groups", nextPage},
		{"/models", nextPage},
		{"/edges", nextPage},
		{"/assets", nextPage},
		{"/devices/notes", nextPage},
		{"/devices/" + dev + "/notes", nextPage},
		{"/spaces/notes", nextPage},
		{"/spaces/" + room + "/notes", nextPage},
		{"/spaces", both},
		{"/devices/" + dev + "/commands", both},
		{"/assets/labels/manufacturer", []string{"items"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := keysOf(t, s.must(t, "GET", tt.path, keyA, nil))
			slices.Sort(got)
			if !slices.Equal(got, tt.keys) {
				t.Fatalf("keys = %v, want %v", got, tt.keys)
			}
		})
	}
}

func TestTicketsAreABareArray(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	res := s.must(t, "GET", "/tickets", keyA, nil)
	tickets := decodeAs[[]ticketJSON](t, res)
	if len(tickets) == 0 {
		t.Fatal("no open tickets")
	}
	for _, tk := range tickets {
		if tk.Status != "open" {
			t.Fatalf("listed ticket %s is %s", tk.ID, tk.Status)
		}
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	total := len(s.snapshot(t, keyA).DeviceIDs)
	var seen []string
	for page := 1; ; page++ {
		res := s.must(t, "GET", "/devices?per_page=10&page="+itoa(page), keyA, nil)
		env := decodeAs[hasNextList[deviceJSON]](t, res)
		for _, d := range env.Items {
			seen = append(seen, d.ID)
		}
		if !env.HasNextPage {
			break
		}
		if len(env.Items) != 10 {
			t.Fatalf("page %d has %d items and a next page", page, len(env.Items))
		}
	}
	if len(seen) != total || len(slices.Compact(slices.Sorted(slices.Values(seen)))) != total {
		t.Fatalf("paged %d devices (with repeats?), want %d distinct", len(seen), total)
	}

	first := decodeAs[nextPageList[userJSON]](t, s.must(t, "GET", "/users?per_page=2", keyA, nil))
	if first.NextPage == nil || *first.NextPage != 2 {
		t.Fatalf("next_page = %v, want 2", first.NextPage)
	}
	last := decodeAs[nextPageList[userJSON]](t, s.must(t, "GET", "/users?page=999", keyA, nil))
	if last.NextPage != nil || len(last.Items) != 0 {
		t.Fatalf("page 999: next_page %v, %d items", last.NextPage, len(last.Items))
	}
	if string(s.must(t, "GET", "/users?page=999", keyA, nil).body) != `{"items":[],"next_page":null}` {
		t.Fatal("an empty page must encode items as []")
	}
}

func TestPartnerEnvelopes(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	res := s.partner(t, "GET", "/devices?per_page=5", keyPartner, nil)
	wantStatus(t, res, http.StatusOK)
	env := decodeAs[partnerList[deviceJSON]](t, res)
	if len(env.Data) != 5 || !env.PageInfo.HasNext || env.PageInfo.TotalCount < 120 {
		t.Fatalf("partner devices: %d items, page_info %+v", len(env.Data), env.PageInfo)
	}
	got := keysOf(t, res)
	slices.Sort(got)
	if !slices.Equal(got, []string{"data", "page_info"}) {
		t.Fatalf("keys = %v", got)
	}

	one := s.partner(t, "GET", "/devices/"+env.Data[0].ID, keyPartner, nil)
	wantStatus(t, one, http.StatusOK)
	single := decodeAs[partnerItem[deviceJSON]](t, one)
	if len(single.Data) != 1 || single.Data[0].ID != env.Data[0].ID || single.Data[0].Claimed == "" {
		t.Fatalf("single device = %s", one.body)
	}
}

func TestActionAnswers(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	dev, ticket := snap.DeviceIDs[1], snap.OpenTicketIDs[0]
	tests := []struct {
		method, path string
		body         any
	}{
		{"POST", "/tickets/" + ticket + "/resolved", nil},
		{"POST", "/tickets/" + ticket + "/message", map[string]string{"message": "On it."}},
		{"POST", "/edges/devices/" + dev + "/update_hostname",
			map[string]string{"device_ip": "av-1.example.com"}},
		{"POST", "/devices/" + dev + "/suspend_incidents", nil},
		{"POST", "/devices/" + dev + "/resume_incidents", nil},
		{"DELETE", "/incidents/" + snap.ActiveIncidentIDs[0], nil},
		{"DELETE", "/devices/" + dev, nil},
	}
	for _, tt := range tests {
		res := s.must(t, tt.method, tt.path, keyA, tt.body)
		if string(res.body) != `{"success":true}` {
			t.Errorf("%s %s = %s, want {\"success\":true}", tt.method, tt.path, res.body)
		}
	}
}

func TestNoContentAnswers(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	models := items[modelJSON](t, s.must(t, "GET", "/models?edge_only=true", keyA, nil))
	probe := map[string]any{"proxy_id": snap.EdgeIDs[0], "device_ip": "10.9.9.9"}
	claim := map[string]any{
		"proxy_id": snap.EdgeIDs[0], "device_ip": "10.9.9.9", "device_model_id": models[0].ID,
		"display_name": "Rack Amplifier", "mac": "02-AA-BB-CC-DD-EE",
	}
	for _, tt := range []struct {
		path string
		body any
	}{{"/edges/devices/start_ping", probe}, {"/edges/devices/start_claim", claim}} {
		res := s.org(t, "POST", tt.path, keyA, tt.body)
		wantStatus(t, res, http.StatusNoContent)
		if len(res.body) != 0 {
			t.Fatalf("%s: body %q, want empty", tt.path, res.body)
		}
	}
	q := "?proxy_id=" + snap.EdgeIDs[0] + "&device_ip=10.9.9.9"
	ping := s.must(t, "GET", "/edges/devices/get_ping_status"+q, keyA, nil)
	claimed := s.must(t, "GET", "/edges/devices/get_claim_status"+q, keyA, nil)
	if string(ping.body) != `{"status":"online"}` || string(claimed.body) != `{"result":"success"}` {
		t.Fatalf("ping %s, claim %s", ping.body, claimed.body)
	}
	list := items[deviceJSON](t, s.must(t, "GET", "/devices", keyA, nil))
	added := list[len(list)-1]
	if added.Name != "Rack Amplifier" || added.MAC != "02:aa:bb:cc:dd:ee" ||
		added.EffectiveStatus != "never_seen" {
		t.Fatalf("edge-claimed device = %+v", added)
	}
}

func TestDeleteIncidentCloses(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	id := s.snapshot(t, keyA).ActiveIncidentIDs[0]
	s.must(t, "DELETE", "/incidents/"+id, keyA, nil)
	closed := items[incidentJSON](t, s.must(t, "GET", "/incidents?status=closed&page_size=500",
		keyA, nil))
	i := slices.IndexFunc(closed, func(in incidentJSON) bool { return in.UUID == id })
	if i < 0 || closed[i].ID != id {
		t.Fatalf("incident %s is not listed as closed", id)
	}
	active := items[incidentJSON](t, s.must(t, "GET", "/incidents?status=active", keyA, nil))
	if slices.ContainsFunc(active, func(in incidentJSON) bool { return in.UUID == id }) {
		t.Fatal("closed incident still listed as active")
	}
}

// TestDetailShapes spot-checks the documented fields of single entities.
func TestDetailShapes(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	edgeDevice := s.must(t, "GET", "/devices/"+snap.EdgeDeviceIDs[0], keyA, nil)
	dev := decodeAs[map[string]json.RawMessage](t, edgeDevice)
	for _, k := range []string{"id", "name", "sn", "mac", "cloud_id", "status", "effective_status",
		"merged_effective_status", "last_seen_at", "details", "model", "firmware", "space", "state",
		"custom_parameters"} {
		if _, ok := dev[k]; !ok {
			t.Errorf("device detail lacks %q", k)
		}
	}
	var custom map[string]any
	if err := json.Unmarshal(dev["custom_parameters"], &custom); err != nil {
		t.Fatal(err)
	}
	if pw := custom["Password"]; pw != "*****" && pw != "" {
		t.Errorf("password shown as %v", pw)
	}
	tk := decodeAs[ticketDetailJSON](t, s.must(t, "GET", "/tickets/"+snap.TicketIDs[1], keyA, nil))
	if tk.Comments == nil {
		t.Error("ticket detail has no comments array")
	}
	info := decodeAs[infoJSON](t, s.must(t, "GET", "/info", keyA, `{"device_id":"ignored"}`))
	if info.Name != "Alpha Works" || info.Statistics.Devices != len(snap.DeviceIDs) {
		t.Errorf("info = %+v", info)
	}
}
