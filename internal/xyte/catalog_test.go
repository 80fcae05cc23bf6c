package xyte

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestCatalogCounts(t *testing.T) {
	t.Parallel()
	counts := map[API]int{}
	for _, e := range Catalog() {
		counts[e.API]++
	}
	if counts[APIOrganization] != 64 || counts[APIPartner] != 14 {
		t.Fatalf("catalog has %v; want 64 organization and 14 partner endpoints", counts)
	}
}

var templateParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func TestCatalogEntriesAreConsistent(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	routes := map[string]string{}
	for _, e := range Catalog() {
		if seen[e.Key] {
			t.Errorf("duplicate key %s", e.Key)
		}
		seen[e.Key] = true
		route := string(e.API) + " " + e.Method + " " + templateParam.ReplaceAllString(e.Path, "{}")
		if other, ok := routes[route]; ok {
			t.Errorf("%s and %s share the route %s", e.Key, other, route)
		}
		routes[route] = e.Key
		checkEntry(t, e)
	}
}

func checkEntry(t *testing.T, e Endpoint) {
	t.Helper()
	if e.Description == "" || !strings.HasSuffix(e.Description, ".") {
		t.Errorf("%s: description must be one sentence", e.Key)
	}
	if !strings.HasPrefix(e.Path, "/") {
		t.Errorf("%s: path %q is not absolute", e.Key, e.Path)
	}
	wantClass := map[string][]Class{
		"GET": {ClassRead}, "DELETE": {ClassDestructive, ClassWrite},
		"POST": {ClassWrite, ClassDestructive}, "PUT": {ClassWrite}, "PATCH": {ClassWrite},
	}[e.Method]
	if !containsClass(wantClass, e.Class) {
		t.Errorf("%s: %s endpoint has class %s", e.Key, e.Method, e.Class)
	}
	inPath := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(e.Path, -1) {
		inPath[m[1]] = true
		if p, ok := e.Param(m[1]); !ok || p.In != InPath || !p.Required {
			t.Errorf("%s: {%s} has no required path parameter", e.Key, m[1])
		}
	}
	names := map[string]bool{}
	for _, p := range e.Params {
		if names[p.Name] {
			t.Errorf("%s: parameter %s twice", e.Key, p.Name)
		}
		names[p.Name] = true
		if p.In == InPath && !inPath[p.Name] {
			t.Errorf("%s: path parameter %s is not in the template", e.Key, p.Name)
		}
		if p.In == InBody && (e.Method == http.MethodGet || e.Method == http.MethodDelete) {
			t.Errorf("%s: body parameter %s on a %s", e.Key, p.Name, e.Method)
		}
		if p.In != InBody && p.Type != TypeString && p.Type != TypeInteger && p.Type != TypeBoolean {
			t.Errorf("%s: %s parameter %s has type %s, which a URL cannot carry", e.Key, p.In,
				p.Name, p.Type)
		}
	}
}

func containsClass(list []Class, c Class) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

func TestBuildRequest(t *testing.T) {
	t.Parallel()
	ep, _ := Lookup("devices.getHistories")
	req, err := ep.BuildRequest(map[string]any{"from": float64(1700000000), "space_id": "42",
		"status": "offline"})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Query.Encode(); got != "from=1700000000&space_id=42&status=offline" {
		t.Fatalf("query = %s", got)
	}
	if req.Body != nil {
		t.Fatalf("GET got a body: %v", req.Body)
	}

	send, _ := Lookup("commands.sendCommand")
	req, err = send.BuildRequest(map[string]any{"device_id": "d1", "name": "reboot"})
	if err != nil || req.Path["device_id"] != "d1" || req.Body.(map[string]any)["name"] != "reboot" {
		t.Fatalf("send: %+v %v", req, err)
	}
}

func TestBuildRequestConvertsScalarForms(t *testing.T) {
	t.Parallel()
	licenses, _ := Lookup("licenses.getLicenses")
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"booleans", map[string]any{"assigned": true, "warranty": false}, "assigned=true&warranty=false"},
		{"boolean strings", map[string]any{"assigned": "false", "transferable": "1"},
			"assigned=false&transferable=true"},
		{"integer from a decoder's json.Number", map[string]any{"page": json.Number("3")}, "page=3"},
		{"integer from a string", map[string]any{"per_page": " 25 "}, "per_page=25"},
		{"integer from Go", map[string]any{"page": int64(2), "per_page": 10}, "page=2&per_page=10"},
	}
	for _, tt := range tests {
		req, err := licenses.BuildRequest(tt.args)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := req.Query.Encode(); got != tt.want {
			t.Errorf("%s: query %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestBuildRequestRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		args map[string]any
		want string
	}{
		{"devices.getDevice", map[string]any{}, "device_id: is required"},
		{"devices.getDevice", map[string]any{"device_id": "../tickets"}, "device_id: must be a single id"},
		{"devices.getDevice", map[string]any{"device_id": ".."}, "device_id: must not be a relative"},
		{"devices.getDevice", map[string]any{"device_id": 12}, "device_id: must be of type string"},
		{"devices.getDevice", map[string]any{"device_id": "d1", "x": 1}, "x: is not a parameter"},
		{"devices.getHistories", map[string]any{"status": "broken"}, "status: must be one of"},
		{"devices.getDevices", map[string]any{"page": 1.5}, "page: must be of type integer"},
		{"spaces.getSpace", map[string]any{"space_id": "abc"}, "space_id: must be of type integer"},
		{"devices.claimDevice", map[string]any{"name": "x"}, "space_id: is required"},
		{"licenses.getLicenses", map[string]any{"assigned": "maybe"}, "assigned: must be of type boolean"},
		{"licenses.getLicenses", map[string]any{"assigned": 1.0}, "assigned: must be of type boolean"},
		{"licenses.getLicenses", map[string]any{"page": true}, "page: must be of type integer"},
		{"licenses.getLicenses", map[string]any{"page": json.Number("1.5")}, "page: must be of type integer"},
		{"devices.getDevices", map[string]any{"page": 1e17}, "page: must be of type integer"},
	}
	for _, tt := range tests {
		ep, ok := Lookup(tt.key)
		if !ok {
			t.Fatalf("no endpoint %s", tt.key)
		}
		_, err := ep.BuildRequest(tt.args)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %v: unexpected error %v", tt.key, tt.args, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%s %v: error %v, want prefix %q", tt.key, tt.args, err, tt.want)
		}
	}
}

func TestReservedSegments(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"devices.getDevice":   {"histories", "notes"},
		"spaces.getSpace":     {"notes"},
		"users.getUser":       nil,
		"devices.claimDevice": nil,
	}
	for key, lits := range want {
		for _, lit := range lits {
			if !reservedSegments[key]["device_id"][lit] && !reservedSegments[key]["space_id"][lit] {
				t.Errorf("%s: %q is not reserved", key, lit)
			}
		}
	}
	c, _ := New(Options{BaseURL: "http://127.0.0.1:1", Key: "k"})
	if _, err := c.GetDevice(t.Context(), "histories"); !IsValidation(err) {
		t.Fatalf("device id histories: got %v", err)
	}
}
