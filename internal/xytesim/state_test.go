package xytesim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
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
