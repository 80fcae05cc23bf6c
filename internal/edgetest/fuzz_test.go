package edgetest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// fuzzPaths are the paths a fuzzed request goes to, by index.
var fuzzPaths = []string{"/mcp", "/v1/mcp", "/v1/devices", "/v1/devices/d1",
	"/v1/devices/d1/commands", "/v1/tickets/t1", "/healthz", "/metrics", "/v1/tools",
	"/nothing"}

var fuzzMethods = []string{http.MethodPost, http.MethodGet, http.MethodDelete,
	http.MethodOptions, http.MethodPut, "PATCH", "BREW"}

// FuzzRequestEdge sends arbitrary bodies and headers through the whole
// server, multi-tenant, single-tenant and with sessions, and checks what
// must hold whatever arrives: no panic, no 500, no hang, no 5xx at all
// unless the upstream was called, a JSON answer to every MCP refusal, a 403
// for every origin not allowed, and no upstream call without a valid key:
// one the parser accepts in multi-tenant mode, none or the server's own in
// single-tenant mode, and always the key the upstream then receives. The
// corpus is in testdata/fuzz/FuzzRequestEdge.
func FuzzRequestEdge(f *testing.F) {
	for _, seed := range []struct {
		mode, method, path     uint8
		authz, origin, ct, sid string
		body                   string
	}{
		{0, 0, 0, "Bearer " + keyA, "", "application/json", "", initBody},
		{1, 0, 0, "", "", "application/json", "", toolCall("list_devices", nil)},
		{2, 0, 0, keyB, "", "application/json", "x", `{"jsonrpc":"2.0","id":1,"method":"ping"}`},
		{0, 0, 0, "Bearer ", "https://evil.test", "application/json", "", "{"},
		{0, 0, 4, keyA, "https://app.test", "application/json", "", `{"name":"reboot"}`},
		{1, 1, 2, "Basic " + keyA, "null", "", "", ""},
		{0, 3, 0, "", "https://app.test", "", "", ""},
		{0, 0, 0, keyA + "," + keyB, "", "application/json; charset=utf-8", "", "[]"},
	} {
		f.Add(seed.mode, seed.method, seed.path, seed.authz, seed.origin, seed.ct, seed.sid,
			[]byte(seed.body))
	}
	envs := []*env{
		newEnv(f, envOpts{mutate: allowApp}),
		newEnv(f, envOpts{serverKey: keyA, mutate: allowApp}),
		newEnv(f, envOpts{sessions: true, mutate: func(c *config.Config) {
			allowApp(c)
			c.MaxBodyBytes = 64 << 10
		}}),
	}
	f.Fuzz(func(t *testing.T, mode, method, path uint8, authz, origin, ct, sid string,
		body []byte) {
		e := envs[int(mode)%len(envs)]
		req := httptest.NewRequest(fuzzMethods[int(method)%len(fuzzMethods)],
			fuzzPaths[int(path)%len(fuzzPaths)], bytes.NewReader(body))
		setFuzzHeader(req.Header, "Authorization", authz)
		setFuzzHeader(req.Header, "Origin", origin)
		setFuzzHeader(req.Header, "Content-Type", ct)
		setFuzzHeader(req.Header, "Mcp-Session-Id", sid)
		req.Header.Set("Accept", "application/json, text/event-stream")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req = req.WithContext(ctx)

		// Calls run one at a time in a fuzzing process, so the log holds
		// this request's upstream calls only.
		e.sim.ClearRequests()
		rec := httptest.NewRecorder()
		start := time.Now()
		e.srv.Handler().ServeHTTP(rec, req)
		if took := time.Since(start); took > 4*time.Second {
			t.Fatalf("%s %s took %s", req.Method, req.URL.Path, took)
		}
		checkFuzzAnswer(t, e, req, rec, e.upstreamCalls())
	})
}

// setFuzzHeader sets a header value as a client could send it: values with
// bytes no HTTP/1.1 client can put on the wire are dropped; "\x00" splits
// several values, so that duplicate headers are fuzzed too.
func setFuzzHeader(h http.Header, name, value string) {
	if value == "" {
		return
	}
	for _, v := range strings.Split(value, "\x00") {
		if strings.ContainsAny(v, "\r\n") || strings.IndexFunc(v, func(r rune) bool {
			return r < ' ' && r != '\t' || r == 0x7f
		}) >= 0 {
			continue
		}
		h.Add(name, v)
	}
}

func checkFuzzAnswer(t *testing.T, e *env, req *http.Request, rec *httptest.ResponseRecorder,
	calls []xytesim.Request) {
	t.Helper()
	what := req.Method + " " + req.URL.Path
	switch {
	case rec.Code == http.StatusInternalServerError:
		t.Fatalf("%s: 500: %s", what, rec.Body)
	case rec.Code >= 500 && len(calls) == 0 && rec.Code != http.StatusServiceUnavailable:
		t.Fatalf("%s: %d without an upstream call: %s", what, rec.Code, rec.Body)
	}
	if isMCP := strings.HasSuffix(req.URL.Path, "/mcp"); isMCP && rec.Code >= 400 &&
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%s: %d as %q: %s", what, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	origins, sent := req.Header["Origin"]
	if sent && (len(origins) != 1 || origins[0] != appOrigin) && !isProbe(req.URL.Path) &&
		rec.Code != http.StatusForbidden {
		t.Fatalf("%s from origin %q: %d, want 403", what, origins, rec.Code)
	}
	if len(calls) == 0 {
		return
	}
	key, ok := allowedKey(e, req.Header)
	if !ok {
		t.Fatalf("%s with Authorization %q made %d upstream calls", what,
			req.Header.Values("Authorization"), len(calls))
	}
	for _, c := range calls {
		if c.KeyHash != xytesim.KeyHash(key) {
			t.Fatalf("%s: the upstream received another key than the caller's", what)
		}
	}
}

// allowedKey returns the key a request may act with, if any.
func allowedKey(e *env, h http.Header) (string, bool) {
	key, err := tenant.ParseAuthorization(h)
	if e.cfg.APIKey == "" {
		return key, err == nil
	}
	if len(h.Values("Authorization")) == 0 {
		return e.cfg.APIKey, !e.cfg.RequireAuth
	}
	return e.cfg.APIKey, err == nil && key == e.cfg.APIKey
}

func isProbe(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/v1/healthz", "/v1/readyz", "/v1/metrics":
		return true
	}
	return false
}
