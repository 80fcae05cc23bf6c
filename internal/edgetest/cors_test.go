package edgetest

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
)

const appOrigin = "https://app.test"

// allowApp configures the CORS allowlist of field reports B06 and B07.
func allowApp(c *config.Config) { c.CORSOrigins = []string{appOrigin} }

// headerList splits a comma-separated header into lower-case items.
func headerList(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, item := range strings.Split(v, ",") {
			if item = strings.ToLower(strings.TrimSpace(item)); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

func hasItems(h http.Header, name string, want ...string) bool {
	got := headerList(h, name)
	for _, w := range want {
		if !slices.Contains(got, strings.ToLower(w)) {
			return false
		}
	}
	return true
}

// checkCORSAnswer checks that an answer to an allowed origin, success or
// error, lets the browser read it and the headers MCP clients need.
func checkCORSAnswer(t *testing.T, what string, r reply, origin string) {
	t.Helper()
	if got := r.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("%s (%d): Access-Control-Allow-Origin %q, want %q", what, r.status, got, origin)
	}
	if !hasItems(r.header, "Vary", "Origin") {
		t.Errorf("%s (%d): Vary %q lacks Origin", what, r.status, r.header.Values("Vary"))
	}
	if !hasItems(r.header, "Access-Control-Expose-Headers", "Mcp-Session-Id",
		"Mcp-Protocol-Version", "WWW-Authenticate") {
		t.Errorf("%s (%d): exposes %q", what, r.status,
			r.header.Get("Access-Control-Expose-Headers"))
	}
	if r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("%s: sends Access-Control-Allow-Credentials", what)
	}
}

// TestB06BrowserClientsReadMCPHeaders: with an allowlist, a preflight from
// an allowed origin succeeds without a key and allows every header a
// browser MCP client sends and GET, POST and DELETE; the real answers,
// successes and errors of every kind alike, carry the allowed origin,
// Vary: Origin and expose Mcp-Session-Id, Mcp-Protocol-Version and
// WWW-Authenticate, so that the client can keep its session and read
// challenges.
func TestB06BrowserClientsReadMCPHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{sessions: true, mutate: func(c *config.Config) {
		allowApp(c)
		c.MaxBodyBytes = 4096
	}})
	requested := []string{"authorization", "content-type", "accept", "mcp-protocol-version",
		"mcp-session-id", "last-event-id"}
	for _, path := range []string{"/mcp", "/v1/mcp", "/v1/devices", "/v1/tickets/t1"} {
		h := http.Header{}
		h.Set("Origin", appOrigin)
		h.Set("Access-Control-Request-Method", "POST")
		h.Set("Access-Control-Request-Headers", strings.Join(requested, ","))
		r := e.send(t, request{method: http.MethodOptions, path: path, header: h})
		if r.status/100 != 2 {
			t.Fatalf("preflight of %s: %d %s", path, r.status, r)
		}
		checkCORSAnswer(t, "preflight of "+path, r, appOrigin)
		if !hasItems(r.header, "Access-Control-Allow-Headers", requested...) ||
			!hasItems(r.header, "Access-Control-Allow-Methods", "GET", "POST", "DELETE") {
			t.Errorf("preflight of %s allows headers %q, methods %q", path,
				r.header.Get("Access-Control-Allow-Headers"),
				r.header.Get("Access-Control-Allow-Methods"))
		}
	}

	withOrigin := func(h http.Header) http.Header {
		h.Set("Origin", appOrigin)
		return h
	}
	init := e.send(t, request{method: http.MethodPost, path: "/mcp", body: initBody,
		header: withOrigin(mcpHeader("Bearer " + keyA))})
	if init.status != 200 || init.header.Get("Mcp-Session-Id") == "" {
		t.Fatalf("initialize: %d, session %q", init.status, init.header.Get("Mcp-Session-Id"))
	}
	checkCORSAnswer(t, "initialize", init, appOrigin)
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	answers := map[string]request{
		"tools/list in the session": {method: http.MethodPost, path: "/mcp", body: list,
			header: withOrigin(sessionHeader("Bearer "+keyA, init.header.Get("Mcp-Session-Id")))},
		"missing key (401)": {method: http.MethodPost, path: "/mcp", body: initBody,
			header: withOrigin(mcpHeader(""))},
		"malformed key (401)": {method: http.MethodPost, path: "/mcp", body: initBody,
			header: withOrigin(mcpHeader("Bearer "))},
		"unknown session (404)": {method: http.MethodPost, path: "/mcp", body: list,
			header: withOrigin(sessionHeader("Bearer "+keyA, "3f0c-unknown"))},
		"parse error (400)": {method: http.MethodPost, path: "/mcp", body: "{",
			header: withOrigin(mcpHeader("Bearer " + keyA))},
		"too large (413)": {method: http.MethodPost, path: "/mcp",
			body: strings.Repeat(" ", 5000), header: withOrigin(mcpHeader("Bearer " + keyA))},
		"REST success": {path: "/v1/devices", header: withOrigin(authHeader(keyA))},
		"REST 401":     {path: "/v1/devices", header: withOrigin(http.Header{})},
		"REST 404":     {path: "/v1/devices/no-such-device", header: withOrigin(authHeader(keyA))},
		"no route":     {path: "/nothing", header: withOrigin(http.Header{})},
	}
	for name, req := range answers {
		r := e.send(t, req)
		if r.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: no challenge", name)
		}
		checkCORSAnswer(t, name, r, appOrigin)
	}

	single := newEnv(t, envOpts{serverKey: keyA, mutate: allowApp})
	r := single.send(t, request{path: "/v1/devices", header: withOrigin(authHeader(keyB))})
	if r.status != http.StatusForbidden {
		t.Fatalf("wrong key on a single-tenant server: %d", r.status)
	}
	checkCORSAnswer(t, "single-tenant 403", r, appOrigin)

	allowAll := newEnv(t, envOpts{mutate: func(c *config.Config) { c.AllowAllCORS = true }})
	r = allowAll.send(t, request{path: "/v1/devices", header: withOrigin(authHeader(keyA))})
	checkCORSAnswer(t, "XYTE_ALLOW_ALL_CORS", r, "*")
}

// sessionHeader is the header of a request inside an MCP session.
func sessionHeader(authz, sid string) http.Header {
	h := mcpHeader(authz)
	h.Set("Mcp-Session-Id", sid)
	h.Set("Mcp-Protocol-Version", "2025-06-18")
	return h
}

// TestB07OriginChecks: with CORS unconfigured, or with an allowlist, a
// request whose Origin is present and not allowed gets 403 before its body
// is parsed and before any upstream call, on MCP and REST, preflight or
// not; the match is exact; the request's Origin is never echoed and "*"
// never comes with credentials. Under DNS rebinding an attacker's page
// reaches the server with its own name in Host and Origin alike: refused,
// while the server's own loopback origin is let through, as the MCP spec
// asks. Requests with no Origin work as usual.
func TestB07OriginChecks(t *testing.T) {
	t.Parallel()
	closed := newEnv(t, envOpts{sessions: true})
	listed := newEnv(t, envOpts{sessions: true, mutate: allowApp})
	_, port, _ := strings.Cut(strings.TrimPrefix(closed.http.URL, "http://"), ":")
	rebound := "evil.test:" + port
	tests := []struct {
		name   string
		e      *env
		origin string
		host   string // the Host header; "" for the server's address
		allow  bool
	}{
		{"unconfigured, evil origin", closed, "https://evil.test", "", false},
		{"unconfigured, null origin", closed, "null", "", false},
		{"unconfigured, empty origin", closed, "", "", false},
		{"unconfigured, app origin", closed, appOrigin, "", false},
		{"DNS rebinding, attacker's name in Host and Origin", closed, "http://" + rebound,
			rebound, false},
		{"DNS rebinding with an allowlist", listed, "http://" + rebound, rebound, false},
		{"own loopback origin", closed, closed.http.URL, "", true},
		{"loopback, another port", closed, "http://127.0.0.1:1", "", false},
		{"localhost name for a 127.0.0.1 host", closed,
			"http://localhost:" + port, "", false},
		{"allowlist, exact", listed, appOrigin, "", true},
		{"allowlist, suffix added", listed, "https://app.test.evil.test", "", false},
		{"allowlist, other origin", listed, "https://evil.test", "", false},
		{"allowlist, prefix", listed, "https://app.tes", "", false},
		{"allowlist, other scheme", listed, "http://app.test", "", false},
		{"allowlist, explicit port", listed, "https://app.test:443", "", false},
		{"allowlist, trailing slash", listed, "https://app.test/", "", false},
		{"allowlist, other case", listed, "https://APP.test", "", false},
		{"allowlist, null", listed, "null", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, req := range originRequests(tt.origin) {
				req.host = tt.host
				checkOriginAnswer(t, tt.e, req, tt.origin, tt.allow)
			}
		})
	}

	// No Origin: every non-browser client, served as usual.
	for _, e := range []*env{closed, listed} {
		if r := e.get(t, "/v1/devices", keyA); r.status != http.StatusOK {
			t.Errorf("no Origin: %d %s", r.status, r)
		}
		cs := e.mustConnect(t, "Bearer "+keyA)
		if res := callTool(t, cs, "get_organization_info", nil); res.IsError {
			t.Errorf("no Origin, MCP: %s", resultText(res))
		}
	}

	// XYTE_ALLOW_ALL_CORS answers "*", never the origin itself, and never
	// with credentials.
	anyOrigin := newEnv(t, envOpts{mutate: func(c *config.Config) { c.AllowAllCORS = true }})
	for _, req := range originRequests("https://evil.test") {
		r := anyOrigin.send(t, req)
		if r.header.Get("Access-Control-Allow-Origin") != "*" ||
			r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("allow all, %s %s: %d %v", req.method, req.path, r.status, r.header)
		}
	}
}

// checkOriginAnswer sends one request from origin and checks that it was
// refused with 403 before any upstream call, or served with the origin
// allowed, and never with credentials.
func checkOriginAnswer(t *testing.T, e *env, req request, origin string, allow bool) {
	t.Helper()
	before := len(e.upstreamCalls())
	r := e.send(t, req)
	what := req.method + " " + req.path
	acao := r.header.Get("Access-Control-Allow-Origin")
	if r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("%s: sends Access-Control-Allow-Credentials", what)
	}
	if allow {
		if r.status == http.StatusForbidden || acao != origin {
			t.Errorf("%s: %d, ACAO %q; want the request served for %s", what, r.status, acao,
				origin)
		}
		return
	}
	if r.status != http.StatusForbidden || errorCode(t, r) != "forbidden_origin" || acao != "" {
		t.Errorf("%s: %d, ACAO %q: %s; want 403 forbidden_origin", what, r.status, acao, r)
	}
	if n := len(e.upstreamCalls()) - before; n != 0 {
		t.Errorf("%s: a refused origin made %d upstream calls", what, n)
	}
}

// originRequests are the requests of field report B07 from origin: an
// initialize with a valid key and a body the server would refuse if it
// parsed it, its preflight, and a REST read.
func originRequests(origin string) []request {
	with := func(h http.Header) http.Header {
		h["Origin"] = []string{origin}
		return h
	}
	preflight := http.Header{"Access-Control-Request-Method": {"POST"}}
	return []request{
		{method: http.MethodPost, path: "/mcp", body: initBody,
			header: with(mcpHeader("Bearer " + keyA))},
		{method: http.MethodPost, path: "/mcp", body: "{not json",
			header: with(mcpHeader("Bearer " + keyA))},
		{method: http.MethodOptions, path: "/mcp", header: with(preflight.Clone())},
		{path: "/v1/devices", header: with(authHeader(keyA))},
		{method: http.MethodOptions, path: "/v1/devices", header: with(preflight.Clone())},
	}
}
