package httpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func TestRESTAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		single bool
		authz  string
		status int
		code   string
	}{
		{"multi no header", false, "", 401, "missing_xyte_key"},
		{"multi bare key", false, keyA, 200, ""},
		{"multi bearer key", false, "Bearer " + keyA, 200, ""},
		{"multi lowercase bearer", false, "bearer   " + keyA, 200, ""},
		{"multi empty bearer", false, "Bearer ", 401, "missing_xyte_key"},
		{"multi basic scheme", false, "Basic " + keyA, 401, "missing_xyte_key"},
		{"multi comma joined", false, "Bearer " + keyA + ",Bearer " + keyB, 401,
			"missing_xyte_key"},
		{"multi unknown key", false, "Bearer xk_unknown", 401, "unauthorized"},
		{"single no header", true, "", 200, ""},
		{"single same key", true, "Bearer " + keyA, 200, ""},
		{"single wrong key", true, "Bearer " + keyB, 403, "invalid_token"},
		{"single malformed", true, "Basic abc", 403, "invalid_token"},
		// A header that lost its key, or holds several, is refused even where
		// no header at all would do.
		{"single empty bearer", true, "Bearer ", 401, "missing_xyte_key"},
		{"single two keys", true, "Bearer " + keyA + ",Bearer " + keyA, 401, "missing_xyte_key"},
		{"single, auth required: no header", true, "", 401, "missing_xyte_key"},
		{"single, auth required: same key", true, "Bearer " + keyA, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			required := strings.Contains(tc.name, "auth required")
			f := newFixture(t, fixtureOpts{single: tc.single,
				mutate: func(c *config.Config) { c.RequireAuth = required }})
			status, h, body := f.do(t, "GET", "/v1/devices", tc.authz, "")
			if status != tc.status {
				t.Fatalf("status = %d, want %d; body %s", status, tc.status, body)
			}
			if tc.code != "" && errorCode(t, body) != tc.code {
				t.Errorf("error = %s, want %s", body, tc.code)
			}
			upstream := len(f.sim.Requests())
			switch {
			case tc.status == 401 && tc.code == "missing_xyte_key":
				if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", h.Get("WWW-Authenticate"))
				}
				fallthrough
			case tc.code == "invalid_token":
				if upstream != 0 {
					t.Errorf("refused request made %d upstream calls", upstream)
				}
			}
			for _, k := range []string{keyA, keyB} {
				if strings.Contains(string(body), k) {
					t.Errorf("answer holds a key: %s", body)
				}
			}
		})
	}
}

func TestMCPAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		single  bool
		authz   string
		wantErr string // substring of the connect error; "" for success
		tenant  string
	}{
		{"multi no header", false, "", "Unauthorized", ""},
		{"multi with header", false, "Bearer " + keyB, "", tenant.Hash(keyB)},
		{"multi bare header", false, keyA, "", tenant.Hash(keyA)},
		{"single no header", true, "", "", tenant.Hash(keyA)},
		{"single wrong header", true, "Bearer " + keyB, "Forbidden", ""},
	}
	for _, tc := range tests {
		for _, sessions := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sessions=%v", tc.name, sessions), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, fixtureOpts{single: tc.single, sessions: sessions})
				cs, err := f.connect(t, tc.authz)
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("connect error = %v, want %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				got := callTenant(t, cs, "whoami", map[string]any{})
				if got.Tenant != tc.tenant {
					t.Errorf("tenant = %q, want %q", got.Tenant, tc.tenant)
				}
			})
		}
	}
}

// TestTenantIsolation runs both tenants at once over MCP and REST: each
// request must act with its own key and see its own organization.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	for _, sessions := range []bool{false, true} {
		t.Run(fmt.Sprintf("sessions=%v", sessions), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOpts{sessions: sessions})
			csA, err := f.connect(t, "Bearer "+keyA)
			if err != nil {
				t.Fatal(err)
			}
			csB, err := f.connect(t, keyB)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() { checkOrg(t, csA, "Org A", keyA) })
				wg.Go(func() { checkOrg(t, csB, "Org B", keyB) })
				wg.Go(func() { checkRESTOrg(t, f, keyA, "Org A") })
				wg.Go(func() { checkRESTOrg(t, f, "Bearer "+keyB, "Org B") })
			}
			wg.Wait()
		})
	}
}

func checkOrg(t *testing.T, cs *mcp.ClientSession, org, key string) {
	got := callTenant(t, cs, "org_name", map[string]any{})
	if got.Org != org || got.Tenant != tenant.Hash(key) {
		t.Errorf("got %+v, want org %q tenant %q", got, org, tenant.Hash(key))
	}
}

func checkRESTOrg(t *testing.T, f *fixture, authz, org string) {
	status, _, body := f.do(t, "GET", "/v1/organization", authz, "")
	if status != 200 || !strings.Contains(string(body), `"name":"`+org+`"`) {
		t.Errorf("GET /v1/organization = %d %s, want org %q", status, body, org)
	}
}

// TestSessionBoundToTenant: in stateful mode a session opened by one tenant
// is unknown to another tenant: 404, as for a session that never existed.
func TestSessionBoundToTenant(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{sessions: true})
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":` +
		`"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	resp := postMCP(t, f, "Bearer "+keyA, "", init)
	sid := resp.Header.Get("Mcp-Session-Id")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || sid == "" {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, sid)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	resp = postMCP(t, f, "Bearer "+keyB, sid, list)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("tenant B with tenant A's session: status %d, want 404", resp.StatusCode)
	}
}

func postMCP(t *testing.T, f *fixture, authz, sid, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, f.http.URL+"/mcp",
		strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", authz)
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestMCPEdgeAnswersInJSONRPC: every refusal on /mcp is a JSON-RPC error
// that echoes the request's id; a notification is never answered with one.
func TestMCPEdgeAnswersInJSONRPC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		sessions bool
		sid      string
		body     string
		status   int
		code     int // 0: no body expected
		id       string
	}{
		{"not JSON", false, "", `{"jsonrpc":`, 400, -32700, "null"},
		{"params not an object", false, "", `{"jsonrpc":"2.0","id":7,"method":"tools/list","params":5}`,
			400, -32600, "7"},
		{"unknown method", false, "", `{"jsonrpc":"2.0","id":8,"method":"no/such"}`, 200, -32601, "8"},
		{"unknown notification", false, "", `{"jsonrpc":"2.0","method":"notifications/no_such"}`, 202, 0, ""},
		{"no session", true, "", `{"jsonrpc":"2.0","id":"a","method":"tools/list"}`, 400, -32600, `"a"`},
		{"unknown session", true, "nope", `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`, 404, -32001, "9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOpts{sessions: tt.sessions})
			resp := postMCP(t, f, "Bearer "+keyA, tt.sid, tt.body)
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, data)
			}
			if tt.code == 0 {
				if len(data) != 0 {
					t.Fatalf("a notification got a body: %s", data)
				}
				return
			}
			var e struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   struct{ Code int }
			}
			if err := json.Unmarshal(data, &e); err != nil || e.JSONRPC != "2.0" || e.Error.Code != tt.code ||
				string(e.ID) != tt.id {
				t.Fatalf("body %s (%v), want code %d id %s", data, err, tt.code, tt.id)
			}
		})
	}
}
