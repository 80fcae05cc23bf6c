package httpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// Keys of the two simulated organizations. They are made up for the tests.
const (
	keyA = "xk_test_A_0123456789"
	keyB = "xk_test_B_9876543210"
)

// fixture is a server under test in front of a simulator with two orgs.
type fixture struct {
	sim    *xytesim.Server
	srv    *httpserver.Server
	http   *httptest.Server
	logBuf *lockedbuf.Buffer
}

type fixtureOpts struct {
	single    bool // single-tenant with keyA
	sessions  bool
	mutate    func(*config.Config)
	limiter   ratelimit.Limiter
	onLimited func()
	ready     func(context.Context) error
	intake    http.Handler // POST /v1/events and /v1/webhook
	stream    http.Handler // GET /v1/events
}

func newFixture(t *testing.T, o fixtureOpts) *fixture {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{
		{Key: keyA, Name: "Org A"}, {Key: keyB, Name: "Org B"}}})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)

	cfg := config.Defaults()
	cfg.BaseURL = up.URL
	cfg.Sessions = o.sessions
	cfg.ShutdownTimeout = 5 * time.Second
	if o.single {
		cfg.APIKey = keyA
	}
	if o.mutate != nil {
		o.mutate(&cfg)
	}
	client, err := xyte.New(xyte.Options{BaseURL: cfg.BaseURL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ms := testMCPServer(client)
	logBuf := &lockedbuf.Buffer{}
	logger := logging.New(logBuf, slog.LevelDebug)
	srv, err := httpserver.New(httpserver.Options{
		Config: cfg, MCP: ms, Logger: logger, Limiter: o.limiter, OnLimited: o.onLimited,
		REST:  rest.New(rest.Options{Client: client, MCP: ms, Logger: logger}),
		Ready: o.ready, EventIntake: o.intake, EventStream: o.stream,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &fixture{sim: sim, srv: srv, http: hs, logBuf: logBuf}
}

// tenantOut is the answer of the test tools.
type tenantOut struct {
	Tenant string `json:"tenant"`
	Org    string `json:"org,omitempty"`
}

type slowIn struct {
	Millis int `json:"millis"`
}

// testMCPServer is a small MCP server whose tools report the tenant they
// run for, the way the product's handlers find it: req.Extra.TokenInfo.
func testMCPServer(client *xyte.Client) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami"}, func(ctx context.Context, req *mcp.CallToolRequest,
		_ struct{}) (*mcp.CallToolResult, tenantOut, error) {
		t, _ := tenant.FromTokenInfo(req.Extra.TokenInfo)
		return nil, tenantOut{Tenant: t.ID()}, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "org_name"}, func(ctx context.Context,
		req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, tenantOut, error) {
		t, ok := tenant.FromTokenInfo(req.Extra.TokenInfo)
		if !ok {
			return nil, tenantOut{}, errNoTenant
		}
		info, err := client.WithKey(t.Key()).OrganizationInfo(ctx)
		if err != nil {
			return nil, tenantOut{}, err
		}
		return nil, tenantOut{Tenant: t.ID(), Org: info.Name}, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "slow"}, func(ctx context.Context, req *mcp.CallToolRequest,
		in slowIn) (*mcp.CallToolResult, tenantOut, error) {
		select {
		case <-time.After(time.Duration(in.Millis) * time.Millisecond):
		case <-ctx.Done():
			return nil, tenantOut{}, ctx.Err()
		}
		t, _ := tenant.FromTokenInfo(req.Extra.TokenInfo)
		return nil, tenantOut{Tenant: t.ID()}, nil
	})
	return s
}

type testError string

func (e testError) Error() string { return string(e) }

const errNoTenant = testError("no tenant")

// authTransport adds an Authorization header to every request.
type authTransport struct {
	value string
	base  http.RoundTripper
}

func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if a.value != "" {
		r.Header.Set("Authorization", a.value)
	}
	return a.base.RoundTrip(r)
}

// connect opens a go-sdk client session to the server's /mcp with the
// given Authorization value ("" sends none).
func (f *fixture) connect(t *testing.T, authz string) (*mcp.ClientSession, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "0"}, nil)
	transport := &mcp.StreamableClientTransport{
		Endpoint:   f.http.URL + "/mcp",
		HTTPClient: &http.Client{Transport: authTransport{authz, http.DefaultTransport}},
	}
	cs, err := client.Connect(ctx, transport, nil)
	if err == nil {
		t.Cleanup(func() { _ = cs.Close() })
	}
	return cs, err
}

// callTenant calls a test tool and returns its structured answer.
func callTenant(t *testing.T, cs *mcp.ClientSession, tool string, args any) tenantOut {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("call %s: tool error %+v", tool, res.Content)
	}
	var out tenantOut
	data, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("call %s: decode %s: %v", tool, data, err)
	}
	return out
}

// do sends a request to the server and returns the status and body.
func (f *fixture) do(t *testing.T, method, path, authz, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.http.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return send(t, req)
}

// send sends req and returns the answer's status, header and whole body.
func send(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// errorCode returns the "error" field of a JSON error body.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e rest.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	return e.Error
}
