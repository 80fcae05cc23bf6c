package xytesim

import (
	"net/http"
	"testing"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		lenient bool
		path    string
		auth    []string
		want    int
	}{
		{"missing", false, OrgPrefix + "/info", nil, http.StatusUnauthorized},
		{"unknown key", false, OrgPrefix + "/info", []string{"nope"}, http.StatusUnauthorized},
		{"bare key", false, OrgPrefix + "/info", []string{keyA}, http.StatusOK},
		{"bearer refused", false, OrgPrefix + "/info", []string{"Bearer " + keyA},
			http.StatusUnauthorized},
		{"bearer lenient", true, OrgPrefix + "/info", []string{"Bearer " + keyA}, http.StatusOK},
		{"bearer lenient lowercase", true, OrgPrefix + "/info", []string{"bearer " + keyA},
			http.StatusOK},
		{"bare key lenient", true, OrgPrefix + "/info", []string{keyA}, http.StatusOK},
		{"key prefix", false, OrgPrefix + "/info", []string{keyA[:5]}, http.StatusUnauthorized},
		{"two headers", false, OrgPrefix + "/info", []string{keyA, keyA},
			http.StatusUnauthorized},
		{"org key on partner API", false, PartnerPrefix + "/devices", []string{keyA},
			http.StatusUnauthorized},
		{"partner key on org API", false, OrgPrefix + "/info", []string{keyPartner},
			http.StatusUnauthorized},
		{"partner key on partner API", false, PartnerPrefix + "/devices", []string{keyPartner},
			http.StatusOK},
		{"unknown route without key", false, OrgPrefix + "/nope", nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := twoOrgs(newClock())
			cfg.LenientBearer = tt.lenient
			s := newSim(t, cfg)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range tt.auth {
				req.Header.Add("Authorization", v)
			}
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestAuthErrorBody(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	res := s.org(t, "GET", "/devices", "", nil)
	if string(res.body) != `{"error":"Unauthorized"}` {
		t.Fatalf("body = %s", res.body)
	}
	wantError(t, res, http.StatusUnauthorized, "unauthorized")
}

func TestReadOnlyKey(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	snap := s.snapshot(t, keyRO)
	dev := snap.DeviceIDs[0]
	tests := []struct {
		method, path string
		body         any
	}{
		{"POST", "/devices/" + dev + "/commands", map[string]string{"name": "reboot"}},
		{"PATCH", "/devices/" + dev, map[string]string{"name": "Renamed"}},
		{"DELETE", "/devices/" + dev, nil},
		{"POST", "/tickets/" + snap.TicketIDs[0] + "/resolved", nil},
		{"PUT", "/spaces/" + itoa(int(snap.RoomIDs[0])), map[string]string{"name": "X"}},
		{"POST", "/spaces/find_or_create", map[string]string{"name": "A/B"}},
		{"POST", "/edges/devices/start_ping", nil},
	}
	for _, tt := range tests {
		wantError(t, s.org(t, tt.method, tt.path, keyRO, tt.body), http.StatusForbidden, "read-only")
	}
	// Reads still work, and nothing changed.
	got := decodeAs[deviceJSON](t, s.must(t, "GET", "/devices/"+dev, keyRO, nil))
	if got.Name == "Renamed" {
		t.Fatal("a read-only PATCH changed the device")
	}
	cmds := items[commandJSON](t, s.must(t, "GET", "/devices/"+dev+"/commands", keyRO, nil))
	for _, c := range cmds {
		if c.CreatedAt == stamp(testEpoch) {
			t.Fatal("a read-only POST queued a command")
		}
	}
}
