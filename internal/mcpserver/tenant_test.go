package mcpserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// multiTenant returns a server whose base client has no key, and sessions of
// tenants A and B that name their tenant through the context.
func multiTenant(t *testing.T) (*env, *mcp.ClientSession, *mcp.ClientSession) {
	t.Helper()
	e := newEnv(t, mcpserver.Options{Sessions: true})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, ""), Sessions: true})
	if err != nil {
		t.Fatal(err)
	}
	return e, tenantSession(t, srv, keyA), tenantSession(t, srv, keyB)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e, a, b := multiTenant(t)
	checkIsolation(t, e, a, b)
}

// checkIsolation checks that tenant A sees its own data and never B's.
func checkIsolation(t *testing.T, e *env, a, b *mcp.ClientSession) {
	t.Helper()
	bDevice, bTicket := e.b.DeviceIDs[0], e.b.TicketIDs[0]
	mustFail(t, a, "get_device", map[string]any{"device_id": bDevice}, "not_found", bDevice)
	mustFail(t, a, "get_ticket", map[string]any{"ticket_id": bTicket}, "not_found", bTicket)
	mustFail(t, a, "send_command", map[string]any{"device_id": bDevice, "name": "reboot"},
		"not_found")
	mustSucceed(t, b, "get_device", map[string]any{"device_id": bDevice})

	list := mustSucceed(t, a, "list_devices", map[string]any{"per_page": 100})
	for _, d := range list["devices"].([]any) {
		if id := d.(map[string]any)["id"].(string); !slices.Contains(e.a.DeviceIDs, id) {
			t.Errorf("tenant A lists device %s, not its own", id)
		}
	}
	for _, uri := range []string{"device://" + bDevice, "device://" + bDevice + "/commands",
		"ticket://" + bTicket} {
		if _, err := readResource(t, a, uri); err == nil {
			t.Errorf("tenant A reads %s of tenant B", uri)
		}
	}
	all, err := readResource(t, a, "devices://")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range e.b.DeviceIDs {
		if strings.Contains(all, id) {
			t.Errorf("devices:// of tenant A holds device %s of tenant B", id)
		}
	}
	org := mustSucceed(t, a, "get_organization_info", nil)
	wantField(t, org, "name", "Org A")
	if n := len(writes(ofKey(e.sim.Requests(), keyB))); n != 0 {
		t.Errorf("%d writes with tenant B's key", n)
	}
}

func TestTenantTasksAndContext(t *testing.T) {
	t.Parallel()
	e, a, b := multiTenant(t)
	task := mustSucceed(t, a, "send_command_async", map[string]any{"device_id": e.a.DeviceIDs[0],
		"name": "reboot"})
	mustSucceed(t, a, "get_task_status", map[string]any{"task_id": task["task_id"]})
	mustFail(t, b, "get_task_status", map[string]any{"task_id": task["task_id"]}, "not_found")

	mustSucceed(t, a, "set_context", map[string]any{"device_id": e.a.DeviceIDs[1]})
	mustFail(t, b, "get_device", nil, "invalid_params", "device_id")
	mustFail(t, b, "set_context", map[string]any{"device_id": e.a.DeviceIDs[1]}, "not_found")
	dev := mustSucceed(t, a, "get_device", nil)
	wantField(t, dev, "id", e.a.DeviceIDs[1])
}

// TestTenantOverHTTP serves the one shared server over stateless Streamable
// HTTP, where each request's bearer key names the tenant through its token
// info, and checks that the tenants stay apart.
func TestTenantOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, "")})
	if err != nil {
		t.Fatal(err)
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv.MCP() },
		&mcp.StreamableHTTPOptions{Stateless: true})
	verify := func(_ context.Context, key string, _ *http.Request) (*auth.TokenInfo, error) {
		return tenant.New(key).TokenInfo(), nil
	}
	ts := httptest.NewServer(auth.RequireBearerToken(verify,
		&auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h))
	t.Cleanup(ts.Close)

	a, b := httpSession(t, ts.URL, keyA), httpSession(t, ts.URL, keyB)
	checkIsolation(t, e, a, b)
	for _, r := range e.sim.Requests() {
		if r.KeyHash != xytesim.KeyHash(keyA) && r.KeyHash != xytesim.KeyHash(keyB) {
			t.Errorf("request %s %s with an unexpected key", r.Method, r.Path)
		}
	}
}

func httpSession(t *testing.T, url, key string) *mcp.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: bearer{key: key, next: http.DefaultTransport}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(
		context.Background(), &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, nil)
	if err != nil {
		t.Fatalf("connect over HTTP: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// bearer adds an Authorization header to each request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}

// TestSessionDefaultsOverHTTP: over stateful Streamable HTTP, a session's
// set_context defaults last across its requests, and another tenant's
// session does not see them.
func TestSessionDefaultsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, ""), Sessions: true})
	if err != nil {
		t.Fatal(err)
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv.MCP() }, nil)
	verify := func(_ context.Context, key string, _ *http.Request) (*auth.TokenInfo, error) {
		return tenant.New(key).TokenInfo(), nil
	}
	ts := httptest.NewServer(auth.RequireBearerToken(verify,
		&auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h))
	t.Cleanup(ts.Close)

	a, b := httpSession(t, ts.URL, keyA), httpSession(t, ts.URL, keyB)
	if a.ID() == "" {
		t.Fatal("the HTTP session has no id")
	}
	mustSucceed(t, a, "set_context", map[string]any{"device_id": e.a.DeviceIDs[0]})
	wantField(t, mustSucceed(t, a, "get_device", nil), "id", e.a.DeviceIDs[0])
	mustFail(t, b, "get_device", nil, "invalid_params", "device_id")
}
