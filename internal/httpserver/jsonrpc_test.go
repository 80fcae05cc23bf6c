package httpserver

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
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
