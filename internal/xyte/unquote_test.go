package xyte

import (
	"encoding/json"
	"testing"
)

// FuzzUnquote: unquote reads every JSON string as encoding/json does, and
// refuses what it refuses.
//
//	go test ./internal/xyte -run '^$' -fuzz FuzzUnquote -fuzztime 30s
func FuzzUnquote(f *testing.F) {
	for _, seed := range []string{`""`, `"2024-05-01T10:00:00Z"`, `"a\"b"`, `"caf\u00e9"`,
		"\"caf\xc3\xa9\"", "\"\xff\"", `"a"b"`, `"`, `"tab	"`, `null`, `12`, `"\/"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := unquote(data)
		var want string
		wantErr := json.Unmarshal(data, &want)
		if (err == nil) != (wantErr == nil) || got != want {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json: %q, %v", data, got, err, want, wantErr)
		}
	})
}
