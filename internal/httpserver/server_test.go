package httpserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func TestProbesSkipAuthAndOrigin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		for _, hdr := range [][2]string{
			{"", ""}, {"Authorization", "Bearer garbage"}, {"Origin", "https://evil.test"},
		} {
			req, _ := http.NewRequest(http.MethodGet, f.http.URL+path, nil)
			if hdr[0] != "" {
				req.Header.Set(hdr[0], hdr[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s with %v = %d, want 200", path, hdr, resp.StatusCode)
			}
		}
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("probes made %d upstream calls", n)
	}
}

// TestMetricsLabels sends requests with random ids and paths: the metric
// labels keep route templates, and no id, path or key reaches /metrics.
func TestMetricsLabels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{})
	var ids []string
	for i := range 40 {
		id := fmt.Sprintf("dev-%08x", i*7919)
		ids = append(ids, id)
		f.do(t, "GET", "/v1/devices/"+id, "Bearer "+keyA, "")
		f.do(t, "GET", "/no/such/"+id, "", "")
	}
	f.do(t, "GET", "/v1/devices", "Bearer "+keyB, "")
	f.do(t, "PROPFIND", "/v1/devices", "Bearer "+keyB, "")
	_, _, body := f.do(t, "GET", "/metrics", "", "")
	text := string(body)
	for _, s := range append(ids, keyA, keyB, tenant.Hash(keyA)) {
		if strings.Contains(text, s) {
			t.Fatalf("/metrics holds %q", s)
		}
	}
	if strings.Contains(text, "PROPFIND") {
		t.Error("/metrics holds a method the server does not serve")
	}
	for _, want := range []string{
		`route="/v1/devices/{device_id}"`, `route="/v1/devices"`, `route="other"`, `method="OTHER"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	series := regexp.MustCompile(`(?m)^xyte_mcp_http_requests_total\{`).FindAllString(text, -1)
	if len(series) > 10 {
		t.Errorf("%d request series after 81 requests on 3 routes", len(series))
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{})
	f.do(t, "GET", "/v1/devices/dev-1234", "Bearer "+keyA, "")
	f.do(t, "GET", "/v1/devices", "", "")
	logs := f.logBuf.String()
	if strings.Contains(logs, keyA) || strings.Contains(logs, "dev-1234") {
		t.Fatalf("log holds a key or an id:\n%s", logs)
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q is not JSON", line)
		}
		if entry["msg"] == "http request" && entry["route"] == "/v1/devices/{device_id}" {
			found = true
			if entry["tenant"] != tenant.Hash(keyA) || entry["method"] != "GET" {
				t.Errorf("log entry %v", entry)
			}
		}
	}
	if !found {
		t.Errorf("no request log line for the device route:\n%s", logs)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{mutate: func(c *config.Config) { c.MaxBodyBytes = 4096 }})
	big := `{"name":"reboot","extra_params":{"x":"` + strings.Repeat("A", 8192) + `"}}`
	for _, path := range []string{"/v1/devices/d1/commands", "/mcp"} {
		for _, authz := range []string{"", "Bearer " + keyA} {
			status, h, body := f.do(t, "POST", path, authz, big)
			if status != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s (%q): %d, want 413", path, authz, status)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") ||
				!json.Valid(body) {
				t.Errorf("POST %s: 413 body is not JSON: %s", path, body)
			}
		}
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("oversized bodies made %d upstream calls", n)
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{mutate: func(c *config.Config) {
		c.CORSOrigins = []string{"https://app.test"}
	}})
	tests := []struct {
		origin string
		status int
		acao   string
	}{
		{"", 200, ""},
		{"https://app.test", 200, "https://app.test"},
		{"https://evil.test", 403, ""},
		{"https://app.test.evil.test", 403, ""},
		{"null", 403, ""},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/v1/devices", nil)
		req.Header.Set("Authorization", "Bearer "+keyA)
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status ||
			resp.Header.Get("Access-Control-Allow-Origin") != tc.acao {
			t.Errorf("Origin %q: %d ACAO %q, want %d %q", tc.origin, resp.StatusCode,
				resp.Header.Get("Access-Control-Allow-Origin"), tc.status, tc.acao)
		}
	}

	// The server's own origin on a loopback address passes; the same name
	// on another port does not.
	port := f.http.URL[strings.LastIndex(f.http.URL, ":")+1:]
	for _, tc := range []struct {
		host, origin string
		status       int
	}{
		{"localhost:" + port, "http://localhost:" + port, 200},
		{"127.0.0.1:" + port, "http://127.0.0.1:" + port, 200},
		{"localhost:" + port, "http://localhost:1", 403},
		{"localhost:" + port, "http://127.0.0.1:" + port, 403},
		{"xyte-mcp.test:" + port, "http://xyte-mcp.test:" + port, 403}, // DNS rebinding
	} {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/v1/devices", nil)
		req.Host = tc.host
		req.Header.Set("Authorization", "Bearer "+keyA)
		req.Header.Set("Origin", tc.origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("Host %s, Origin %s: %d, want %d", tc.host, tc.origin, resp.StatusCode, tc.status)
		}
	}

	req, _ := http.NewRequest(http.MethodOptions, f.http.URL+"/mcp", nil)
	req.Header.Set("Origin", "https://app.test")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Mcp-Session-Id") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestAllowAllCORS: with XYTE_ALLOW_ALL_CORS any origin passes and is
// answered with "*", never with the origin itself (no credentials).
func TestAllowAllCORS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{mutate: func(c *config.Config) { c.AllowAllCORS = true }})
	resp := getWithKey(t, f.http.URL+"/v1/devices", keyA, "Origin", "https://anyone.test")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Mcp-Session-Id") {
		t.Fatalf("any origin: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestOpenAPIListsEveryRoute checks every REST route the server registered
// against the OpenAPI document it serves.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{})
	status, _, body := f.do(t, "GET", "/v1/openapi.json", "", "")
	if status != 200 {
		t.Fatalf("GET /v1/openapi.json = %d", status)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	// The probes belong to the server, not to the REST API it documents.
	probe := map[string]bool{"/v1/healthz": true, "/v1/readyz": true, "/v1/metrics": true}
	n := 0
	for _, pattern := range f.srv.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || !strings.HasPrefix(path, "/v1/") || probe[path] {
			continue
		}
		n++
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", pattern)
		}
	}
	if n < 15 {
		t.Errorf("only %d REST routes registered", n)
	}
}

func TestNotFoundIsJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{})
	status, _, body := f.do(t, "GET", "/nothing/here", "", "")
	if status != 404 || errorCode(t, body) != "not_found" {
		t.Errorf("GET /nothing/here = %d %s", status, body)
	}
}

// TestGracefulShutdown starts a slow tool call, cancels the serve context,
// and checks that /readyz turns 503 at once, new requests are refused, the
// slow call still completes, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.APIKey = keyA
	cfg.BaseURL = "http://127.0.0.1:1"
	cfg.ShutdownTimeout = 5 * time.Second
	client, err := xyte.New(xyte.Options{BaseURL: cfg.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpserver.New(httpserver.Options{Config: cfg, MCP: testMCPServer(client),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	client2 := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "0"}, nil)
	cs, err := client2.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	slow := make(chan error, 1)
	go func() {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "slow",
			Arguments: map[string]any{"millis": 1500}})
		if err == nil && res.IsError {
			err = errors.New("slow tool failed")
		}
		slow <- err
	}()
	time.Sleep(300 * time.Millisecond)

	start := time.Now()
	cancel()
	waitFor(t, func() bool { return !srv.Ready() })
	rec := newRecorder()
	srv.Handler().ServeHTTP(rec, httpGet("/readyz"))
	if rec.status != 503 {
		t.Errorf("/readyz while draining = %d, want 503", rec.status)
	}
	rec = newRecorder()
	srv.Handler().ServeHTTP(rec, httpGet("/v1/devices"))
	if rec.status != 503 {
		t.Errorf("new request while draining = %d, want 503", rec.status)
	}
	if err := <-slow; err != nil {
		t.Errorf("in-flight call during shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("shutdown took %s", took)
	}
}

// TestShutdownEndsSessionStreams: in stateful mode, an open GET stream must
// not hold the drain until its timeout.
func TestShutdownEndsSessionStreams(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.APIKey = keyA
	cfg.BaseURL = "http://127.0.0.1:1"
	cfg.Sessions = true
	cfg.ShutdownTimeout = 10 * time.Second
	client, _ := xyte.New(xyte.Options{BaseURL: cfg.BaseURL})
	srv, err := httpserver.New(httpserver.Options{Config: cfg, MCP: testMCPServer(client)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "0"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: "http://" + ln.Addr().String() + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	time.Sleep(200 * time.Millisecond) // let the client open its GET stream
	start := time.Now()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v", err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("shutdown waited for the session stream")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("shutdown took %s", took)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type recorder struct {
	header http.Header
	status int
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.status = code }

func httpGet(path string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1"+path, http.NoBody)
	return req
}

var _ io.Writer = (*lockedbuf.Buffer)(nil)
