package edgetest

import (
	"net/http"
	"strings"
	"testing"
)

// TestMalformedJSONRPC sends bodies that are not valid JSON-RPC 2.0, or ask
// for what the server does not have, in both session modes: each gets the
// JSON-RPC error the spec names, as a JSON body, with the request's id when
// it can be told and null otherwise; never a 5xx, a plain-text answer or a
// hang, and never an upstream call.
func TestMalformedJSONRPC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		status int
		code   int
		id     string
	}{
		{"truncated JSON", `{"jsonrpc":"2.0","id":1,"method":`, 400, -32700, "null"},
		{"not JSON", `hello`, 400, -32700, "null"},
		{"invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xff\xfe\"}",
			400, -32700, "null"},
		{"empty body", ``, 400, -32600, "null"},
		{"JSON string", `"ping"`, 400, -32600, "null"},
		{"JSON number", `1`, 400, -32600, "null"},
		{"JSON null", `null`, 400, -32600, "null"},
		{"empty batch", `[]`, 400, -32600, "null"},
		{"batch of junk", `[1,2]`, 400, -32600, "null"},
		{"no version", `{"id":1,"method":"ping"}`, 400, -32600, "1"},
		{"wrong version", `{"jsonrpc":"1.0","id":1,"method":"ping"}`, 400, -32600, "1"},
		{"numeric version", `{"jsonrpc":2.0,"id":1,"method":"ping"}`, 400, -32600, "1"},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"ping"}`, 400, -32600, "null"},
		{"fractional id", `{"jsonrpc":"2.0","id":1.5,"method":"ping"}`, 400, -32600, "null"},
		{"object id", `{"jsonrpc":"2.0","id":{},"method":"ping"}`, 400, -32600, "null"},
		{"array id", `{"jsonrpc":"2.0","id":[],"method":"ping"}`, 400, -32600, "null"},
		{"boolean id", `{"jsonrpc":"2.0","id":true,"method":"ping"}`, 400, -32600, "null"},
		{"id beyond 2^53", `{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}`,
			400, -32600, "null"},
		{"exponent id", `{"jsonrpc":"2.0","id":1e3,"method":"ping"}`, 400, -32600, "null"},
		{"numeric method", `{"jsonrpc":"2.0","id":1,"method":5}`, 400, -32600, "1"},
		{"empty method", `{"jsonrpc":"2.0","id":1,"method":""}`, 400, -32600, "1"},
		{"string params", `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":"x"}`,
			400, -32600, "1"},
		{"duplicate member", `{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}`,
			400, -32600, "null"},
		{"members differing in case", `{"jsonrpc":"2.0","id":1,"ID":1.5,"method":"ping"}`,
			400, -32600, "null"},
		{"neither method nor result", `{"jsonrpc":"2.0","id":1}`, 400, -32600, "1"},
		{"unknown method", `{"jsonrpc":"2.0","id":"u-1","method":"tools/nope"}`,
			200, -32601, `"u-1"`},
		{"unknown tool", `{"jsonrpc":"2.0","id":2,"method":"tools/call",` +
			`"params":{"name":"nope","arguments":{}}}`, 200, -32602, "2"},
		{"tools/call without params", `{"jsonrpc":"2.0","id":3,"method":"tools/call"}`,
			400, -32600, "3"},
		{"unknown resource", `{"jsonrpc":"2.0","id":4,"method":"resources/read",` +
			`"params":{"uri":"nope://x"}}`, 200, -32602, "4"},
	}
	for _, sessions := range []bool{false, true} {
		e := newEnv(t, envOpts{sessions: sessions})
		sid := ""
		if sessions {
			sid = e.postMCP(t, keyA, initBody).header.Get("Mcp-Session-Id")
		}
		for _, tt := range tests {
			h := mcpHeader(keyA)
			if sid != "" {
				h = sessionHeader(keyA, sid)
			}
			r := e.send(t, request{method: http.MethodPost, path: "/mcp", body: tt.body, header: h})
			a := rpc(t, r)
			if r.status != tt.status || a.Error == nil || a.Error.Code != tt.code ||
				string(a.ID) != tt.id || a.Error.Message == "" {
				t.Errorf("sessions=%v %s: %d %s; want %d, code %d, id %s", sessions, tt.name,
					r.status, r, tt.status, tt.code, tt.id)
			}
		}
		if n := len(e.upstreamCalls()); n != 0 {
			t.Errorf("sessions=%v: malformed requests made %d upstream calls", sessions, n)
		}
	}
}

// TestHTTPFaultsAreJSONRPC: the faults the transport itself refuses (wrong
// method, content type or Accept header, unsupported protocol version) are
// answered with their HTTP status and a JSON-RPC error body, not plain text.
func TestHTTPFaultsAreJSONRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	textPlain := mcpHeader(keyA)
	textPlain.Set("Content-Type", "text/plain")
	noStream := mcpHeader(keyA)
	noStream.Set("Accept", "application/json")
	oldVersion := mcpHeader(keyA)
	oldVersion.Set("Mcp-Protocol-Version", "1999-01-01")
	badVersion := mcpHeader(keyA)
	badVersion.Set("Mcp-Protocol-Version", "not-a-date")
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"GET on a stateless server", request{path: "/mcp", header: mcpHeader(keyA)}, 405},
		{"PUT", request{method: http.MethodPut, path: "/mcp", body: ping,
			header: mcpHeader(keyA)}, 405},
		{"text/plain body", request{method: http.MethodPost, path: "/mcp", body: ping,
			header: textPlain}, 415},
		{"Accept without event-stream", request{method: http.MethodPost, path: "/mcp",
			body: ping, header: noStream}, 400},
		{"unsupported protocol version", request{method: http.MethodPost, path: "/mcp",
			body: ping, header: oldVersion}, 400},
		{"malformed protocol version", request{method: http.MethodPost, path: "/mcp",
			body: ping, header: badVersion}, 400},
	}
	for _, tt := range tests {
		r := e.send(t, tt.req)
		a := rpc(t, r)
		if r.status != tt.status || a.Error == nil || a.Error.Message == "" {
			t.Errorf("%s: %d %s, want %d with a JSON-RPC error", tt.name, r.status, r, tt.status)
		}
	}
}

// TestB01SessionsAndTenants: with sessions on, a session belongs to the
// tenant that opened it. To any other tenant it is unknown, answered like an
// id that never existed: 404 with a JSON-RPC error, on POST, GET and DELETE,
// and the owner's session survives the attempt. A request without a session
// id that does not open one is 400; a bad key is 401 whatever the session.
func TestB01SessionsAndTenants(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{sessions: true})
	init := e.postMCP(t, "Bearer "+keyA, initBody)
	sid := init.header.Get("Mcp-Session-Id")
	if init.status != 200 || sid == "" {
		t.Fatalf("initialize: %d %q", init.status, sid)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	stream := sessionHeader("Bearer "+keyB, sid)
	stream.Set("Accept", "text/event-stream")
	unknown := e.send(t, request{method: http.MethodPost, path: "/mcp", body: list,
		header: sessionHeader("Bearer "+keyB, "3f0c-unknown")})
	for _, req := range []request{
		{method: http.MethodPost, path: "/mcp", body: list,
			header: sessionHeader("Bearer "+keyB, sid)},
		{method: http.MethodPost, path: "/v1/mcp", body: list, header: sessionHeader(keyB, sid)},
		{method: http.MethodGet, path: "/mcp", header: stream},
		{method: http.MethodDelete, path: "/mcp", header: sessionHeader("Bearer "+keyB, sid)},
		{method: http.MethodPost, path: "/mcp", body: list,
			header: sessionHeader("Bearer "+keyB, "3f0c-unknown")},
	} {
		r := e.send(t, req)
		a := rpc(t, r)
		if r.status != http.StatusNotFound || a.Error == nil {
			t.Errorf("tenant B, %s %s: %d %s; want 404", req.method, req.path, r.status, r)
		}
		if req.method == http.MethodPost && string(r.body) != string(unknown.body) {
			t.Errorf("tenant B's answer differs from an unknown session's:\n%s\n%s", r, unknown)
		}
	}

	r := e.send(t, request{method: http.MethodPost, path: "/mcp", body: list,
		header: sessionHeader("Bearer "+keyA, sid)})
	if a := rpc(t, r); r.status != 200 || a.Error != nil || !strings.Contains(r.String(), "tools") {
		t.Errorf("the owner's session after the attempts: %d %s", r.status, r)
	}
	r = e.postMCP(t, "Bearer "+keyA, list)
	if a := rpc(t, r); r.status != 400 || a.Error == nil || a.Error.Code != -32600 {
		t.Errorf("no session id: %d %s; want 400", r.status, r)
	}
	// A client of the sessionless revision is told which revisions this
	// stateful server speaks, so that it can fall back.
	modern := `{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":` +
		`{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`
	for _, req := range []request{
		{method: http.MethodPost, path: "/mcp", body: modern, header: mcpHeader(keyA)},
		{method: http.MethodPost, path: "/mcp", body: list,
			header: http.Header{"Authorization": {keyA}, "Content-Type": {"application/json"},
				"Accept":               {"application/json, text/event-stream"},
				"Mcp-Protocol-Version": {"2026-07-28"}}},
	} {
		r = e.send(t, req)
		if a := rpc(t, r); a.Error == nil || a.Error.Code != -32022 ||
			!strings.Contains(r.String(), "supported") {
			t.Errorf("a sessionless-revision request: %d %s; want -32022 with versions",
				r.status, r)
		}
	}
	r = e.send(t, request{method: http.MethodPost, path: "/mcp", body: list,
		header: sessionHeader("Bearer ", sid)})
	if r.status != 401 {
		t.Errorf("bad key with a live session: %d %s; want 401", r.status, r)
	}
	if n := len(e.upstreamCalls()); n != 0 {
		t.Errorf("%d upstream calls", n)
	}
}

// TestB13NotificationsAndIDs: notifications, known or not, get 202 with no
// body; responses echo the id exactly, in value and type.
func TestB13NotificationsAndIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{sessions: true})
	sid := e.postMCP(t, keyA, initBody).header.Get("Mcp-Session-Id")
	for _, n := range []string{
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}`,
		`{"jsonrpc":"2.0","method":"notifications/whatever"}`,
	} {
		r := e.send(t, request{method: http.MethodPost, path: "/mcp", body: n,
			header: sessionHeader(keyA, sid)})
		if r.status != http.StatusAccepted || len(r.body) != 0 {
			t.Errorf("%s: %d %q; want 202 and no body", n, r.status, r.body)
		}
	}
	for _, id := range []string{`"1"`, `0`, `""`, `"req-ü"`, `9007199254740992`, `-1`,
		`-9007199254740992`} {
		r := e.send(t, request{method: http.MethodPost, path: "/mcp",
			body:   `{"jsonrpc":"2.0","id":` + id + `,"method":"ping"}`,
			header: sessionHeader(keyA, sid)})
		if a := rpc(t, r); r.status != 200 || string(a.ID) != id || a.Error != nil {
			t.Errorf("ping id %s: %d %s", id, r.status, r)
		}
	}
}
