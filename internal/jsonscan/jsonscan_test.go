package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"testing"
)

type member struct {
	name string
	raw  string
}

func walk(t *testing.T, data string) ([]member, error) {
	t.Helper()
	var got []member
	err := Members([]byte(data), func(name string, raw []byte) bool {
		got = append(got, member{name, string(raw)})
		return true
	})
	return got, err
}

func TestMembers(t *testing.T) {
	for _, tc := range []struct {
		data string
		want []member
	}{
		{`{}`, nil},
		{` null `, nil},
		{`{"a":1}`, []member{{"a", "1"}}},
		{" {\n \"a\" : -1.5e3 ,\t\"b\":true,\"c\":null} ",
			[]member{{"a", "-1.5e3"}, {"b", "true"}, {"c", "null"}}},
		{`{"s":"x,}]\"{[","o":{"p":[1,{"q":"}"}]},"l":[[],{}]}`,
			[]member{{"s", `"x,}]\"{["`}, {"o", `{"p":[1,{"q":"}"}]}`}, {"l", `[[],{}]`}}},
		{`{"a\"b":1,"\u00e9":2,"\\":3}`, []member{{`a"b`, "1"}, {"é", "2"}, {`\`, "3"}}},
		{`{"dup":1,"dup":2}`, []member{{"dup", "1"}, {"dup", "2"}}},
	} {
		got, err := walk(t, tc.data)
		if err != nil {
			t.Errorf("%s: %v", tc.data, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %q, want %q", tc.data, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: member %d is %q, want %q", tc.data, i, got[i], tc.want[i])
			}
		}
	}
}

func TestMembersRefusesOtherValues(t *testing.T) {
	for _, data := range []string{``, `  `, `[]`, `"s"`, `1`, `true`, `[{"a":1}]`} {
		if _, err := walk(t, data); !errors.Is(err, ErrNotObject) {
			t.Errorf("%q: err %v, want ErrNotObject", data, err)
		}
	}
}

// TestMembersRefusesBrokenObjects feeds what json.Valid refuses, which
// callers must not pass: Members still ends with an error, never a panic or
// a member that is not there.
func TestMembersRefusesBrokenObjects(t *testing.T) {
	const whole = `{"name":"get_device","arguments":{"device_id":"d-1"},"n":[1,2]}`
	for i := 1; i < len(whole); i++ {
		if _, err := walk(t, whole[:i]); err == nil {
			t.Errorf("%q: no error", whole[:i])
		}
	}
	for _, data := range []string{`{a:1}`, `{"a" 1}`, `{"a":}`, `{"\x":1}`, `{"a":1 "b":2`} {
		if _, err := walk(t, data); err == nil {
			t.Errorf("%q: no error", data)
		}
	}
}

func TestMembersStopsWhenAsked(t *testing.T) {
	n := 0
	err := Members([]byte(`{"a":1,"b":2,"c":3}`), func(string, []byte) bool { n++; return n < 2 })
	if err != nil || n != 2 {
		t.Fatalf("calls %d, err %v; want 2 calls and no error", n, err)
	}
}

// FuzzMembers checks Members against encoding/json on every valid object:
// the same names, each with the value encoding/json keeps last.
func FuzzMembers(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a":1}`, `{"a":{"b":[1,"]"]},"c":"\"}"}`,
		`{"\u0041":1,"A":2}`, " {\"x\" :\t[ ] } "} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		if !json.Valid(data) || json.Unmarshal(data, &want) != nil {
			// Not for Members, but it must still end, without a panic.
			_ = Members(data, func(string, []byte) bool { return true })
			return
		}
		got := map[string]json.RawMessage{}
		if err := Members(data, func(name string, raw []byte) bool {
			got[name] = raw
			return true
		}); err != nil {
			if want == nil {
				return // null
			}
			t.Fatalf("Members(%q): %v", data, err)
		}
		if want == nil {
			want = map[string]json.RawMessage{}
		}
		if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool {
			return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
		}) {
			t.Fatalf("Members(%q) = %q, encoding/json has %q", data, got, want)
		}
	})
}

func TestDepth(t *testing.T) {
	for _, tc := range []struct {
		data string
		want int
	}{
		{`1`, 0}, {`"[{"`, 0}, {`{}`, 1}, {`[1,2]`, 1}, {`{"a":[1]}`, 2},
		{`{"a":"]]]}}}","b":{"c":{"d":[]}}}`, 4}, {`[[],[[]],[]]`, 3}, {`{"\"{":1}`, 1},
	} {
		if got := Depth([]byte(tc.data)); got != tc.want {
			t.Errorf("Depth(%s) = %d, want %d", tc.data, got, tc.want)
		}
	}
}

// FuzzString: String reads every JSON string as encoding/json does, and
// refuses what it refuses.
//
//	go test ./internal/jsonscan -run '^$' -fuzz FuzzString -fuzztime 30s
func FuzzString(f *testing.F) {
	for _, seed := range []string{`""`, `"2024-05-01T10:00:00Z"`, `"a\"b"`, `"caf\u00e9"`,
		"\"caf\xc3\xa9\"", "\"\xff\"", `"a"b"`, `"`, `"tab	"`, `null`, `12`, `"\/"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := String(data)
		var want string
		wantErr := json.Unmarshal(data, &want)
		if (err == nil) != (wantErr == nil) || got != want {
			t.Fatalf("String(%q) = %q, %v; encoding/json: %q, %v", data, got, err, want, wantErr)
		}
	})
}
