package xytesim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// adminCall sends a request to the admin API.
func adminCall(t *testing.T, url, method, path, body string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	admin := httptest.NewServer(s.AdminHandler())
	t.Cleanup(admin.Close)

	res := adminCall(t, admin.URL, "PUT", "/faults",
		`[{"route":"GET /info","status":503,"count":1},{"route":"*","latency":"1ms"}]`)
	wantStatus(t, res, http.StatusOK)
	// The first fault ends the request, so the second is not reached.
	wantError(t, s.org(t, "GET", "/info", keyA, nil), 503, "unavailable")
	s.must(t, "GET", "/info", keyA, nil)

	faults := decodeAs[[]faultWire](t, adminCall(t, admin.URL, "GET", "/faults", ""))
	if len(faults) != 2 || *faults[0].Fired != 1 || *faults[1].Fired != 1 ||
		faults[1].Latency != "1ms" {
		t.Fatalf("faults = %s", adminCall(t, admin.URL, "GET", "/faults", "").body)
	}
	res = adminCall(t, admin.URL, "POST", "/faults", `{"route":"devices.getDevices","status":500}`)
	wantStatus(t, res, http.StatusOK)
	wantStatus(t, s.org(t, "GET", "/devices", keyA, nil), 500)

	wantStatus(t, adminCall(t, admin.URL, "DELETE", "/faults", ""), http.StatusOK)
	s.must(t, "GET", "/devices", keyA, nil)
}

func TestAdminRejectsBadFaults(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	admin := httptest.NewServer(s.AdminHandler())
	t.Cleanup(admin.Close)
	for _, body := range []string{
		`[{"route":"*","stauts":500}]`,
		`[{"route":"*"}]`,
		`[{"route":"*","latency":"soon"}]`,
		`{"route":"*","status":500}`,
		`not json`,
	} {
		wantError(t, adminCall(t, admin.URL, "PUT", "/faults", body), http.StatusBadRequest, "")
	}
	for _, body := range []string{
		`not json`,
		`{"route":"*"}`,
		`{"route":"*","status":500} {"route":"*","status":502}`,
	} {
		wantError(t, adminCall(t, admin.URL, "POST", "/faults", body), http.StatusBadRequest, "")
	}
	if got := decodeAs[[]faultWire](t, adminCall(t, admin.URL, "GET", "/faults", "")); len(got) != 0 {
		t.Fatalf("refused faults were installed: %+v", got)
	}
	wantError(t, adminCall(t, admin.URL, "GET", "/requests?limit=-1", ""), http.StatusBadRequest, "limit")
	wantError(t, adminCall(t, admin.URL, "GET", "/nope", ""), http.StatusNotFound, "not found")
}

func TestAdminRequests(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	admin := httptest.NewServer(s.AdminHandler())
	t.Cleanup(admin.Close)
	s.must(t, "GET", "/info", keyA, nil)
	s.must(t, "POST", "/devices/"+s.snapshot(t, keyA).DeviceIDs[0]+"/commands", keyA,
		`{"name":"reboot"}`)
	s.must(t, "GET", "/info", keyB, nil)

	all := items[requestView](t, adminCall(t, admin.URL, "GET", "/requests", ""))
	if len(all) != 3 || all[1].Body != `{"name":"reboot"}` {
		t.Fatalf("requests = %+v", all)
	}
	infos := items[requestView](t, adminCall(t, admin.URL, "GET",
		"/requests?endpoint=getOrganizationInfo&limit=1", ""))
	if len(infos) != 1 || infos[0].KeyHash != KeyHash(keyB) {
		t.Fatalf("filtered = %+v", infos)
	}
	raw := adminCall(t, admin.URL, "GET", "/requests", "")
	if strings.Contains(string(raw.body), keyA) {
		t.Fatal("the admin API shows a key")
	}
	wantStatus(t, adminCall(t, admin.URL, "DELETE", "/requests", ""), http.StatusNoContent)
	if got := items[requestView](t, adminCall(t, admin.URL, "GET", "/requests", "")); len(got) != 0 {
		t.Fatalf("%d requests after clearing", len(got))
	}
	orgs := adminCall(t, admin.URL, "GET", "/orgs", "")
	body := string(orgs.body)
	if !strings.Contains(body, KeyHash(keyA)) || strings.Contains(body, keyA) {
		t.Fatalf("orgs = %s", orgs.body)
	}
}
