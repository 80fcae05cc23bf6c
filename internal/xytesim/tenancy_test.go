package xytesim

import (
	"net/http"
	"slices"
	"testing"
)

func TestTenantsHaveTheirOwnData(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	a, b := s.snapshot(t, keyA), s.snapshot(t, keyB)
	if a.OrgID == b.OrgID || a.Name == b.Name {
		t.Fatal("two orgs share an id or a name")
	}
	for _, ids := range [][2][]string{
		{a.DeviceIDs, b.DeviceIDs}, {a.TicketIDs, b.TicketIDs}, {a.UserIDs, b.UserIDs},
		{a.IncidentIDs, b.IncidentIDs}, {a.AssetIDs, b.AssetIDs}, {a.LicenseIDs, b.LicenseIDs},
	} {
		for _, id := range ids[0] {
			if slices.Contains(ids[1], id) {
				t.Fatalf("id %s is in both orgs", id)
			}
		}
	}
	for _, id := range a.SpaceIDs {
		if slices.Contains(b.SpaceIDs, id) {
			t.Fatalf("space %d is in both orgs", id)
		}
	}
	listed := items[deviceJSON](t, s.must(t, "GET", "/devices", keyA, nil))
	for _, d := range listed {
		if !slices.Contains(a.DeviceIDs, d.ID) {
			t.Fatalf("org A lists device %s of another org", d.ID)
		}
	}
}

// TestTenantIsolation uses org A's key on org B's ids: every one is unknown.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	b := s.snapshot(t, keyB)
	dev, space := b.DeviceIDs[0], itoa(int(b.RoomIDs[0]))
	tests := []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/devices/" + dev, nil, 404},
		{"PATCH", "/devices/" + dev, map[string]string{"name": "Stolen"}, 404},
		{"DELETE", "/devices/" + dev, nil, 404},
		{"POST", "/devices/" + dev + "/commands", map[string]string{"name": "reboot"}, 404},
		{"GET", "/devices/" + dev + "/commands", nil, 404},
		{"POST", "/devices/" + dev + "/move", map[string]any{"space_id": b.RoomIDs[1]}, 404},
		{"GET", "/devices/histories?device_id=" + dev, nil, 404},
		{"GET", "/tickets/" + b.TicketIDs[0], nil, 404},
		{"POST", "/tickets/" + b.TicketIDs[0] + "/resolved", nil, 404},
		{"GET", "/spaces/" + space, nil, 404},
		{"DELETE", "/spaces/" + space, nil, 404},
		{"GET", "/devices?space_id=" + space, nil, 404},
		{"GET", "/users/" + b.UserIDs[0], nil, 404},
		{"DELETE", "/incidents/" + b.IncidentIDs[0], nil, 404},
		{"GET", "/assets/" + b.AssetIDs[0], nil, 404},
		{"POST", "/devices/claim", map[string]any{"cloud_id": "c-x", "space_id": b.RoomIDs[0]}, 422},
	}
	for _, tt := range tests {
		res := s.org(t, tt.method, tt.path, keyA, tt.body)
		if res.status != tt.status {
			t.Errorf("%s %s with A's key: %d, want %d", tt.method, tt.path, res.status, tt.status)
		}
	}
	// B's data is untouched.
	got := decodeAs[deviceJSON](t, s.must(t, "GET", "/devices/"+dev, keyB, nil))
	if got.Name == "Stolen" {
		t.Fatal("org A renamed org B's device")
	}
	if n := len(s.snapshot(t, keyB).DeviceIDs); n != len(b.DeviceIDs) {
		t.Fatalf("org B has %d devices, had %d", n, len(b.DeviceIDs))
	}
}

func TestPartnerSeesEveryOrg(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	res := s.partner(t, "GET", "/devices?per_page=1000", keyPartner, nil)
	wantStatus(t, res, http.StatusOK)
	env := decodeAs[partnerList[deviceJSON]](t, res)
	claimed := map[string]int{}
	for _, d := range env.Data {
		claimed[d.Claimed]++
	}
	for _, key := range []string{keyA, keyB, keyRO} {
		snap := s.snapshot(t, key)
		if claimed[snap.Name] != len(snap.DeviceIDs) {
			t.Errorf("partner sees %d devices of %s, want %d", claimed[snap.Name], snap.Name,
				len(snap.DeviceIDs))
		}
	}
	if env.PageInfo.TotalCount != len(env.Data) || env.PageInfo.HasNext {
		t.Errorf("page_info = %+v for %d devices", env.PageInfo, len(env.Data))
	}
}

func TestRequestLogTellsTenantsApart(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	s.must(t, "GET", "/info", keyA, nil)
	s.must(t, "GET", "/info", keyB, nil)
	reqs := s.Requests()
	if reqs[0].KeyHash == reqs[1].KeyHash || reqs[0].Org != "Alpha Works" ||
		reqs[1].Org != "Bravo Studios" {
		t.Fatalf("log = %+v / %+v", reqs[0], reqs[1])
	}
	if reqs[0].KeyHash != KeyHash(keyA) {
		t.Fatalf("key hash %s, want KeyHash(keyA)", reqs[0].KeyHash)
	}
}
