package edgetest

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// Keys of the simulated organizations. They are made up for the tests.
const (
	keyA = "xk_test_A_51c0ffee"
	keyB = "xk_test_B_d00dfeed"
	// canary is the key whose every fragment must stay out of every output.
	canary = "xk_CANARY_7f3a"
)

const (
	orgA = "Org Alpha"
	orgB = "Org Bravo"
)

// initBody is an initialize request at a protocol version with sessions.
const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":` +
	`"2025-06-18","capabilities":{},"clientInfo":{"name":"edgetest","version":"0"}}}`

// env is one real server in front of a simulator with three organizations.
type env struct {
	sim            *xytesim.Server
	upstreamServer *httptest.Server
	srv            *httpserver.Server
	http           *httptest.Server
	cfg            config.Config
	logs           *lockedbuf.Buffer
}

// envOpts changes the environment of a test.
type envOpts struct {
	// serverKey, when set, makes the server single-tenant with this key.
	serverKey string
	sessions  bool
	// mutate changes the configuration last.
	mutate func(*config.Config)
	// upstream wraps the simulator, to stage answers it cannot give.
	upstream func(http.Handler) http.Handler
	// level is the log level; the zero value is info, so tests that read the
	// logs set debug themselves.
	level slog.Level
}

// newEnv starts a server the way `xyte-mcp serve` builds it.
func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{
		{Key: keyA, Name: orgA}, {Key: keyB, Name: orgB}, {Key: canary, Name: "Org Charlie"}},
		CommandDelay: time.Nanosecond})
	var up http.Handler = sim
	if o.upstream != nil {
		up = o.upstream(sim)
	}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)

	cfg := config.Defaults()
	cfg.BaseURL = upstream.URL
	cfg.APIKey = o.serverKey
	cfg.Sessions = o.sessions
	cfg.LogLevel = o.level
	cfg.UpstreamTimeout = 3 * time.Second
	cfg.ShutdownTimeout = 2 * time.Second
	cfg.RateLimit = 0
	if o.mutate != nil {
		o.mutate(&cfg)
	}
	logs := &lockedbuf.Buffer{}
	logger := logging.New(logs, cfg.LogLevel, cfg.APIKey, cfg.PartnerKey)
	sv, err := server.New(server.Options{Config: cfg, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sv.Close)
	srv, err := sv.HTTP()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &env{sim: sim, upstreamServer: upstream, srv: srv, http: hs, cfg: cfg, logs: logs}
}

// reply is a finished HTTP exchange.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return string(r.body) }

// request is an HTTP request to the server under test.
type request struct {
	method string
	path   string
	body   string
	// header values; a key with several values sends several headers.
	header http.Header
	// chunked sends the body without a Content-Length.
	chunked bool
	// host, when set, is sent as the Host header.
	host string
}

// send sends req and reads the whole answer; a failed exchange fails the
// test.
func (e *env) send(t testing.TB, req request) reply {
	t.Helper()
	r, err := e.try(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// try sends req and reads the whole answer. It is safe to call from any
// goroutine.
func (e *env) try(req request) (reply, error) {
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
		if req.chunked {
			// A reader of unknown length makes the client send it chunked.
			body = io.MultiReader(body)
		}
	}
	method := req.method
	if method == "" {
		method = http.MethodGet
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, method, e.http.URL+req.path, body)
	if err != nil {
		return reply{}, err
	}
	for k, vs := range req.header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if req.host != "" {
		hr.Host = req.host
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, req.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read answer: %w", method, req.path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// get sends GET path with an Authorization value ("" sends none).
func (e *env) get(t testing.TB, path, authz string) reply {
	t.Helper()
	return e.send(t, request{path: path, header: authHeader(authz)})
}

// postMCP sends one JSON-RPC body to /mcp as an MCP client would.
func (e *env) postMCP(t testing.TB, authz, body string, extra ...string) reply {
	t.Helper()
	h := mcpHeader(authz)
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return e.send(t, request{method: http.MethodPost, path: "/mcp", body: body, header: h})
}

func authHeader(authz string) http.Header {
	h := http.Header{}
	if authz != "" {
		h.Set("Authorization", authz)
	}
	return h
}

func mcpHeader(authz string) http.Header {
	h := authHeader(authz)
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	return h
}

// rpcAnswer is a JSON-RPC response.
type rpcAnswer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// rpc decodes the one JSON-RPC response of an answer, whether it came as
// JSON or as the data of a server-sent event.
func rpc(t testing.TB, r reply) rpcAnswer {
	t.Helper()
	data := r.body
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
		data = nil
		for _, line := range strings.Split(string(r.body), "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				data = []byte(d)
			}
		}
	}
	var a rpcAnswer
	if err := json.Unmarshal(data, &a); err != nil || a.JSONRPC != "2.0" {
		t.Fatalf("answer %d is not a JSON-RPC response (%v): %q", r.status, err, r.body)
	}
	return a
}

// errorCode returns the "error" field of a JSON error body.
func errorCode(t testing.TB, r reply) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("answer %d is not a JSON error body: %q", r.status, r.body)
	}
	return e.Error
}

// authTransport sets an Authorization value on every request.
type authTransport struct {
	values []string // none: no header; several: several headers
	base   http.RoundTripper
}

func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("Authorization")
	for _, v := range a.values {
		r.Header.Add("Authorization", v)
	}
	return a.base.RoundTrip(r)
}

// connect opens a go-sdk client session to /mcp with the given
// Authorization values.
func (e *env) connect(t testing.TB, values ...string) (*mcp.ClientSession, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "edgetest", Version: "0"}, nil)
	transport := &mcp.StreamableClientTransport{
		Endpoint:   e.http.URL + "/mcp",
		HTTPClient: &http.Client{Transport: authTransport{values, http.DefaultTransport}},
		MaxRetries: -1,
	}
	cs, err := client.Connect(ctx, transport, nil)
	if err == nil {
		t.Cleanup(func() { _ = cs.Close() })
	}
	return cs, err
}

// mustConnect is connect that fails the test on an error.
func (e *env) mustConnect(t testing.TB, values ...string) *mcp.ClientSession {
	t.Helper()
	cs, err := e.connect(t, values...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return cs
}

// callTool calls a tool and returns its result; a protocol error fails.
func callTool(t testing.TB, cs *mcp.ClientSession, name string,
	args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// resultText returns the whole visible content of a tool result.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	if res.StructuredContent != nil {
		data, _ := json.Marshal(res.StructuredContent)
		b.Write(data)
	}
	return b.String()
}

// upstreamCalls returns the requests the simulator received.
func (e *env) upstreamCalls() []xytesim.Request { return e.sim.Requests() }
