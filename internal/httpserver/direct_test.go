package httpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// countingDirect counts the calls the direct path served itself.
type countingDirect struct {
	*mcpserver.Server
	served atomic.Int64
}

func (c *countingDirect) CallDirect(ctx context.Context, extra *mcp.RequestExtra, name string,
	args json.RawMessage) (*mcp.CallToolResult, bool, error) {
	res, ok, err := c.Server.CallDirect(ctx, extra, name, args)
	if ok {
		c.served.Add(1)
	}
	return res, ok, err
}

// directPair is one MCP server behind two HTTP servers: one that serves
// plain tool calls directly and one that leaves everything to the SDK.
type directPair struct {
	sim         *xytesim.Server
	direct, sdk string
	counter     *countingDirect
	deviceA     string
	ticketA     string
	deviceB     string
}

func newDirectPair(t *testing.T, limiter ratelimit.Limiter) *directPair {
	t.Helper()
	// A fixed clock: both servers must see the same fleet.
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	sim := xytesim.New(xytesim.Config{Now: func() time.Time { return now },
		Orgs: []xytesim.Org{{Key: keyA, Name: "Org A"}, {Key: keyB, Name: "Org B"}}})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	client, err := xyte.New(xyte.Options{BaseURL: up.URL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := mcpserver.New(mcpserver.Options{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	if limiter != nil {
		ms.Instrument(mcpserver.InstrumentOptions{Limiter: limiter})
	}
	cfg := config.Defaults()
	cfg.BaseURL = up.URL
	snapA, _ := sim.Snapshot(keyA)
	p := &directPair{sim: sim, counter: &countingDirect{Server: ms},
		deviceA: sim.DeviceIDs(keyA)[0], deviceB: sim.DeviceIDs(keyB)[0],
		ticketA: snapA.TicketIDs[0]}
	for _, direct := range []bool{true, false} {
		opts := httpserver.Options{Config: cfg, MCP: ms.MCP()}
		if direct {
			opts.Direct = p.counter
		}
		srv, err := httpserver.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(hs.Close)
		if direct {
			p.direct = hs.URL
		} else {
			p.sdk = hs.URL
		}
	}
	return p
}

// answer is an HTTP answer to an MCP POST, with its JSON-RPC message decoded
// from the single event or the JSON body, and the JSON held in text content
// decoded too, so that member order does not matter.
type answer struct {
	status      int
	contentType string
	message     any
}

// post posts an MCP message to base's /mcp as tenant A, with header added (a
// Host entry becomes the request's Host), and returns the answer, the
// message of a one-event stream decoded.
func post(t *testing.T, base string, header http.Header, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", keyA)
	for name, values := range header {
		req.Header[name] = values
	}
	if host := header.Get("Host"); host != "" { // sent as the request's Host
		req.Host = host
		req.Header.Del("Host")
	}
	status, h, data := send(t, req)
	a := answer{status: status, contentType: h.Get("Content-Type")}
	if strings.HasPrefix(a.contentType, "text/event-stream") {
		var events [][]byte
		for _, line := range bytes.Split(data, []byte("\n")) {
			if rest, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
				events = append(events, rest)
			}
		}
		if len(events) != 1 {
			t.Fatalf("want one event, got %d: %s", len(events), data)
		}
		data = events[0]
	}
	a.message = decodeAnswer(t, data)
	return a
}

// decodeAnswer decodes a JSON-RPC message with its numbers kept exact
// (decoding through float64 would hide a difference beyond 2^53), and the
// JSON held in text content decoded too.
func decodeAnswer(t *testing.T, data []byte) any {
	t.Helper()
	v, err := decodeExact(data)
	if err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, data)
	}
	decodeTexts(v)
	return v
}

func decodeExact(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	return v, dec.Decode(&v)
}

// decodeTexts replaces the text of text content that holds JSON with the
// decoded value.
func decodeTexts(v any) {
	switch v := v.(type) {
	case map[string]any:
		if text, ok := v["text"].(string); ok && v["type"] == "text" {
			if decoded, err := decodeExact([]byte(text)); err == nil {
				v["text"] = decoded
			}
		}
		for _, child := range v {
			decodeTexts(child)
		}
	case []any:
		for _, child := range v {
			decodeTexts(child)
		}
	}
}

func call(id, tool, args string) string {
	params := `{"name":"` + tool + `"`
	if args != "" {
		params += `,"arguments":` + args
	}
	return `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":` + params + `}}`
}

// TestDirectCallsAnswerAsTheSDK sends each request to both servers: the
// answers must be the same, and the direct path must serve exactly the plain
// calls, declining everything it does not take to the SDK.
func TestDirectCallsAnswerAsTheSDK(t *testing.T) {
	p := newDirectPair(t, nil)
	dev, ticket := `"`+p.deviceA+`"`, `"`+p.ticketA+`"`
	deep := strings.Repeat(`{"a":`, 1100) + `1` + strings.Repeat(`}`, 1100)
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		direct bool // the direct path serves it
	}{
		{"get_device", nil, call("1", "get_device", `{"device_id":`+dev+`}`), true},
		{"string id", nil, call(`"req-7"`, "get_device", `{"device_id":`+dev+`}`), true},
		{"string id with escapes and markup", nil,
			call(`"a<b>&\u0063\n\u00e9"`, "get_device", `{"device_id":`+dev+`}`), true},
		{"string id with markup", nil, call(`"<a&b>"`, "get_device", `{"device_id":`+dev+`}`), true},
		{"id zero", nil, call("0", "get_device", `{"device_id":`+dev+`}`), true},
		{"negative id", nil, call("-0", "get_device", `{"device_id":`+dev+`}`), true},
		{"repeated argument name", nil,
			call("16", "get_device", `{"device_id":"x","device_id":`+dev+`}`), true},
		{"unknown device is a tool error", nil,
			call("2", "get_device", `{"device_id":"00000000-0000-0000-0000-000000000000"}`), true},
		{"another tenant's device is not found", nil,
			call("3", "get_device", `{"device_id":"`+p.deviceB+`"}`), true},
		{"list without arguments", nil, call("4", "list_devices", ""), true},
		{"list with a page", nil, call("5", "list_devices", `{"page":2,"per_page":5}`), true},
		{"integer written with an exponent", nil,
			call("6", "list_devices", `{"per_page":1e1}`), true},
		{"list tickets", nil, call("7", "list_tickets", `{}`), true},
		{"get ticket", nil, call("8", "get_ticket", `{"ticket_id":`+ticket+`}`), true},
		{"fleet overview", nil, call("9", "fleet_overview", `{}`), true},
		{"generic call", nil, call("10", "xyte_api_call",
			`{"endpoint":"devices.getDevice","params":{"device_id":`+dev+`}}`), true},
		{"write, dry run", nil, call("11", "send_command",
			`{"device_id":`+dev+`,"name":"reboot","dry_run":true}`), true},
		{"handler refusal names the argument", nil,
			call("12", "send_ticket_message", `{"ticket_id":`+ticket+`,"message":"  "}`), true},
		{"protocol version header", http.Header{"Mcp-Protocol-Version": {"2025-06-18"}},
			call("13", "get_device", `{"device_id":`+dev+`}`), true},
		// The handler gets the arguments the SDK would give it, even where
		// encoding/json alone reads them otherwise: a repeated object is
		// replaced, not merged; an integer beyond 2^53 arrives as the SDK's
		// float64 reading makes it.
		{"repeated object argument", nil, call("14", "send_command", `{"device_id":`+dev+
			`,"name":"set_input","extra_params":{"a":1},"extra_params":{"b":2},"dry_run":true}`), true},
		{"integer beyond 2^53", nil, call("15", "move_device", `{"device_id":`+dev+
			`,"space_id":9007199254740993,"dry_run":true}`), true},

		{"unknown argument", nil, call("20", "get_device", `{"device_id":`+dev+`,"x":1}`), false},
		{"argument of the wrong type", nil, call("21", "get_device", `{"device_id":5}`), false},
		{"missing required argument", nil, call("22", "send_command", `{"device_id":`+dev+`}`), false},
		{"fraction for an integer", nil, call("23", "list_devices", `{"page":1.5}`), false},
		{"unknown tool", nil, call("24", "no_such_tool", `{}`), false},
		{"name in another case", nil,
			`{"jsonrpc":"2.0","id":25,"method":"tools/call","params":{"Name":"list_devices"}}`, false},
		{"params with _meta", nil, `{"jsonrpc":"2.0","id":26,"method":"tools/call","params":` +
			`{"name":"list_devices","_meta":{"progressToken":"p1"}}}`, false},
		{"arguments not an object", nil,
			`{"jsonrpc":"2.0","id":27,"method":"tools/call","params":{"name":"list_devices","arguments":[]}}`,
			false},
		{"unsupported protocol version", http.Header{"Mcp-Protocol-Version": {"1999-01-01"}},
			call("28", "list_devices", ""), false},
		{"Accept without event streams", http.Header{"Accept": {"application/json"}},
			call("29", "list_devices", ""), false},
		{"notification", nil,
			`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"list_devices"}}`, false},
		{"tools/list", nil, `{"jsonrpc":"2.0","id":30,"method":"tools/list"}`, false},
		{"nested deeper than the SDK reads", nil, call("31", "send_command", `{"device_id":`+dev+
			`,"name":"set_input","extra_params":{"d":`+deep+`},"dry_run":true}`), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := p.counter.served.Load()
			viaSDK := post(t, p.sdk, tc.header, tc.body)
			direct := post(t, p.direct, tc.header, tc.body)
			if served := p.counter.served.Load() > before; served != tc.direct {
				t.Errorf("served directly: %v, want %v", served, tc.direct)
			}
			if direct.status != viaSDK.status || direct.contentType != viaSDK.contentType {
				t.Errorf("status %d %q, the SDK answers %d %q", direct.status, direct.contentType,
					viaSDK.status, viaSDK.contentType)
			}
			if !reflect.DeepEqual(direct.message, viaSDK.message) {
				got, _ := json.MarshalIndent(direct.message, "", " ")
				want, _ := json.MarshalIndent(viaSDK.message, "", " ")
				t.Errorf("answer differs from the SDK's\ndirect:\n%s\nSDK:\n%s", got, want)
			}
		})
	}
}

// TestDirectCallsKeepTheMiddleware checks that rate limits apply on the
// direct path exactly as through the SDK: a tenant's budget is shared by
// both, and another tenant is not affected.
func TestDirectCallsKeepTheMiddleware(t *testing.T) {
	limiter := ratelimit.NewLocal(ratelimit.Config{PerMinute: 1, Burst: 2})
	p := newDirectPair(t, limiter)
	body := call("1", "list_devices", "")
	for i, base := range []string{p.direct, p.sdk} {
		a := post(t, base, nil, body)
		if isToolError(a.message) {
			t.Fatalf("call %d failed within the burst: %v", i, a.message)
		}
	}
	served := p.counter.served.Load()
	limited := post(t, p.direct, nil, body)
	if p.counter.served.Load() != served+1 {
		t.Fatal("the direct path did not serve the call over the limit")
	}
	if !isToolError(limited.message) || !strings.Contains(toolText(limited.message), "rate_limited") {
		t.Fatalf("third call of tenant A: %v, want a rate_limited tool error", limited.message)
	}
	other := post(t, p.direct, http.Header{"Authorization": {keyB}}, body)
	if isToolError(other.message) {
		t.Fatalf("tenant B was limited by tenant A's calls: %v", other.message)
	}
}

func result(msg any) map[string]any {
	m, _ := msg.(map[string]any)
	r, _ := m["result"].(map[string]any)
	return r
}

func isToolError(msg any) bool {
	r := result(msg)
	return r == nil || r["isError"] == true
}

func toolText(msg any) string {
	content, _ := result(msg)["content"].([]any)
	for _, c := range content {
		if m, ok := c.(map[string]any); ok {
			if s, ok := m["text"].(string); ok {
				return s
			}
		}
	}
	return ""
}
