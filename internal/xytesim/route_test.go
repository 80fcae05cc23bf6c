package xytesim

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestEndpoints(t *testing.T) {
	t.Parallel()
	var org, partner int
	names, patterns := map[string]bool{}, map[string]bool{}
	for _, e := range Endpoints() {
		if e.Partner {
			partner++
		} else {
			org++
		}
		if names[e.Name] || patterns[e.Pattern] {
			t.Errorf("duplicate endpoint %s %s", e.Name, e.Pattern)
		}
		names[e.Name], patterns[e.Pattern] = true, true
	}
	if org != 64 || partner != 14 {
		t.Fatalf("endpoints: %d org, %d partner; want 64 and 14", org, partner)
	}
}

// TestEveryRouteIsRouted sends every endpoint without a key: a routed
// request answers 401, an unrouted one 404.
func TestEveryRouteIsRouted(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	for _, e := range Endpoints() {
		path := wildcard.ReplaceAllString(e.Path, "1")
		prefix := OrgPrefix
		if e.Partner {
			prefix = PartnerPrefix
		}
		res := s.call(t, e.Method, prefix+path, "", nil)
		if res.status != http.StatusUnauthorized {
			t.Errorf("%s %s: status %d, want 401", e.Method, prefix+path, res.status)
			continue
		}
		if got := s.lastRequest(t); got.Route != e.Pattern || got.Endpoint != e.Name {
			t.Errorf("%s %s routed to %q (%s), want %q", e.Method, path, got.Route, got.Endpoint,
				e.Pattern)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	dev := s.snapshot(t, keyA).DeviceIDs[0]
	tests := []struct {
		name, method, path string
	}{
		{"unknown path", "GET", OrgPrefix + "/nope"},
		{"analytics is not a hub route", "GET", OrgPrefix + "/devices/" + dev + "/analytics"},
		{"wrong method", "PUT", OrgPrefix + "/devices"},
		{"wrong method on item", "POST", OrgPrefix + "/devices/" + dev},
		{"trailing slash", "GET", OrgPrefix + "/devices/"},
		{"dot dot", "GET", OrgPrefix + "/devices/../tickets"},
		{"double slash", "GET", OrgPrefix + "//devices"},
		{"prefix only", "GET", OrgPrefix},
		{"root", "GET", "/"},
		{"other API version", "GET", "/core/v2/organization/devices"},
		{"partner unknown", "GET", PartnerPrefix + "/spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := keyA
			if strings.HasPrefix(tt.path, PartnerPrefix) {
				key = keyPartner
			}
			res := s.call(t, tt.method, tt.path, key, nil)
			wantError(t, res, http.StatusNotFound, "not found")
			if string(res.body) != `{"error":"Not found"}` {
				t.Fatalf("body = %s", res.body)
			}
		})
	}
}

// TestUncleanPathIsNotRedirected guards against ServeMux's redirect to the
// cleaned path, which would let "../" reach another endpoint.
func TestUncleanPathIsNotRedirected(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	res := s.call(t, "GET", OrgPrefix+"/devices/./x/../../tickets", keyA, nil)
	wantStatus(t, res, http.StatusNotFound)
	if n := len(s.Requests()); n != 1 {
		t.Fatalf("%d requests logged, want 1 (no redirect followed)", n)
	}
	if got := s.lastRequest(t); got.Route != "" {
		t.Fatalf("route = %q, want none", got.Route)
	}
}

func TestLiteralSegmentsBeatWildcards(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	tests := []struct {
		method, path, endpoint string
	}{
		{"GET", "/devices/histories", "devices.getHistories"},
		{"GET", "/devices/notes", "notes.getAllDeviceNotes"},
		{"POST", "/devices/claim", "devices.claimDevice"},
		{"GET", "/spaces/notes", "notes.getAllSpaceNotes"},
		{"POST", "/spaces/find_or_create", "spaces.findOrCreateSpace"},
		{"GET", "/assets/labels/status", "assets.getAssetLabels"},
	}
	for _, tt := range tests {
		s.org(t, tt.method, tt.path, keyA, nil)
		if got := s.lastRequest(t).Endpoint; got != tt.endpoint {
			t.Errorf("%s %s went to %s, want %s", tt.method, tt.path, got, tt.endpoint)
		}
	}
}

// TestEscapedIDStaysOneSegment checks that an escaped slash is part of the
// id, never a path separator.
func TestEscapedIDStaysOneSegment(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	res := s.org(t, "GET", "/devices/..%2Ftickets", keyA, nil)
	wantError(t, res, http.StatusNotFound, "Device not found")
	got := s.lastRequest(t)
	if got.RawPath != OrgPrefix+"/devices/..%2Ftickets" || got.Path != OrgPrefix+"/devices/../tickets" {
		t.Fatalf("raw path %q, path %q", got.RawPath, got.Path)
	}
	if got.PathParams["device_id"] != "../tickets" {
		t.Fatalf("device_id = %q", got.PathParams["device_id"])
	}
}

// TestSlashIDIsRouted checks ids that decode to "/", which ServeMux alone
// would never route to a wildcard.
func TestSlashIDIsRouted(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	dev := s.snapshot(t, keyA).DeviceIDs[0]
	tests := []struct {
		method, path, route string
		params              map[string]string
	}{
		{"GET", "/devices/%2F", "GET " + OrgPrefix + "/devices/{device_id}",
			map[string]string{"device_id": "/"}},
		{"DELETE", "/devices/" + dev + "/commands/%2f", "DELETE " + OrgPrefix +
			"/devices/{device_id}/commands/{command_id}",
			map[string]string{"device_id": dev, "command_id": "/"}},
		{"GET", "/devices/_", "GET " + OrgPrefix + "/devices/{device_id}",
			map[string]string{"device_id": "_"}},
	}
	for _, tt := range tests {
		res := s.org(t, tt.method, tt.path, keyA, nil)
		wantStatus(t, res, http.StatusNotFound)
		got := s.lastRequest(t)
		if got.Route != tt.route || got.RawPath != OrgPrefix+tt.path {
			t.Errorf("%s: route %q, raw path %q", tt.path, got.Route, got.RawPath)
		}
		for name, want := range tt.params {
			if got.PathParams[name] != want {
				t.Errorf("%s: %s = %q, want %q", tt.path, name, got.PathParams[name], want)
			}
		}
	}
	res := s.org(t, "GET", "/devices/%2F/nope", keyA, nil)
	wantError(t, res, http.StatusNotFound, "Not found")
	if got := s.lastRequest(t); got.RawPath != OrgPrefix+"/devices/%2F/nope" || got.Route != "" {
		t.Errorf("unrouted: %+v", got)
	}
}

// TestRequestBodyRefusals: a body past 1 MiB is refused with 413 and one
// cut short with 400, before authentication; the request log records both
// with the status they got.
func TestRequestBodyRefusals(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	big := `{"name":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	wantError(t, s.org(t, "POST", "/devices/claim", "", big), http.StatusRequestEntityTooLarge, "too large")
	if got := s.lastRequest(t); got.Status != 413 || len(got.Body) != maxBodyBytes {
		t.Fatalf("logged status %d with %d body bytes", got.Status, len(got.Body))
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "POST "+OrgPrefix+"/devices/claim HTTP/1.1\r\nHost: x\r\n"+
		"Authorization: "+keyA+"\r\nContent-Length: 100\r\n\r\n{\"space_id\":")
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), "Could not read the request body") {
		t.Fatalf("body cut short: %d %s", resp.StatusCode, data)
	}
	if got := s.lastRequest(t); got.Status != 400 || got.Endpoint != "devices.claimDevice" {
		t.Fatalf("logged %+v", got)
	}
}
