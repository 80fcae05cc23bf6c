package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// Keys of the two simulated organizations.
const (
	keyA = "key-org-a"
	keyB = "key-org-b"
)

// env is a server under test, with the simulator as its upstream.
type env struct {
	sim    *xytesim.Server
	url    string
	server *mcpserver.Server
	cs     *mcp.ClientSession // a session of tenant A
	a, b   xytesim.Snapshot
}

// newEnv starts a simulator with two organizations and a server whose base
// client carries tenant A's key (as a stdio or single-tenant server does),
// with Sessions on unless opts says otherwise.
func newEnv(t *testing.T, opts mcpserver.Options) *env {
	t.Helper()
	return newEnvDelay(t, opts, time.Nanosecond)
}

// newEnvDelay is newEnv with commands that stay pending for delay.
func newEnvDelay(t *testing.T, opts mcpserver.Options, delay time.Duration) *env {
	t.Helper()
	sim := xytesim.New(xytesim.Config{
		Orgs:         []xytesim.Org{{Key: keyA, Name: "Org A"}, {Key: keyB, Name: "Org B"}},
		CommandDelay: delay,
	})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	e := &env{sim: sim, url: ts.URL}
	e.a, _ = sim.Snapshot(keyA)
	e.b, _ = sim.Snapshot(keyB)
	if opts.Client == nil {
		opts.Client = newClient(t, ts.URL, keyA)
		opts.ServerKey = keyA
	}
	srv, err := mcpserver.New(opts)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	e.server = srv
	e.cs = connect(t, srv, context.Background())
	return e
}

func newClient(t *testing.T, url, key string) *xyte.Client {
	t.Helper()
	c, err := xyte.New(xyte.Options{BaseURL: url, Key: key})
	if err != nil {
		t.Fatalf("new xyte client: %v", err)
	}
	return c
}

// connect opens an in-memory session; ctx is the server side's context, so
// it may carry a tenant.
func connect(t *testing.T, srv *mcpserver.Server, ctx context.Context) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, st, nil)
	if err != nil {
		t.Fatalf("connect server: %v", err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
		Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatalf("connect client: %v", err)
	}
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return cs
}

// tenantSession opens a session whose server context names a tenant.
func tenantSession(t *testing.T, srv *mcpserver.Server, key string) *mcp.ClientSession {
	t.Helper()
	return connect(t, srv, tenant.NewContext(context.Background(), tenant.New(key)))
}

// callTool calls a tool; a protocol error fails the test.
func callTool(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// mustSucceed calls a tool that must succeed and returns its structured
// content as JSON values.
func mustSucceed(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) map[string]any {
	t.Helper()
	res := callTool(t, cs, name, args)
	if res.IsError {
		t.Fatalf("call %s: error result: %s", name, text(res))
	}
	var out map[string]any
	remarshal(t, res.StructuredContent, &out)
	return out
}

// mustFail calls a tool that must fail with code and a text that contains
// every want.
func mustFail(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any, code string,
	want ...string) {
	t.Helper()
	res := callTool(t, cs, name, args)
	if !res.IsError {
		t.Fatalf("call %s: succeeded, want %s error", name, code)
	}
	msg := text(res)
	if !strings.HasPrefix(msg, code+": ") {
		t.Errorf("call %s: text %q does not start with %q", name, msg, code+": ")
	}
	meta, _ := res.Meta[mcpserver.ErrorMetaKey].(map[string]any)
	if meta["code"] != code {
		t.Errorf("call %s: _meta code %v, want %s", name, meta["code"], code)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("call %s: text %q does not mention %q", name, msg, w)
		}
	}
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func remarshal(t *testing.T, from, to any) {
	t.Helper()
	data, err := json.Marshal(from)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if err := json.Unmarshal(data, to); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
}

// writes returns the requests that would change the upstream (not GET).
func writes(reqs []xytesim.Request) []xytesim.Request {
	var out []xytesim.Request
	for _, r := range reqs {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r)
		}
	}
	return out
}

// ofKey returns the requests sent with one key.
func ofKey(reqs []xytesim.Request, key string) []xytesim.Request {
	var out []xytesim.Request
	for _, r := range reqs {
		if r.KeyHash == xytesim.KeyHash(key) {
			out = append(out, r)
		}
	}
	return out
}

// readResource reads a resource and returns its text.
func readResource(t *testing.T, cs *mcp.ClientSession, uri string) (string, error) {
	t.Helper()
	res, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		return "", err
	}
	if len(res.Contents) != 1 {
		t.Fatalf("read %s: %d contents, want 1", uri, len(res.Contents))
	}
	return res.Contents[0].Text, nil
}

// roomOf returns the path of a room of the org with at least one device of a
// kind whose name holds word, and that device.
func roomWith(t *testing.T, cs *mcp.ClientSession, word string) (room, deviceID, path string) {
	t.Helper()
	out := mustSucceed(t, cs, "list_devices", map[string]any{"name_contains": word, "per_page": 100})
	for _, d := range out["devices"].([]any) {
		dev := d.(map[string]any)
		p, _ := dev["space_path"].(string)
		if strings.Count(p, "/") >= 3 {
			parts := strings.Split(p, "/")
			return strings.Join(parts[1:], "/"), dev["id"].(string), p
		}
	}
	t.Fatalf("no room with a %s", word)
	return "", "", ""
}
