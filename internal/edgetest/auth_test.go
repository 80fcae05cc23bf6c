package edgetest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
)

// authCase is one Authorization header sent to both surfaces, and what must
// come of it.
type authCase struct {
	name   string
	values []string // the Authorization headers sent; none: no header
	status int      // of the REST call and of the MCP connection
	org    string   // the organization served, on success
}

// statusTransport records the status of every answer an MCP client gets.
type statusTransport struct {
	base     http.RoundTripper
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
}

func (s *statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(r)
	if err == nil {
		s.mu.Lock()
		s.statuses = append(s.statuses, resp.StatusCode)
		s.headers = append(s.headers, resp.Header.Clone())
		s.mu.Unlock()
	}
	return resp, err
}

func (s *statusTransport) first() (int, http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.statuses) == 0 {
		return 0, nil
	}
	return s.statuses[0], s.headers[0]
}

// checkAuthCase sends tc to the REST API and, with the go-sdk client, to
// the MCP endpoint, and checks the status, the organization served, the
// error body and that a refused request reached no upstream.
func checkAuthCase(t *testing.T, e *env, tc authCase) {
	t.Helper()
	before := len(e.upstreamCalls())
	r := e.send(t, request{path: "/v1/organization",
		header: http.Header{"Authorization": tc.values}})
	if r.status != tc.status {
		t.Fatalf("REST: status %d, want %d: %s", r.status, tc.status, r)
	}
	checkAnswer(t, "REST", e, tc, r.status, r.header, r.body, before)
	if tc.org != "" && !strings.Contains(string(r.body), `"name":"`+tc.org+`"`) {
		t.Errorf("REST: served %s, want organization %q", r, tc.org)
	}

	before = len(e.upstreamCalls())
	st := &statusTransport{base: authTransport{tc.values, http.DefaultTransport}}
	client := mcp.NewClient(&mcp.Implementation{Name: "edgetest", Version: "0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: e.http.URL + "/mcp",
		HTTPClient: &http.Client{Transport: st}, MaxRetries: -1}, nil)
	status, header := st.first()
	if status != tc.status {
		t.Fatalf("MCP: first answer %d, want %d (connect error %v)", status, tc.status, err)
	}
	if tc.status != http.StatusOK {
		if err == nil {
			cs.Close()
			t.Fatal("MCP: connected with a refused header")
		}
		checkAnswer(t, "MCP", e, tc, status, header, nil, before)
		return
	}
	if err != nil {
		t.Fatalf("MCP: connect: %v", err)
	}
	defer cs.Close()
	res := callTool(t, cs, "get_organization_info", nil)
	if res.IsError || !strings.Contains(resultText(res), `"name":"`+tc.org+`"`) {
		t.Errorf("MCP: served %s, want organization %q", resultText(res), tc.org)
	}
}

// checkAnswer checks a refusal: a JSON body with the documented code, the
// WWW-Authenticate challenge, no key in the answer and no upstream call.
func checkAnswer(t *testing.T, surface string, e *env, tc authCase, status int,
	h http.Header, body []byte, before int) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("%s: status %d", surface, status)
	}
	for _, k := range []string{keyA, keyB} {
		if strings.Contains(string(body), k) {
			t.Errorf("%s: answer holds a key: %s", surface, body)
		}
	}
	if status == http.StatusOK {
		return
	}
	if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s: %d without a Bearer challenge: %q", surface, status,
			h.Get("WWW-Authenticate"))
	}
	if body != nil {
		want := map[int]string{401: "missing_xyte_key", 403: "invalid_token"}[status]
		var eb struct{ Error, Message string }
		if err := json.Unmarshal(body, &eb); err != nil || eb.Error != want || eb.Message == "" {
			t.Errorf("%s: body %s, want error %q with a message", surface, body, want)
		}
	}
	if n := len(e.upstreamCalls()) - before; n != 0 {
		t.Errorf("%s: a refused request made %d upstream calls", surface, n)
	}
}

// TestRoadmapAuthCases is road-map item 1.5 for REST and for MCP: a
// multi-tenant server answers 401 without a header and 200 with one; a
// single-tenant server answers 200 without a header and 403 to a wrong one.
// MCP runs with and without sessions.
func TestRoadmapAuthCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		serverKey string
		authCase
	}{
		{"", authCase{"multi-tenant without header", nil, 401, ""}},
		{"", authCase{"multi-tenant with header", []string{"Bearer " + keyA}, 200, orgA}},
		{keyB, authCase{"single-tenant without header", nil, 200, orgB}},
		{keyB, authCase{"single-tenant with wrong header", []string{"Bearer " + keyA}, 403, ""}},
	}
	for _, tt := range tests {
		for _, sessions := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sessions=%v", tt.name, sessions), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, envOpts{serverKey: tt.serverKey, sessions: sessions})
				checkAuthCase(t, e, tt.authCase)
			})
		}
	}
}

// TestB08AuthorizationHeaderVariants sends every Authorization variant of
// field report B08 to REST and to MCP, in both tenancy modes: the scheme is
// matched in any case with spaces tolerated, the bare key is accepted (as
// documented), and empty, whitespace-only, scheme-only, duplicate and
// comma-joined values get 401 with a JSON body and a Bearer challenge, never
// a 5xx and never an upstream call. In single-tenant mode a well-formed
// header naming another key, or another scheme, is 403.
func TestB08AuthorizationHeaderVariants(t *testing.T) {
	t.Parallel()
	variants := []struct {
		name   string
		values []string
		multi  int // status in multi-tenant mode
		single int // status in single-tenant mode, server key A
	}{
		{"Bearer key", []string{"Bearer " + keyA}, 200, 200},
		{"lowercase bearer", []string{"bearer " + keyA}, 200, 200},
		{"uppercase bearer, spaces", []string{"BEARER   " + keyA}, 200, 200},
		{"bare key", []string{keyA}, 200, 200},
		{"surrounding spaces", []string{"  Bearer " + keyA + "  "}, 200, 200},
		{"tab after scheme", []string{"Bearer\t" + keyA}, 200, 200},
		{"other tenant's key", []string{"Bearer " + keyB}, 200, 403},
		{"Basic scheme", []string{"Basic " + keyA}, 401, 403},
		{"scheme only", []string{"Bearer"}, 401, 401},
		{"scheme and space", []string{"Bearer "}, 401, 401},
		{"scheme, tab and space", []string{"Bearer \t "}, 401, 401},
		{"empty header", []string{""}, 401, 401},
		{"spaces only", []string{"   "}, 401, 401},
		{"two headers, same key", []string{"Bearer " + keyA, "Bearer " + keyA}, 401, 401},
		{"two headers, two keys", []string{"Bearer " + keyA, "Bearer " + keyB}, 401, 401},
		{"comma-joined", []string{"Bearer " + keyA + ",Bearer " + keyB}, 401, 401},
		{"key with a space", []string{"Bearer " + keyA + " x"}, 401, 403},
		{"non-ASCII key", []string{"Bearer xk_ü_key"}, 401, 403},
		{"no header", nil, 401, 200},
	}
	for _, mode := range []struct {
		name      string
		serverKey string
	}{{"multi-tenant", ""}, {"single-tenant", keyA}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{serverKey: mode.serverKey})
			for _, v := range variants {
				status := v.multi
				if mode.serverKey != "" {
					status = v.single
				}
				org := ""
				if status == 200 {
					org = orgA
					if mode.serverKey == "" && v.name == "other tenant's key" {
						org = orgB
					}
				}
				t.Run(v.name, func(t *testing.T) {
					checkAuthCase(t, e, authCase{v.name, v.values, status, org})
				})
			}
		})
	}
}

// TestRequireAuth: XYTE_REQUIRE_AUTH makes the header mandatory on a
// single-tenant server, which otherwise lets callers without one act with
// its key.
func TestRequireAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{serverKey: keyA,
		mutate: func(c *config.Config) { c.RequireAuth = true }})
	for _, tc := range []authCase{
		{"no header", nil, 401, ""},
		{"server key", []string{"Bearer " + keyA}, 200, orgA},
		{"bare server key", []string{keyA}, 200, orgA},
		{"other key", []string{"Bearer " + keyB}, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAuthCase(t, e, tc) })
	}
}

// TestModeLoggedAtStart: the tenancy mode is logged once when serving
// starts, and a single-tenant server without XYTE_REQUIRE_AUTH that listens
// beyond loopback warns that anyone reaching it acts with its key.
func TestModeLoggedAtStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		serverKey string
		require   bool
		addr      string // the address the listener reports
		mode      string
		warn      bool
	}{
		{"multi-tenant, all interfaces", "", false, "0.0.0.0:8080", "multi-tenant", false},
		{"single-tenant, loopback", keyA, false, "127.0.0.1:8080", "single-tenant", false},
		{"single-tenant, all interfaces", keyA, false, "[::]:8080", "single-tenant", true},
		{"single-tenant, LAN address", keyA, false, "192.0.2.7:8080", "single-tenant", true},
		{"single-tenant, auth required", keyA, true, "0.0.0.0:8080", "single-tenant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := serveBriefly(t, tt.serverKey, tt.require, tt.addr)
			modes, warnings := 0, 0
			for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
				var entry map[string]any
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Fatalf("log line %q is not JSON", line)
				}
				if m, ok := entry["mode"]; ok {
					modes++
					if m != tt.mode {
						t.Errorf("mode %v, want %s", m, tt.mode)
					}
				}
				if entry["level"] == "WARN" && strings.Contains(line, "XYTE_REQUIRE_AUTH") {
					warnings++
				}
			}
			if modes != 1 || (warnings == 1) != tt.warn || warnings > 1 {
				t.Errorf("%d mode lines and %d warnings, want 1 and %v:\n%s", modes, warnings,
					tt.warn, logs)
			}
			if strings.Contains(logs, keyA) {
				t.Error("the start log holds the key")
			}
		})
	}
}

// serveBriefly serves on a loopback listener that reports addr as its
// address, so that the start checks see a wider bind than the test makes,
// and returns the log of starting and stopping.
func serveBriefly(t *testing.T, serverKey string, require bool, addr string) string {
	t.Helper()
	cfg := config.Defaults()
	cfg.APIKey, cfg.RequireAuth = serverKey, require
	cfg.BaseURL = "http://127.0.0.1:1"
	cfg.ShutdownTimeout = time.Second
	logs := &lockedbuf.Buffer{}
	sv, err := server.New(server.Options{Config: cfg, Version: "test",
		Logger: logging.New(logs, slog.LevelDebug, cfg.APIKey)})
	if err != nil {
		t.Fatal(err)
	}
	defer sv.Close()
	srv, err := sv.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reported, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, addrListener{ln, reported}) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return logs.String()
}

// addrListener is a listener that reports another address than its own.
type addrListener struct {
	net.Listener
	addr net.Addr
}

func (l addrListener) Addr() net.Addr { return l.addr }

// TestServerLimits runs the server as serve does, on its own http.Server,
// and checks the limits that live there: a header block over the limit is
// refused with 431 before any handler runs.
func TestServerLimits(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.BaseURL = "http://127.0.0.1:1"
	sv, err := server.New(server.Options{Config: cfg, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sv.Close()
	srv, err := sv.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/v1/devices", nil)
	req.Header.Set("Authorization", "Bearer "+keyA)
	req.Header.Set("X-Padding", strings.Repeat("p", 200<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 200 KiB header block: %d, want 431", resp.StatusCode)
	}
}
