package httpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
)

func TestInspect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		code   int // 0: accepted
		id     string
		method string
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, 0, "1", "ping"},
		{`{"jsonrpc":"2.0","id":"x","method":"tools/list","params":{}}`, 0, `"x"`, "tools/list"},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, 0, "",
			"notifications/initialized"},
		{`{"jsonrpc":"2.0","id":-9007199254740992,"method":"ping"}`, 0, "-9007199254740992",
			"ping"},
		{`{"jsonrpc":"2.0","id":3,"result":{}}`, 0, "3", ""},
		{`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, 0, "", ""},
		{`{"jsonrpc":"2.0","id":1,"method":"ping","params":null}`, 0, "1", "ping"},
		{"\xff", codeParseError, "", ""},
		{`{`, codeParseError, "", ""},
		{``, codeInvalidRequest, "", ""},
		{`[]`, codeInvalidRequest, "", ""},
		{`{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}`, codeInvalidRequest, "", ""},
		{`{"jsonrpc":"2.0","id":1.0,"method":"ping"}`, codeInvalidRequest, "", ""},
		{`{"jsonrpc":"2.0","id":"1","Id":"2","method":"ping"}`, codeInvalidRequest, "", ""},
		{`{"jsonrpc":"2.0","id":3,"result":{},"error":{}}`, codeInvalidRequest, "3", ""},
		{`{"jsonrpc":"2.0","method":"x","params":1}`, codeInvalidRequest, "", ""},
		{`{"jsonrpc":"2.0","method":"x","params":"s"}`, codeInvalidRequest, "", ""},
		{`{"jsonrpc":"2.0","id":1,"method":""}`, codeInvalidRequest, "1", ""},
		{`{"jsonrpc":"2.0","id":1,"method":7}`, codeInvalidRequest, "1", ""},
		{`{"jsonrpc":"1.0","id":1,"method":"ping"}`, codeInvalidRequest, "1", ""},
		{`{"id":1,"method":"ping"}`, codeInvalidRequest, "1", ""},
		{`[{"jsonrpc":"2.0","id":1,"method":"ping"},1]`, codeInvalidRequest, "", ""},
		{`"ping"`, codeInvalidRequest, "", ""},
	}
	for _, tt := range tests {
		m, bad := inspect([]byte(tt.body))
		code := 0
		if bad != nil {
			code = bad.code
		}
		if code != tt.code || string(m.id) != tt.id || m.method != tt.method {
			t.Errorf("inspect(%q) = %+v, %v; want code %d, id %s, method %q", tt.body, m, bad,
				tt.code, tt.id, tt.method)
		}
	}
}

// FuzzInspect checks that whatever inspect accepts is valid UTF-8 JSON with
// version "2.0", an id the SDK can echo exactly, and a method, or an id with
// a result or an error.
func FuzzInspect(f *testing.F) {
	for _, s := range []string{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, `[]`, `{`, "\xff",
		`{"jsonrpc":"2.0","id":1e0,"method":"x"}`, `{"jsonrpc":"2.0","ID":1,"id":2}`,
		`[{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":"a","result":1}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, bad := inspect(body)
		if bad != nil {
			if bad.msg == "" || (bad.code != codeParseError && bad.code != codeInvalidRequest) {
				t.Fatalf("refusal %+v", bad)
			}
			return
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			t.Fatalf("accepted a body that is not UTF-8 JSON: %q", body)
		}
		trimmed := bytes.TrimSpace(body)
		if trimmed[0] == '[' {
			return
		}
		var msg struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
			Method  *string         `json:"method"`
		}
		if err := json.Unmarshal(trimmed, &msg); err != nil || msg.JSONRPC != "2.0" {
			t.Fatalf("accepted %q: %v", body, err)
		}
		if m.id != nil {
			var id any
			dec := json.NewDecoder(bytes.NewReader(m.id))
			dec.UseNumber()
			if err := dec.Decode(&id); err != nil {
				t.Fatalf("id %q: %v", m.id, err)
			}
			if n, ok := id.(json.Number); ok {
				v, err := n.Int64()
				if err != nil || v > maxExactID || v < -maxExactID {
					t.Fatalf("accepted id %s", n)
				}
			} else if _, ok := id.(string); !ok {
				t.Fatalf("accepted id %s", m.id)
			}
		}
		if m.method == "" && m.id == nil {
			t.Fatalf("accepted %q with neither method nor id", body)
		}
	})
}

// TestPlainRefusalsBecomeJSONRPC: a plain-text refusal from the SDK reaches
// the client as a JSON-RPC error with the request's id and a clean one-line
// message; anything else passes through as written.
func TestPlainRefusalsBecomeJSONRPC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		body    string
	}{
		{"refusal", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "Bad\x07 header\r\nsecond line", http.StatusBadRequest)
		}, 400, `{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Bad header"}}`},
		{"empty refusal", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "\xff", http.StatusMethodNotAllowed)
		}, 405, `{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"request refused"}}`},
		{"server failure", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "stack trace: x.go:12", http.StatusServiceUnavailable)
		}, 503, `{"jsonrpc":"2.0","id":5,"error":{"code":-32603,"message":"internal error"}}`},
		{"answer", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
			w.WriteHeader(http.StatusInternalServerError) // superfluous, ignored
			_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":5,"result":{}}`))
		}, 200, `{"jsonrpc":"2.0","id":5,"result":{}}`},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		ew := &rpcErrorWriter{ResponseWriter: rec, msg: message{id: json.RawMessage("5"), single: true}}
		tt.handler(ew, httptest.NewRequest(http.MethodPost, "/mcp", nil))
		ew.finish()
		if rec.Code != tt.status || strings.TrimSpace(rec.Body.String()) != tt.body {
			t.Errorf("%s: %d %s, want %d %s", tt.name, rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}

// TestZeroBodyLimitMeansDefault: a Config without a body limit gets the
// default one, not none.
func TestZeroBodyLimitMeansDefault(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.MaxBodyBytes = 0
	srv, err := New(Options{Config: cfg, MCP: mcp.NewServer(&mcp.Implementation{Name: "t", Version: "0"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	limit := config.Defaults().MaxBodyBytes
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(strings.Repeat(" ", int(limit)+1)))
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(rec.Body.String(), "larger than "+strconv.FormatInt(limit, 10)+" bytes") {
		t.Fatalf("a body past the default limit: %d %s", rec.Code, rec.Body)
	}
}

// TestBodyBytes: a body limitBody read is handed on without a copy; one
// that something has started reading gives the rest, as any other body.
func TestBodyBytes(t *testing.T) {
	t.Parallel()
	data := []byte(`{"jsonrpc":"2.0"}`)
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Body = newMemBody(data)
	got, err := bodyBytes(r)
	if err != nil || &got[0] != &data[0] {
		t.Fatalf("whole body: %q, %v; want the bytes limitBody read", got, err)
	}
	if n, _ := r.Body.Read(make([]byte, 4)); n != 0 {
		t.Fatalf("the body still reads %d bytes after it was taken", n)
	}
	r.Body = newMemBody(data)
	_, _ = r.Body.Read(make([]byte, 2))
	if got, err := bodyBytes(r); err != nil || string(got) != string(data[2:]) {
		t.Fatalf("begun body: %q, %v", got, err)
	}
	r.Body = http.NoBody
	if got, err := bodyBytes(r); err != nil || len(got) != 0 {
		t.Fatalf("no body: %q, %v", got, err)
	}
}
