package jsonscan

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzAppendString: any text, valid UTF-8 or not, is encoded as
// encoding/json encodes a string.
//
//	go test ./internal/jsonscan -run '^$' -fuzz FuzzAppendString -fuzztime 30s
func FuzzAppendString(f *testing.F) {
	for _, seed := range []string{`{"id":"a\"b\\c","n":1}`, `<&>`, "caf\xc3\xa9", "\xff",
		"line\nbreak", "\u2028", ``} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		want, _ := json.Marshal(string(text))
		if got := AppendString([]byte("x"), text); string(got) != "x"+string(want) {
			t.Fatalf("AppendString(%q) = %s; want x%s", text, got, want)
		}
		if got := AppendString([]byte("x"), string(text)); string(got) != "x"+string(want) {
			t.Fatalf("AppendString(%q) as a string = %s; want x%s", text, got, want)
		}
	})
}

// FuzzAppendAny: whatever JSON decodes into an any encodes again as
// encoding/json encodes it, and so does any float64.
//
//	go test ./internal/jsonscan -run '^$' -fuzz FuzzAppendAny -fuzztime 30s
func FuzzAppendAny(f *testing.F) {
	for _, seed := range []string{`{"b":1,"a":[true,null,"x<y"],"c":{"d":-0.0000001}}`,
		`1e21`, `123456789012345678901234567890`, `-0`, `"\u2028\ud800"`, `[]`, `{}`,
		`{"z":{"y":{"x":[[[1.5e-7]]]}}}`, `0.000001`, `1e-7`, `"caf\u00e9"`} {
		f.Add([]byte(seed), 0.0)
	}
	f.Add([]byte(`null`), math.MaxFloat64)
	f.Add([]byte(`null`), math.SmallestNonzeroFloat64)
	f.Add([]byte(`null`), -1e21)
	f.Fuzz(func(t *testing.T, data []byte, x float64) {
		var v any
		if json.Unmarshal(data, &v) == nil {
			sameAsMarshal(t, v)
		}
		sameAsMarshal(t, x)
		sameAsMarshal(t, map[string]any{"x": x, "v": v})
	})
}

func sameAsMarshal(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := AppendAny([]byte("x"), v)
	if (err != nil) != (wantErr != nil) || (err == nil && string(got) != "x"+string(want)) {
		t.Fatalf("AppendAny(%#v) = %s, %v; want x%s, %v", v, got, err, want, wantErr)
	}
}

// TestAppendAny covers what JSON cannot produce: values of other types,
// which encoding/json encodes, NaN, which it refuses, a nil map and list,
// and a map nested deeper than AppendAny goes itself.
func TestAppendAny(t *testing.T) {
	t.Parallel()
	deep := map[string]any{"leaf": 1.0}
	for range 3 * maxAnyDepth {
		deep = map[string]any{"d": deep}
	}
	for _, v := range []any{
		int64(7), json.Number("1.50"), struct{ A int }{1}, []string{"a"},
		map[string]any(nil), []any(nil), map[string]any{"n": nil, "l": []any{}},
		deep, math.Inf(1), math.NaN(), map[string]any{"bad": math.NaN()},
		[]any{1.0, math.Inf(-1)},
	} {
		sameAsMarshal(t, v)
	}
	if m, err := AppendMap(nil, nil); err != nil || string(m) != "null" {
		t.Errorf("AppendMap(nil) = %s, %v; want null", m, err)
	}
}

// FuzzDecodeAny: valid JSON (repeated names allowed) that DecodeAny takes
// decodes into the value encoding/json gives an any; what it leaves, it
// leaves only where encoding/json refuses or nests deeply.
//
//	go test ./internal/jsonscan -run '^$' -fuzz FuzzDecodeAny -fuzztime 30s
func FuzzDecodeAny(f *testing.F) {
	for _, seed := range []string{`{"b":1,"a":[true,null,"x<y"],"c":{"d":-0.0000001}}`,
		` 1e400 `, `-0`, `"\u2028\ud800"`, `[]`, `{}`, `{"a":1,"a":{"b":2}}`, ` [ 1 , "2" ] `,
		`"caf\u00e9 \"q\""`, `123456789012345678901234567890`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !jsontext.Value(data).IsValid(jsontext.AllowDuplicateNames(true)) {
			return
		}
		var want any
		wantErr := json.Unmarshal(data, &want)
		got, ok := DecodeAny(data)
		if !ok {
			if wantErr == nil && Depth(data) <= maxDecodeDepth {
				t.Fatalf("DecodeAny(%q) refused what encoding/json decodes to %#v", data, want)
			}
			return
		}
		if wantErr != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeAny(%q) = %#v; encoding/json gives %#v, %v", data, got, want, wantErr)
		}
	})
}
