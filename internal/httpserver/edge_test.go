package httpserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func TestReadyzAsksReadyFunc(t *testing.T) {
	t.Parallel()
	var storeDown atomic.Bool
	storeDown.Store(true)
	f := newFixture(t, fixtureOpts{ready: func(context.Context) error {
		if storeDown.Load() {
			return errors.New("task store unreachable")
		}
		return nil
	}})
	for _, want := range []struct {
		status int
		body   string
	}{{503, `{"status":"not ready"}`}, {200, `{"status":"ready"}`}} {
		status, _, body := f.do(t, "GET", "/readyz", "", "")
		if status != want.status || strings.TrimSpace(string(body)) != want.body {
			t.Errorf("/readyz = %d %s, want %d %s", status, body, want.status, want.body)
		}
		storeDown.Store(false)
	}
	if strings.Contains(f.logBuf.String(), "unreachable") {
		t.Error("the readiness failure reached the request log")
	}
}

// TestEventRoutes: the event intake and stream sit behind authentication
// and store each event for the caller's own tenant.
func TestEventRoutes(t *testing.T) {
	t.Parallel()
	bus := events.NewMemoryBus(events.Options{})
	intake, err := events.NewIntake(events.IntakeOptions{Bus: bus})
	if err != nil {
		t.Fatal(err)
	}
	stream, err := events.NewStream(events.StreamOptions{Bus: bus})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, fixtureOpts{intake: intake, stream: stream})
	for _, path := range []string{"/v1/events", "/v1/webhook"} {
		if status, _, body := f.do(t, "POST", path, "", `{"type":"x"}`); status != 401 ||
			errorCode(t, body) != rest.CodeMissingKey {
			t.Errorf("POST %s without a key = %d %s", path, status, body)
		}
		if status, _, body := f.do(t, "POST", path, "Bearer "+keyA, `{"type":"device.offline"}`); status != 202 {
			t.Errorf("POST %s = %d %s, want 202", path, status, body)
		}
	}
	ctx := context.Background()
	if evs, _ := bus.Since(ctx, tenant.Hash(keyA), "0", 0); len(evs) != 2 {
		t.Errorf("tenant A has %d events, want 2", len(evs))
	}
	if evs, _ := bus.Since(ctx, tenant.Hash(keyB), "0", 0); len(evs) != 0 {
		t.Errorf("tenant B has %d events, want none", len(evs))
	}
	if status, _, body := f.do(t, "GET", "/v1/events", "", ""); status != 401 {
		t.Errorf("GET /v1/events without a key = %d %s", status, body)
	}

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, f.http.URL+"/v1/events?after=0", nil)
	req.Header.Set("Authorization", keyA)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var types []string
	for len(types) < 2 && sc.Scan() {
		if typ, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			types = append(types, typ)
		}
	}
	if resp.Header.Get("Content-Type") != "text/event-stream" || len(types) != 2 ||
		types[0] != "device.offline" {
		t.Fatalf("stream: %s, events %v", resp.Header.Get("Content-Type"), types)
	}
}

// misbehaving stands in for a handler with a bug, chosen by ?do=.
var misbehaving = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("do") {
	case "panic":
		panic("card number 4111-1111") // a value that must never be logged
	case "abort":
		panic(http.ErrAbortHandler)
	case "flush then 500":
		w.(http.Flusher).Flush()
		w.WriteHeader(http.StatusInternalServerError) // superfluous: 200 is on the wire
	case "nothing":
	}
})

// TestHandlerFaults: a panic is a JSON 500, logged once without its value;
// an aborted handler drops the connection; and the request log records the
// status the client got.
func TestHandlerFaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{intake: misbehaving})
	status, _, body := f.do(t, "POST", "/v1/events?do=panic", keyA, `{}`)
	if status != 500 || errorCode(t, body) != rest.CodeInternal {
		t.Errorf("panic: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/v1/events?do=abort", strings.NewReader(`{}`))
	req.Header.Set("Authorization", keyA)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("abort: answered %d, want the connection dropped", resp.StatusCode)
	}
	for _, do := range []string{"flush%20then%20500", "nothing"} {
		if status, _, _ := f.do(t, "POST", "/v1/events?do="+do, keyA, `{}`); status != 200 {
			t.Errorf("%s: %d", do, status)
		}
	}

	var panics, logged200 int
	for line := range strings.Lines(f.logBuf.String()) {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch {
		case e["msg"] == "http handler panic":
			panics++
			if e["route"] != "/v1/events" {
				t.Errorf("panic logged for route %v", e["route"])
			}
		case e["msg"] == "http request" && e["route"] == "/v1/events" && e["status"] == 200.0:
			logged200++
		}
	}
	if panics != 1 || logged200 != 2 {
		t.Errorf("logged %d panics and %d answers of 200, want 1 and 2:\n%s", panics, logged200,
			f.logBuf.String())
	}
	if strings.Contains(f.logBuf.String(), "4111") {
		t.Error("a panic value reached the log")
	}
}

// rawPost sends a request head and partial body over a fresh connection,
// then closes the sending side, and returns the answer.
func rawPost(t *testing.T, f *fixture, head, body string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", f.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, head+"\r\n"+body)
	_ = conn.(*net.TCPConn).CloseWrite()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// TestBodyLimitEdgeCases: a chunked body past the limit, a body cut short
// and an oversized body announced with Expect: 100-continue are all refused
// before authentication, in JSON, on a connection that is then closed.
func TestBodyLimitEdgeCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOpts{mutate: func(c *config.Config) { c.MaxBodyBytes = 4096 }})
	big := `{"name":"` + strings.Repeat("A", 8192) + `"}`
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/v1/devices/d1/commands",
		io.MultiReader(strings.NewReader(big))) // unknown length: sent chunked
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || errorCode(t, data) != rest.CodeRequestTooLarge {
		t.Errorf("chunked past the limit: %d %s", resp.StatusCode, data)
	}

	head := "POST /v1/devices/d1/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"Content-Length: 100\r\n"
	resp, body := rawPost(t, f, head, `{"name":`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"error":"bad_request"`) ||
		!strings.Contains(body, "could not be read") || !resp.Close {
		t.Errorf("body cut short: %d close=%v %s", resp.StatusCode, resp.Close, body)
	}

	head = "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"Content-Length: 100000\r\nExpect: 100-continue\r\n"
	resp, body = rawPost(t, f, head, "")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"jsonrpc":"2.0"`) ||
		!resp.Close {
		t.Errorf("Expect: 100-continue past the limit: %d close=%v %s", resp.StatusCode, resp.Close, body)
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("refused bodies made %d upstream calls", n)
	}
}

// TestDirectPathRequestForms: the direct path takes the wildcard Accept
// forms and loopback Host forms the SDK takes, and leaves params that are
// not an object to the SDK; either way the answer is the SDK's.
func TestDirectPathRequestForms(t *testing.T) {
	t.Parallel()
	p := newDirectPair(t, nil)
	list := call("1", "list_devices", `{"per_page":2}`)
	tests := []struct {
		name, accept, host, body string
		direct                   bool
	}{
		{"wildcard subtypes", "application/*, text/*", "", list, true},
		{"any type", "*/*", "", list, true},
		{"localhost", "", "localhost", list, true},
		{"loopback without a port", "", "127.0.0.1", list, true},
		{"params an array", "", "",
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":["list_devices"]}`, false},
	}
	for _, tt := range tests {
		before := p.counter.served.Load()
		viaSDK := rawMCP(t, p.sdk, tt.accept, tt.host, tt.body)
		direct := rawMCP(t, p.direct, tt.accept, tt.host, tt.body)
		if served := p.counter.served.Load() > before; served != tt.direct {
			t.Errorf("%s: served directly %v, want %v", tt.name, served, tt.direct)
		}
		if !reflect.DeepEqual(direct, viaSDK) {
			t.Errorf("%s: direct answer %+v, the SDK's %+v", tt.name, direct, viaSDK)
		}
	}
}

// rawMCP posts body to base's /mcp as tenant A with the given Accept and
// Host (defaults when empty) and returns the answer, decoded as post does.
func rawMCP(t *testing.T, base, accept, host, body string) answer {
	t.Helper()
	header := http.Header{}
	if accept != "" {
		header.Set("Accept", accept)
	}
	if host != "" {
		header.Set("Host", host)
	}
	return post(t, base, header, body)
}

// failingDirect is a DirectCaller whose every call fails with err.
type failingDirect struct{ err error }

func (f failingDirect) CallDirect(context.Context, *mcp.RequestExtra, string,
	json.RawMessage) (*mcp.CallToolResult, bool, error) {
	return nil, true, f.err
}

// TestDirectCallErrorsAreJSONRPCErrors: a direct call that fails is
// answered like the SDK answers a failed method: one event holding a
// JSON-RPC error with the request's id, the error's own code kept when it
// has one, and the internal-error code otherwise.
func TestDirectCallErrorsAreJSONRPCErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"protocol error", &jsonrpc.Error{Code: -32602, Message: "unknown tool \"x\""},
			`{"jsonrpc":"2.0","id":"r1","error":{"code":-32602,"message":"unknown tool \"x\""}}`},
		{"other error", errors.New("tool broke"),
			`{"jsonrpc":"2.0","id":"r1","error":{"code":-32603,"message":"tool broke"}}`},
	}
	for _, tt := range tests {
		srv := newServer(t, config.Defaults(), &lockedbuf.Buffer{}, httpserver.Options{Direct: failingDirect{tt.err}})
		hs := httptest.NewServer(srv.Handler())
		status, ctype, body := postRaw(t, hs.URL, call(`"r1"`, "whoami", `{}`))
		hs.Close()
		data, ok := strings.CutPrefix(body, "event: message\ndata: ")
		if status != 200 || ctype != "text/event-stream" || !ok || strings.TrimSpace(data) != tt.want {
			t.Errorf("%s: %d %s %q, want one event with %s", tt.name, status, ctype, body, tt.want)
		}
	}
}

// postRaw posts an MCP message as tenant A and returns the answer as is.
func postRaw(t *testing.T, base, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", keyA)
	status, h, data := send(t, req)
	return status, h.Get("Content-Type"), string(data)
}
