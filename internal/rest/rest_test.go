package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const testKey = "xk_rest_test_key"

type fixture struct {
	sim *xytesim.Server
	url string
}

// newFixture serves the REST routes with every request as the test tenant,
// in front of a simulator.
func newFixture(t *testing.T, readOnly bool) *fixture {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: testKey, Name: "Test Org"}},
		CommandDelay: time.Hour})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	client, err := xyte.New(xyte.Options{BaseURL: up.URL, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	api := rest.New(rest.Options{Client: client, ReadOnly: readOnly})
	mux := http.NewServeMux()
	for _, rt := range api.Routes() {
		mux.Handle(rt.Pattern(), rt.Handler)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		ctx := tenant.NewContext(r.Context(), tenant.New(testKey))
		mux.ServeHTTP(w, r.WithContext(ctx))
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{sim: sim, url: srv.URL}
}

func (f *fixture) do(t *testing.T, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.url+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// getJSON fetches path, wants 200, and decodes the answer.
func (f *fixture) getJSON(t *testing.T, path string, out any) {
	t.Helper()
	status, _, body := f.do(t, "GET", path, "")
	if status != 200 {
		t.Fatalf("GET %s = %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func firstDevice(t *testing.T, f *fixture) string {
	t.Helper()
	var p struct {
		Devices []struct {
			ID string `json:"id"`
		} `json:"devices"`
	}
	f.getJSON(t, "/v1/devices?per_page=5", &p)
	if len(p.Devices) == 0 {
		t.Fatal("the simulator has no devices")
	}
	return p.Devices[0].ID
}

func TestReadRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := firstDevice(t, f)
	var spaces struct {
		Spaces []struct {
			ID json.Number `json:"id"`
		} `json:"spaces"`
	}
	f.getJSON(t, "/v1/spaces?per_page=3", &spaces)
	if len(spaces.Spaces) == 0 {
		t.Fatal("no spaces")
	}
	spaceID := spaces.Spaces[0].ID

	for _, path := range []string{
		"/v1/devices/" + id,
		"/v1/devices/" + id + "/status",
		"/v1/devices/" + id + "/commands",
		"/v1/devices?space_id=" + spaceID.String(),
		"/v1/histories?device_id=" + id,
		"/v1/spaces/" + spaceID.String(),
		"/v1/incidents?status=active",
		"/v1/tickets",
		"/v1/organization",
		"/v1/fleet/overview",
		"/v1/devices?status=online&name_contains=a",
		"/v1/tools",
		"/v1/resources",
		"/v1/openapi.json",
	} {
		var v map[string]any
		f.getJSON(t, path, &v)
	}
	_, h, _ := f.do(t, "GET", "/v1/organization", "")
	if h.Get("Vary") != "Authorization" || !strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Errorf("answer headers %v", h)
	}
}

func TestCommandRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := firstDevice(t, f)
	status, _, body := f.do(t, "POST", "/v1/devices/"+id+"/commands",
		`{"name":"reboot","friendly_name":"Reboot"}`)
	if status != 200 {
		t.Fatalf("send command = %d %s", status, body)
	}
	var cmd struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &cmd); err != nil || cmd.ID == "" {
		t.Fatalf("send command answer %s", body)
	}
	_, _, list := f.do(t, "GET", "/v1/devices/"+id+"/commands", "")
	if !strings.Contains(string(list), cmd.ID) {
		t.Errorf("command %s not listed: %s", cmd.ID, list)
	}
	status, _, body = f.do(t, "DELETE", "/v1/devices/"+id+"/commands/"+cmd.ID, "")
	if status != 200 {
		t.Errorf("cancel command = %d %s", status, body)
	}
}

func TestTicketWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	var tickets struct {
		Tickets []struct {
			ID string `json:"id"`
		} `json:"tickets"`
	}
	f.getJSON(t, "/v1/tickets", &tickets)
	if len(tickets.Tickets) == 0 {
		t.Fatal("the simulator has no tickets")
	}
	id := tickets.Tickets[0].ID
	for _, tc := range []struct{ method, path, body string }{
		{"PUT", "/v1/tickets/" + id, `{"title":"Projector fixed"}`},
		{"POST", "/v1/tickets/" + id + "/messages", `{"message":"On it"}`},
		{"POST", "/v1/tickets/" + id + "/resolve", ""},
	} {
		status, _, body := f.do(t, tc.method, tc.path, tc.body)
		if status != 200 {
			t.Errorf("%s %s = %d %s", tc.method, tc.path, status, body)
		}
	}
}

// TestBadInput: every refusal is a 400 invalid_params, names the input, and
// makes no upstream call.
func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path, body, names string
	}{
		{"GET", "/v1/devices?per_page=500", "", "per_page"},
		{"GET", "/v1/devices?page=x", "", "page"},
		{"GET", "/v1/devices?shade=red", "", "shade"},
		{"GET", "/v1/devices?page=1&page=2", "", "page"},
		{"GET", "/v1/devices/%20d1", "", "device_id"},
		{"GET", "/v1/devices/..", "", ""},
		{"GET", "/v1/spaces/abc", "", "space_id"},
		{"GET", "/v1/incidents?status=open", "", "status"},
		{"GET", "/v1/histories?from=yesterday", "", "from"},
		{"GET", "/v1/histories?from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", "", "from"},
		{"POST", "/v1/devices/d1/commands", `{"name":`, "body"},
		{"POST", "/v1/devices/d1/commands", `{"name":"reboot","shade":"red"}`, "shade"},
		{"POST", "/v1/devices/d1/commands", `["reboot"]`, "body"},
		{"POST", "/v1/devices/d1/commands", `{"name":"a"}{"name":"b"}`, "body"},
		{"POST", "/v1/devices/d1/commands", "", "body"},
		{"POST", "/v1/devices/d1/commands", `{}`, "name"},
		{"POST", "/v1/devices/d1/commands", "{\"name\":\"\xff\"}", "body"},
		{"PUT", "/v1/tickets/t1", `{}`, "fields"},
		{"POST", "/v1/tickets/t1/messages", `{"message":""}`, "message"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, false)
			status, _, body := f.do(t, tc.method, tc.path, tc.body)
			if tc.names == "" {
				// Paths the router cleans never reach a handler.
				if status == 200 {
					t.Fatalf("%s %s = 200", tc.method, tc.path)
				}
			} else {
				var e rest.ErrorBody
				_ = json.Unmarshal(body, &e)
				if status != 400 || e.Error != "invalid_params" ||
					!strings.Contains(e.Message, tc.names) {
					t.Fatalf("%s %s = %d %s, want 400 naming %q", tc.method, tc.path,
						status, body, tc.names)
				}
			}
			if n := len(f.sim.Requests()); n != 0 {
				t.Errorf("bad input made %d upstream calls", n)
			}
		})
	}
}

func TestUpstreamErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault  xytesim.Fault
		status int
		code   string
	}{
		{xytesim.Fault{Status: 429, RetryAfter: "7"}, 429, "rate_limited"},
		{xytesim.Fault{Status: 500}, 502, "upstream_error"},
		{xytesim.Fault{Status: 404}, 404, "not_found"},
		{xytesim.Fault{Status: 403}, 403, "forbidden"},
		{xytesim.Fault{Status: 422}, 400, "invalid_params"},
		{xytesim.Fault{Hang: true}, 504, "timeout"},
		{xytesim.Fault{Drop: true}, 502, "network_error"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, false)
			if err := f.sim.SetFaults(tc.fault); err != nil {
				t.Fatal(err)
			}
			status, h, body := f.do(t, "GET", "/v1/organization", "")
			var e rest.ErrorBody
			_ = json.Unmarshal(body, &e)
			if status != tc.status || e.Error != tc.code {
				t.Fatalf("status %d body %s, want %d %s", status, body, tc.status, tc.code)
			}
			if tc.status == 429 && h.Get("Retry-After") != "7" {
				t.Errorf("Retry-After = %q, want 7", h.Get("Retry-After"))
			}
		})
	}
}

func TestWriteOutcomeUnknown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := firstDevice(t, f)
	if err := f.sim.SetFaults(xytesim.Fault{Route: "commands.sendCommand",
		DropAfterBody: true}); err != nil {
		t.Fatal(err)
	}
	f.sim.ClearRequests()
	status, _, body := f.do(t, "POST", "/v1/devices/"+id+"/commands", `{"name":"reboot"}`)
	if status != 502 || !strings.Contains(string(body), "outcome is unknown") {
		t.Errorf("dropped send = %d %s", status, body)
	}
	if n := len(f.sim.Requests()); n != 1 {
		t.Errorf("send command reached the upstream %d times, want 1", n)
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	status, _, body := f.do(t, "POST", "/v1/devices/d1/commands", `{"name":"reboot"}`)
	var e rest.ErrorBody
	_ = json.Unmarshal(body, &e)
	if status != 403 || e.Error != "read_only" {
		t.Errorf("write on a read-only server = %d %s", status, body)
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("refused write made %d upstream calls", n)
	}
	if status, _, _ := f.do(t, "GET", "/v1/organization", ""); status != 200 {
		t.Errorf("read on a read-only server = %d", status)
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	api := rest.New(rest.Options{})
	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	for _, rt := range api.Routes() {
		item, ok := paths[rt.Path].(map[string]any)
		if !ok {
			t.Errorf("%s missing", rt.Path)
			continue
		}
		op, ok := item[strings.ToLower(rt.Method)].(map[string]any)
		if !ok || op["operationId"] == "" || op["summary"] == "" {
			t.Errorf("%s: operation missing or undocumented", rt.Pattern())
		}
	}
	if _, err := json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
}
