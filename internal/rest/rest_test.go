package rest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
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
	api := rest.New(rest.Options{Client: newClient(t, up.URL), ReadOnly: readOnly})
	return &fixture{sim: sim, url: serve(t, api, testKey)}
}

// newClient returns an upstream client of the Xyte API at url.
func newClient(t *testing.T, url string) *xyte.Client {
	t.Helper()
	client, err := xyte.New(xyte.Options{BaseURL: url, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// serve mounts the routes of api, with every request as the tenant of key
// (none when key is empty), and returns the server's URL.
func serve(t *testing.T, api *rest.API, key string) string {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range api.Routes() {
		mux.Handle(rt.Pattern(), rt.Handler)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if key != "" {
			r = r.WithContext(tenant.NewContext(r.Context(), tenant.New(key)))
		}
		mux.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
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
		{"GET", "/v1/tickets/" + id, ""},
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
		{"POST", "/v1/devices/d1/commands", `{"name":5}`, `field "name" has the wrong type`},
		{"POST", "/v1/devices/%20d1/commands", `{"name":"reboot"}`, "device_id"},
		{"POST", "/v1/devices/d1/commands?force=1", `{"name":"reboot"}`, "force"},
		{"POST", "/v1/devices/d1/commands", `{"name" "reboot"}`, "not valid JSON"},
		{"PUT", "/v1/tickets/t1", `{}`, "fields"},
		{"PUT", "/v1/tickets/t1", `{"title":`, "body"},
		{"POST", "/v1/tickets/t1/messages", `"On it"`, "body"},
		{"POST", "/v1/tickets/t1/messages", `{"message":""}`, "message"},
		{"GET", "/v1/devices?space_id=%zz", "", "query"},
		{"GET", "/v1/devices/d1?verbose=1", "", "verbose"},
		{"GET", "/v1/devices/%20d1/status", "", "device_id"},
		{"GET", "/v1/devices/d1/status?verbose=1", "", "verbose"},
		{"GET", "/v1/devices/%20d1/commands", "", "device_id"},
		{"GET", "/v1/devices/d1/commands?status=lost", "", "status"},
		{"DELETE", "/v1/devices/%20d1/commands/c1", "", "device_id"},
		{"DELETE", "/v1/devices/d1/commands/%20c1", "", "command_id"},
		{"DELETE", "/v1/devices/d1/commands/c1?force=1", "", "force"},
		{"GET", "/v1/histories?colour=red", "", "colour"},
		{"GET", "/v1/spaces?parent_id=0", "", "parent_id"},
		{"GET", "/v1/spaces/1?verbose=1", "", "verbose"},
		{"GET", "/v1/incidents?from=yesterday", "", "from"},
		{"GET", "/v1/incidents?from=2025-03-02T00:00:00Z&to=1740787200", "", "to"},
		{"GET", "/v1/tickets?colour=red", "", "colour"},
		{"GET", "/v1/tickets/%20t1", "", "ticket_id"},
		{"GET", "/v1/tickets/t1?verbose=1", "", "verbose"},
		{"PUT", "/v1/tickets/%20t1", `{"title":"x"}`, "ticket_id"},
		{"PUT", "/v1/tickets/t1?force=1", `{"title":"x"}`, "force"},
		{"POST", "/v1/tickets/%20t1/resolve", "", "ticket_id"},
		{"POST", "/v1/tickets/t1/resolve?force=1", "", "force"},
		{"POST", "/v1/tickets/%20t1/messages", `{"message":"x"}`, "ticket_id"},
		{"POST", "/v1/tickets/t1/messages?force=1", `{"message":"x"}`, "force"},
		{"GET", "/v1/organization?verbose=1", "", "verbose"},
		{"GET", "/v1/fleet/overview?verbose=1", "", "verbose"},
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
		name       string
		fault      xytesim.Fault
		send       bool // POST a command instead of GET /v1/organization
		status     int
		code       string
		retryAfter string
	}{
		{"rate limited", xytesim.Fault{Status: 429, RetryAfter: "7"}, false, 429, "rate_limited", "7"},
		// A wait the hub did not give is advertised as the shortest.
		{"rate limited, no wait", xytesim.Fault{Status: 429}, true, 429, "rate_limited", "1"},
		{"server error", xytesim.Fault{Status: 500}, false, 502, "upstream_error", ""},
		{"not found", xytesim.Fault{Status: 404}, false, 404, "not_found", ""},
		{"forbidden", xytesim.Fault{Status: 403}, false, 403, "forbidden", ""},
		{"unprocessable", xytesim.Fault{Status: 422}, false, 400, "invalid_params", ""},
		{"hang", xytesim.Fault{Hang: true}, false, 504, "timeout", ""},
		{"drop", xytesim.Fault{Drop: true}, false, 502, "network_error", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, false)
			method, path, reqBody := "GET", "/v1/organization", ""
			if tc.send {
				method, path, reqBody = "POST", "/v1/devices/"+firstDevice(t, f)+"/commands",
					`{"name":"reboot"}`
			}
			if err := f.sim.SetFaults(tc.fault); err != nil {
				t.Fatal(err)
			}
			status, h, body := f.do(t, method, path, reqBody)
			var e rest.ErrorBody
			_ = json.Unmarshal(body, &e)
			if status != tc.status || e.Error != tc.code {
				t.Fatalf("status %d body %s, want %d %s", status, body, tc.status, tc.code)
			}
			if got := h.Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
		})
	}
}

// TestAuditRecordsWrites: every write route called is recorded with its
// route, the ids in its path, the tenant and how it ended; reads are not.
func TestAuditRecordsWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var records []plugins.AuditRecord
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: testKey}}, CommandDelay: time.Hour})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	api := rest.New(rest.Options{Client: newClient(t, up.URL), Audit: func(r plugins.AuditRecord) {
		mu.Lock()
		defer mu.Unlock()
		records = append(records, r)
	}})
	f := &fixture{sim: sim, url: serve(t, api, testKey)}
	device := sim.DeviceIDs(testKey)[0]
	send := "/v1/devices/" + device + "/commands"

	f.do(t, "GET", send, "")
	f.do(t, "POST", send, `{"name":"reboot"}`)
	f.do(t, "POST", "/v1/tickets/no-such-ticket/resolve", "")
	drop := xytesim.Fault{Route: "commands.sendCommand", DropAfterBody: true}
	if err := sim.SetFaults(drop); err != nil {
		t.Fatal(err)
	}
	f.do(t, "POST", send, `{"name":"secret-name"}`)

	want := []struct{ action, target, outcome string }{
		{"POST /v1/devices/{device_id}/commands", "device_id=" + device, plugins.OutcomeSuccess},
		{"POST /v1/tickets/{ticket_id}/resolve", "ticket_id=no-such-ticket", plugins.OutcomeFailure},
		{"POST /v1/devices/{device_id}/commands", "device_id=" + device, plugins.OutcomeUnknown},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(records) != len(want) {
		t.Fatalf("%d audit records, want %d: %+v", len(records), len(want), records)
	}
	for i, w := range want {
		r := records[i]
		if r.Action != w.action || strings.Join(r.Targets, ",") != w.target ||
			r.Outcome != w.outcome || r.Tenant != tenant.New(testKey).ID() {
			t.Errorf("record %d = %+v, want %+v", i, r, w)
		}
		if line, _ := json.Marshal(r); strings.Contains(string(line), "secret-name") ||
			strings.Contains(string(line), testKey) {
			t.Errorf("record %d holds a body or a key: %s", i, line)
		}
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
	first, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := api.OpenAPI()
	if second, _ := json.Marshal(again); string(second) != string(first) {
		t.Error("a second OpenAPI document differs from the first")
	}
}

// TestWritesToMissingTargets: a write naming something the organization does
// not have answers 404 not_found, as the upstream said.
func TestWritesToMissingTargets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	id := firstDevice(t, f)
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/v1/tickets/no-such-ticket/resolve", ""},
		{"POST", "/v1/tickets/no-such-ticket/messages", `{"message":"On it"}`},
		{"DELETE", "/v1/devices/" + id + "/commands/no-such-command", ""},
		{"PUT", "/v1/tickets/no-such-ticket", `{"title":"Fixed"}`},
		{"GET", "/v1/tickets/no-such-ticket", ""},
	} {
		status, _, body := f.do(t, tc.method, tc.path, tc.body)
		var e rest.ErrorBody
		_ = json.Unmarshal(body, &e)
		if status != 404 || e.Error != "not_found" {
			t.Errorf("%s %s = %d %s, want 404 not_found", tc.method, tc.path, status, body)
		}
	}
}

// TestCancelCommandAnswer: a cancel answers with the hub's JSON as it came,
// or {"success":true} when the hub confirmed it without JSON.
func TestCancelCommandAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		upstream string
		want     string
	}{
		{"json", 200, `{"id":"c1","status":"cancelled"}`, `{"id":"c1","status":"cancelled"}`},
		{"no content", 204, "", `{"success":true}`},
		{"text", 200, "OK", `{"success":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodDelete || !strings.HasSuffix(r.URL.Path, "/devices/d1/commands/c1") {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.upstream)
			}))
			t.Cleanup(up.Close)
			f := &fixture{url: serve(t, rest.New(rest.Options{Client: newClient(t, up.URL)}), testKey)}
			status, _, body := f.do(t, "DELETE", "/v1/devices/d1/commands/c1", "")
			if status != 200 || strings.TrimSpace(string(body)) != tc.want {
				t.Errorf("cancel = %d %s, want 200 %s", status, body, tc.want)
			}
		})
	}
}

// TestBodyTooLarge: a body over the server's limit answers 413 and sends
// nothing upstream.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	big := `{"name":"reboot","friendly_name":"` + strings.Repeat("x", 1<<16) + `"}`
	status, _, body := f.do(t, "POST", "/v1/devices/d1/commands", big)
	var e rest.ErrorBody
	_ = json.Unmarshal(body, &e)
	if status != 413 || e.Error != "request_too_large" || !strings.Contains(e.Message, "65536 bytes") {
		t.Errorf("large body = %d %s, want 413 request_too_large", status, body)
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("refused body made %d upstream calls", n)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestUnreadableBody: a body that breaks off while being read is refused as
// bad input naming the body.
func TestUnreadableBody(t *testing.T) {
	t.Parallel()
	api := rest.New(rest.Options{Client: newClient(t, "http://127.0.0.1:1")})
	var send http.Handler
	for _, rt := range api.Routes() {
		if rt.Pattern() == "POST /v1/devices/{device_id}/commands" {
			send = rt.Handler
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/devices/d1/commands", failingReader{})
	req.SetPathValue("device_id", "d1")
	req = req.WithContext(tenant.NewContext(req.Context(), tenant.New(testKey)))
	rec := httptest.NewRecorder()
	send.ServeHTTP(rec, req)
	var e rest.ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != 400 || e.Error != "invalid_params" || !strings.Contains(e.Message, "body") {
		t.Errorf("unreadable body = %d %s", rec.Code, rec.Body)
	}
}

// TestRoutesNeedATenant: a request that reached a route without a tenant (the
// server's authentication did not run) is refused with 401, except for the
// public OpenAPI document.
func TestRoutesNeedATenant(t *testing.T) {
	t.Parallel()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: testKey}}})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	f := &fixture{sim: sim, url: serve(t, rest.New(rest.Options{Client: newClient(t, up.URL)}), "")}
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/v1/organization", 401},
		{"POST", "/v1/devices/d1/commands", 401},
		{"GET", "/v1/tools", 401},
		{"GET", "/v1/resources", 401},
		{"GET", "/v1/openapi.json", 200},
	} {
		status, h, body := f.do(t, tc.method, tc.path, "")
		if status != tc.status {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, status, body, tc.status)
			continue
		}
		var e rest.ErrorBody
		_ = json.Unmarshal(body, &e)
		if status == 401 && (e.Error != "missing_xyte_key" || h.Get("WWW-Authenticate") != "Bearer") {
			t.Errorf("%s %s = %s %v, want missing_xyte_key and a challenge", tc.method,
				tc.path, body, h)
		}
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("requests without a tenant made %d upstream calls", n)
	}
}
