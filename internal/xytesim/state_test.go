package xytesim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTicketChanges(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	id := s.snapshot(t, keyA).OpenTicketIDs[0]
	path := "/tickets/" + id
	before := decodeAs[ticketDetailJSON](t, s.must(t, "GET", path, keyA, nil))

	s.must(t, "POST", path+"/message", keyA, map[string]string{"message": "From the body"})
	s.must(t, "POST", path+"/message?message=From+the+query", keyA, nil)
	updated := decodeAs[ticketDetailJSON](t, s.must(t, "PUT", path, keyA,
		map[string]string{"title": "New title"}))
	if updated.Title != "New title" || updated.Description != before.Description {
		t.Fatalf("updated ticket = %+v", updated.ticketJSON)
	}
	n := len(updated.Comments)
	if n != len(before.Comments)+2 || updated.Comments[n-2].Text != "From the body" ||
		updated.Comments[n-1].Text != "From the query" {
		t.Fatalf("comments = %+v", updated.Comments)
	}

	s.must(t, "POST", path+"/resolved", keyA, nil)
	if got := decodeAs[ticketJSON](t, s.must(t, "GET", path, keyA, nil)); got.Status != "resolved" {
		t.Fatalf("status = %s", got.Status)
	}
	open := decodeAs[[]ticketJSON](t, s.must(t, "GET", "/tickets", keyA, nil))
	if slices.ContainsFunc(open, func(tk ticketJSON) bool { return tk.ID == id }) {
		t.Fatal("a resolved ticket is still listed")
	}
}

func TestDeviceChanges(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	room := snap.RoomIDs[len(snap.RoomIDs)-1]
	claimed := decodeAs[deviceJSON](t, s.must(t, "POST", "/devices/claim", keyA,
		map[string]any{"name": "Lobby Display", "space_id": room, "mac": "02:11:22:33:44:55",
			"sn": "PV55-12345678"}))
	if claimed.Model.Name != "ProView 55" || claimed.EffectiveStatus != "never_seen" ||
		claimed.LastSeenAt != nil {
		t.Fatalf("claimed = %+v", claimed)
	}
	path := "/devices/" + claimed.ID
	patched := decodeAs[deviceJSON](t, s.must(t, "PATCH", path, keyA, map[string]any{
		"name": "Lobby Wall", "configuration": map[string]any{"brightness": 70},
	}))
	if patched.Name != "Lobby Wall" || patched.Configuration["brightness"] != 70.0 {
		t.Fatalf("patched = %+v", patched)
	}
	moved := decodeAs[deviceJSON](t, s.must(t, "POST", path+"/move", keyA,
		map[string]any{"space_id": snap.RoomIDs[0]}))
	if moved.Space.ID != snap.RoomIDs[0] || moved.Space.FullPath == claimed.Space.FullPath {
		t.Fatalf("moved to %+v", moved.Space)
	}
	s.must(t, "DELETE", path, keyA, nil)
	wantError(t, s.org(t, "GET", path, keyA, nil), http.StatusNotFound, "Device not found")
}

func TestMergeAndSplit(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	ids := s.snapshot(t, keyA).DeviceIDs
	main, shadow := ids[0], ids[1]
	s.must(t, "POST", "/devices/"+main+"/merge", keyA,
		map[string]any{"with_device_ids": []string{shadow}})
	wantStatus(t, s.org(t, "GET", "/devices/"+shadow, keyA, nil), http.StatusNotFound)
	s.must(t, "POST", "/devices/"+main+"/split", keyA, map[string]any{"shadow_device_id": shadow})
	s.must(t, "GET", "/devices/"+shadow, keyA, nil)
}

func TestSpaceChanges(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	site := s.snapshot(t, keyA).SiteIDs[0]
	floor := decodeAs[spaceJSON](t, s.must(t, "POST", "/spaces", keyA,
		map[string]any{"name": "Floor 9", "parent_id": site}))
	if floor.SpaceType != "floor" || *floor.ParentID != site {
		t.Fatalf("created = %+v", floor)
	}
	path := strings.TrimSuffix(floor.FullPath, "/Floor 9") + "/Floor 9/Room 9.1"
	leaf := decodeAs[spaceJSON](t, s.must(t, "POST", "/spaces/find_or_create", keyA,
		map[string]any{"name": path}))
	if leaf.FullPath != path || leaf.SpaceType != "room" || *leaf.ParentID != floor.ID {
		t.Fatalf("find_or_create = %+v", leaf)
	}
	again := decodeAs[spaceJSON](t, s.must(t, "POST", "/spaces/find_or_create", keyA,
		map[string]any{"name": "Floor 9/Room 9.1", "parent_id": itoa(int(site))}))
	if again.ID != leaf.ID {
		t.Fatalf("second find_or_create made space %d, want %d", again.ID, leaf.ID)
	}
	renamed := decodeAs[spaceJSON](t, s.must(t, "PUT", "/spaces/"+itoa(int(leaf.ID)), keyA,
		map[string]any{"name": "Room 9.2", "config": map[string]any{"temperature_units": "kelvin"}}))
	if renamed.Name != "Room 9.2" || renamed.Config["temperature_units"] != "kelvin" {
		t.Fatalf("renamed = %+v", renamed)
	}
	wantError(t, s.org(t, "PUT", "/spaces/"+itoa(int(floor.ID)), keyA,
		map[string]any{"parent_id": leaf.ID}), 422, "under itself")
	s.must(t, "DELETE", "/spaces/"+itoa(int(leaf.ID)), keyA, nil)
	s.must(t, "DELETE", "/spaces/"+itoa(int(floor.ID)), keyA, nil)
	wantStatus(t, s.org(t, "GET", "/spaces/"+itoa(int(floor.ID)), keyA, nil), http.StatusNotFound)
}

func TestUsersAndGroups(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	group := decodeAs[groupJSON](t, s.must(t, "POST", "/groups", keyA,
		map[string]any{"name": "Night Shift", "user_ids": []string{"not-in-this-org"}}))
	if len(group.Users) != 0 {
		t.Fatalf("unknown user ids joined the group: %+v", group.Users)
	}
	u := decodeAs[userJSON](t, s.must(t, "POST", "/users", keyA,
		map[string]any{"email": "Sam.Night@Example.com", "name": "Sam Night",
			"group_ids": []string{group.ID}}))
	if u.Email != "sam.night@example.com" || !slices.Equal(u.GroupNames, []string{"Night Shift"}) {
		t.Fatalf("user = %+v", u)
	}
	gpath := "/groups/" + group.ID
	other := s.snapshot(t, keyA).UserIDs[0]
	got := decodeAs[groupJSON](t, s.must(t, "POST", gpath+"/add_users", keyA,
		map[string]any{"user_ids": []string{other}}))
	if len(got.Users) != 2 {
		t.Fatalf("members after add_users = %+v", got.Users)
	}
	got = decodeAs[groupJSON](t, s.must(t, "POST", gpath+"/remove_users", keyA,
		map[string]any{"user_ids": []string{other}}))
	if len(got.Users) != 1 || got.Users[0].ID != u.ID {
		t.Fatalf("members after remove_users = %+v", got.Users)
	}
	s.must(t, "PUT", gpath, keyA, map[string]any{"name": "Late Shift"})
	s.must(t, "POST", "/users/"+u.ID+"/deactivate", keyA, nil)
	active := items[userJSON](t, s.must(t, "GET", "/users", keyA, nil))
	if slices.ContainsFunc(active, func(x userJSON) bool { return x.ID == u.ID }) {
		t.Fatal("a deactivated user is listed")
	}
	s.must(t, "DELETE", gpath, keyA, nil)
	after := decodeAs[userJSON](t, s.must(t, "GET", "/users/"+u.ID, keyA, nil))
	if names := after.GroupNames; len(names) != 0 {
		t.Fatalf("deleted group still named: %v", names)
	}
}

func TestAssetsAndNotes(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	labels := items[labelJSON](t, s.must(t, "GET", "/assets/labels/status", keyA, nil))
	a := decodeAs[assetJSON](t, s.must(t, "POST", "/assets", keyA, map[string]any{
		"name": "Ceiling speaker", "space_id": snap.RoomIDs[0], "manufacturer": "Brand New Audio",
		"status": map[string]string{"id": labels[0].ID}, "purchased_at": "2024-01-02T03:04:05Z",
	}))
	if a.Manufacturer == nil || a.Manufacturer.Name != "Brand New Audio" ||
		a.Status.ID != labels[0].ID || *a.PurchasedAt != "2024-01-02T03:04:05Z" {
		t.Fatalf("asset = %+v", a)
	}
	upd := decodeAs[assetJSON](t, s.must(t, "PUT", "/assets/"+a.ID, keyA,
		map[string]any{"serial_number": "SPK-1"}))
	if upd.SerialNumber != "SPK-1" || upd.Name != "Ceiling speaker" {
		t.Fatalf("updated asset = %+v", upd)
	}
	s.must(t, "DELETE", "/assets/"+a.ID, keyA, nil)

	dev := snap.DeviceIDs[3]
	n := decodeAs[noteJSON](t, s.must(t, "POST", "/devices/"+dev+"/notes", keyA,
		map[string]string{"content": "Checked the mount."}))
	listed := items[noteJSON](t, s.must(t, "GET", "/devices/"+dev+"/notes", keyA, nil))
	if len(listed) == 0 || listed[0].ID != n.ID {
		t.Fatalf("device notes = %+v", listed)
	}
	wantStatus(t, s.org(t, "DELETE", "/devices/"+snap.DeviceIDs[4]+"/notes/"+n.ID, keyA, nil), 404)
	s.must(t, "DELETE", "/devices/"+dev+"/notes/"+n.ID, keyA, nil)

	room := itoa(int(snap.RoomIDs[0]))
	sn := decodeAs[noteJSON](t, s.must(t, "POST", "/spaces/"+room+"/notes", keyA,
		map[string]string{"content": "Key at reception."}))
	s.must(t, "DELETE", "/spaces/"+room+"/notes/"+sn.ID, keyA, nil)
}

func TestPartnerChanges(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	a := s.snapshot(t, keyA)
	ticket := a.OpenTicketIDs[0]
	wantStatus(t, s.partner(t, "POST", "/tickets/"+ticket+"/message", keyPartner,
		map[string]string{"message": "Partner here."}), http.StatusOK)
	tk := decodeAs[ticketDetailJSON](t, s.must(t, "GET", "/tickets/"+ticket, keyA, nil))
	last := tk.Comments[len(tk.Comments)-1]
	if last.OwnerType != "partner" || last.Text != "Partner here." {
		t.Fatalf("partner comment = %+v", last)
	}
	wantStatus(t, s.partner(t, "POST", "/tickets/"+ticket+"/resolved", keyPartner, nil), 200)
	wantStatus(t, s.partner(t, "DELETE", "/devices/"+a.DeviceIDs[0], keyPartner, nil), 200)
	wantStatus(t, s.org(t, "GET", "/devices/"+a.DeviceIDs[0], keyA, nil), http.StatusNotFound)

	res := s.partner(t, "POST", "/organizations", keyPartner, map[string]string{"name": "Delta"})
	wantStatus(t, res, http.StatusOK)
	if info := decodeAs[infoJSON](t, res); info.Statistics.Spaces != 1 || info.Name != "Delta" {
		t.Fatalf("new org = %+v", info)
	}
	wantError(t, s.partner(t, "POST", "/organizations", keyPartner,
		map[string]string{"name": "delta"}), 422, "taken")
}

func TestPartnerReads(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	dev := s.snapshot(t, keyB).OnlineDeviceIDs[0]
	for _, path := range []string{
		"/devices/" + dev + "/commands", "/devices/" + dev + "/config",
		"/devices/" + dev + "/history", "/devices/histories?device_id=" + dev,
		"/devices/" + dev + "/telemetries", "/tickets",
	} {
		res := s.partner(t, "GET", path, keyPartner, nil)
		wantStatus(t, res, http.StatusOK)
		if keys := keysOf(t, res); !slices.Contains(keys, "data") {
			t.Errorf("%s: keys %v, want data", path, keys)
		}
	}
	hist := decodeAs[partnerList[historyJSON]](t, s.partner(t, "GET",
		"/devices/histories?device_id="+dev, keyPartner, nil))
	if len(hist.Data) == 0 || hist.Data[0].DeviceID != dev {
		t.Fatalf("partner histories = %+v", hist.PageInfo)
	}
	wantStatus(t, s.partner(t, "GET", "/devices/nothing/history", keyPartner, nil), 404)
}

// TestDeviceDetailFields: the detail of a device carries its state ({} for
// one never seen), masks set passwords among an edge device's custom
// parameters, and shows a custom model name; the list carries no state.
func TestDeviceDetailFields(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	claimed := decodeAs[deviceJSON](t, s.must(t, "POST", "/devices/claim", keyA,
		map[string]any{"space_id": snap.RoomIDs[0], "cloud_id": "cld-fresh-1"}))
	detail := s.must(t, "GET", "/devices/"+claimed.ID, keyA, nil)
	if !strings.Contains(string(detail.body), `"state":{}`) {
		t.Fatalf("detail of a device never seen: %s", detail.body)
	}
	if list := s.must(t, "GET", "/devices", keyA, nil); strings.Contains(string(list.body), `"state"`) {
		t.Fatal("the device list carries state")
	}

	edge := "/devices/" + snap.EdgeDeviceIDs[0]
	s.must(t, "PATCH", edge, keyA, map[string]any{
		"custom_parameters": map[string]any{"Admin Password": "hunter2", "Port": "162"},
		"custom_model_name": "Rack PDU 8",
	})
	got := decodeAs[deviceJSON](t, s.must(t, "GET", edge, keyA, nil))
	if got.CustomParameters["Admin Password"] != "*****" || got.CustomParameters["Port"] != "162" ||
		got.Model.Name != "Rack PDU 8" {
		t.Fatalf("edge device after the update: %+v, model %+v", got.CustomParameters, got.Model)
	}
	if strings.Contains(string(s.must(t, "GET", edge, keyA, nil).body), "hunter2") {
		t.Fatal("a password was shown")
	}
}

// TestMergedStatusIsTheWorst: a device merged with an offline one reports
// offline as its merged status; a shadow listed twice is merged once.
func TestMergedStatusIsTheWorst(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	main, shadow := snap.OnlineDeviceIDs[0], snap.OfflineDeviceIDs[0]
	merged := decodeAs[deviceJSON](t, s.must(t, "POST", "/devices/"+main+"/merge", keyA,
		map[string]any{"with_device_ids": []string{shadow, shadow}}))
	if merged.MergedEffectiveStatus != "offline" || merged.EffectiveStatus == "offline" {
		t.Fatalf("merged = %s, effective = %s", merged.MergedEffectiveStatus, merged.EffectiveStatus)
	}
	s.must(t, "POST", "/devices/"+main+"/split", keyA, map[string]any{"shadow_device_id": shadow})
	wantError(t, s.org(t, "POST", "/devices/"+main+"/split", keyA,
		map[string]any{"shadow_device_id": shadow}), 422, "not merged")
}

// TestSpaceMovesAndFilters: a room moves under another floor, and the list
// filters by id and creation time.
func TestSpaceMovesAndFilters(t *testing.T) {
	t.Parallel()
	s, clock := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	room := itoa(int(snap.RoomIDs[0]))
	before := decodeAs[spaceJSON](t, s.must(t, "GET", "/spaces/"+room, keyA, nil))
	var target int64
	for _, id := range snap.SpaceIDs {
		sp := decodeAs[spaceJSON](t, s.must(t, "GET", "/spaces/"+itoa(int(id)), keyA, nil))
		if sp.SpaceType == "floor" && sp.ID != *before.ParentID {
			target = sp.ID
			break
		}
	}
	moved := decodeAs[spaceJSON](t, s.must(t, "PUT", "/spaces/"+room, keyA,
		map[string]any{"parent_id": target}))
	if *moved.ParentID != target || moved.FullPath == before.FullPath {
		t.Fatalf("moved room: %+v (was %+v)", moved, before)
	}
	wantError(t, s.org(t, "PUT", "/spaces/"+itoa(int(target)), keyA,
		map[string]any{"parent_id": moved.ID}), 422, "under itself")

	if got := items[spaceJSON](t, s.must(t, "GET", "/spaces?id="+room, keyA, nil)); len(got) != 1 {
		t.Fatalf("?id= gave %d spaces", len(got))
	}
	later := clock.Now().Add(time.Hour).Format(time.RFC3339)
	if got := items[spaceJSON](t, s.must(t, "GET", "/spaces?created_after="+later, keyA, nil)); len(got) != 0 {
		t.Fatalf("%d spaces created in the future", len(got))
	}
	if got := items[spaceJSON](t, s.must(t, "GET", "/spaces?created_before="+later, keyA, nil)); len(got) == 0 {
		t.Fatal("no spaces created before now")
	}
}

// TestUserAndGroupActions: welcome emails go to active users only; an
// external user is added by address.
func TestUserAndGroupActions(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	user := decodeAs[userJSON](t, s.must(t, "POST", "/users", keyA,
		map[string]any{"email": "robin.kay@example.com", "group_ids": snap.GroupIDs[:1]}))
	path := "/users/" + user.ID
	s.must(t, "POST", path+"/resend_welcome", keyA, nil)
	s.must(t, "POST", path+"/deactivate", keyA, nil)
	wantError(t, s.org(t, "POST", path+"/resend_welcome", keyA, nil), 422, "deactivated")

	g := decodeAs[groupJSON](t, s.must(t, "POST", "/groups/"+snap.GroupIDs[0]+"/add_external_user", keyA,
		map[string]any{"email": "contractor@partner.example"}))
	if g.ID != snap.GroupIDs[0] {
		t.Fatalf("answer = %+v", g)
	}
}

// TestAssetLabelsByName: a label may be given by the name of an existing
// one, which the asset then shares.
func TestAssetLabelsByName(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	labels := items[labelJSON](t, s.must(t, "GET", "/assets/labels/status", keyA, nil))
	a := decodeAs[assetJSON](t, s.must(t, "POST", "/assets", keyA,
		map[string]any{"name": "Spare projector", "status": labels[0].Name}))
	if a.Status == nil || a.Status.ID != labels[0].ID {
		t.Fatalf("status = %+v, want %+v", a.Status, labels[0])
	}
	n := len(items[labelJSON](t, s.must(t, "GET", "/assets/labels/status", keyA, nil)))
	if n != len(labels) {
		t.Fatalf("%d status labels, want %d: a name match must not add one", n, len(labels))
	}
}

func TestLicenseExpiryFilters(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	all := items[licenseJSON](t, s.must(t, "GET", "/licenses", keyA, nil))
	expiring := 0
	for _, l := range all {
		if l.ExpiresAt != nil {
			expiring++
		}
	}
	for query, want := range map[string]int{
		"expires_after=2000-01-01T00:00:00":   expiring, // no offset: UTC
		"expires_after=2000-01-01T00:00:00Z":  expiring,
		"expires_before=2000-01-01T00:00:00Z": 0,
	} {
		if got := len(items[licenseJSON](t, s.must(t, "GET", "/licenses?"+query, keyA, nil))); got != want {
			t.Errorf("%s: %d licenses, want %d", query, got, want)
		}
	}
}

// TestEdgeClaimPlacesDevice: a device claimed through an edge lands in the
// space given (the root otherwise) with its MAC in canonical form.
func TestEdgeClaimPlacesDevice(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyA)
	claim := func(ip string, extra map[string]any) deviceJSON {
		body := map[string]any{"proxy_id": snap.EdgeIDs[0], "device_ip": ip,
			"device_model_id": snap.ModelIDs[0]}
		for k, v := range extra {
			body[k] = v
		}
		wantStatus(t, s.org(t, "POST", "/edges/devices/start_claim", keyA, body), http.StatusNoContent)
		for _, d := range items[deviceJSON](t, s.must(t, "GET", "/devices?per_page=100", keyA, nil)) {
			if d.Details.IP == ip {
				return d
			}
		}
		t.Fatalf("no device at %s after the claim", ip)
		return deviceJSON{}
	}
	d := claim("10.20.0.7", map[string]any{"mac": "AA-BB-CC-00-11-22", "space_id": snap.RoomIDs[1]})
	if d.MAC != "aa:bb:cc:00:11:22" || d.Space.ID != snap.RoomIDs[1] {
		t.Fatalf("claimed with a MAC: %+v", d)
	}
	if d = claim("10.20.0.8", nil); d.MAC != "" || d.Space.ID != snap.RootSpaceID {
		t.Fatalf("claimed without a MAC or space: %+v", d)
	}
}

// TestHistoriesEndNow: a window reaching into the future ends at now.
func TestHistoriesEndNow(t *testing.T) {
	t.Parallel()
	s, clock := newTwoOrgSim(t)
	now := clock.Now()
	q := "/devices/histories?per_page=1000&from=" + itoa(int(now.Add(-3*time.Hour).Unix())) +
		"&to=" + itoa(int(now.Add(48*time.Hour).Unix()))
	rows := items[historyJSON](t, s.must(t, "GET", q, keyA, nil))
	if len(rows) == 0 {
		t.Fatal("no rows in the last 3 hours")
	}
	for _, r := range rows {
		at, err := time.Parse(isoMillis, r.CreatedAt)
		if err != nil || at.After(now) || at.Before(now.Add(-3*time.Hour)) {
			t.Fatalf("row at %s outside [now-3h, now] (%v)", r.CreatedAt, err)
		}
	}
}

// TestPartnerTicketChanges: the partner edits, answers and resolves a
// ticket of any organization; a new organization needs a name.
func TestPartnerTicketChanges(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	ticket := s.snapshot(t, keyB).OpenTicketIDs[0]
	path := "/tickets/" + ticket
	res := s.partner(t, "PUT", path, keyPartner, map[string]string{"description": "Needs a new lamp."})
	wantStatus(t, res, http.StatusOK)
	if got := decodeAs[ticketDetailJSON](t, s.must(t, "GET", path, keyB, nil)); got.Description != "Needs a new lamp." {
		t.Fatalf("description = %q", got.Description)
	}
	wantError(t, s.partner(t, "POST", path+"/message", keyPartner, map[string]string{}), 422, "message")
	wantError(t, s.partner(t, "PUT", path, keyPartner, map[string]string{}), 422, "title")
	wantStatus(t, s.partner(t, "POST", path+"/resolved", keyPartner, nil), http.StatusOK)
	wantError(t, s.partner(t, "POST", "/organizations", keyPartner, map[string]string{"name": " "}),
		422, "name")
}

func TestSnapshotOfUnknownKey(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	if _, ok := s.Snapshot("no-such-key"); ok {
		t.Fatal("a snapshot for a key no organization has")
	}
	if ids := s.DeviceIDs("no-such-key"); ids != nil {
		t.Fatalf("device ids for an unknown key: %v", ids)
	}
}
