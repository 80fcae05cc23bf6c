package mcpserver

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

// plainIn has every kind of argument plainArgs checks: a required string, an
// optional one, one from an enum, a boolean and a nullable boolean.
type plainIn struct {
	ID    string `json:"id"`
	Note  string `json:"note,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Dry   bool   `json:"dry,omitempty"`
	Force *bool  `json:"force,omitempty"`
}

// plainFlatIn takes the same arguments as plainIn into fields that
// plainArgs fills itself (plainIn's *bool it leaves to encoding/json).
type plainFlatIn struct {
	ID    string `json:"id"`
	Note  string `json:"note,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Dry   bool   `json:"dry,omitempty"`
	Force bool   `json:"force,omitempty"`
}

func plainSchema(t testing.TB) (*jsonschema.Resolved, *plainArgs) {
	t.Helper()
	spec := toolSpec{name: "plain_args_test", enums: map[string][]string{"kind": {"a", "b"}}}
	input := resolvedInput[plainIn](spec)
	p := newPlainArgs(input.Schema())
	if p == nil {
		t.Fatal("newPlainArgs = nil for a schema of strings and booleans")
	}
	return input, p
}

// checkPlain requires that whenever plainArgs takes args, the SDK's way
// takes them too and hands the handler the same value, whether plainArgs
// fills the fields itself (plainFlatIn) or has encoding/json fill them
// (plainIn); and that it takes the same arguments either way.
func checkPlain(t *testing.T, input *jsonschema.Resolved, p *plainArgs, args string) bool {
	t.Helper()
	took := checkPlainInto[plainIn](t, input, p, args)
	if flat := checkPlainInto[plainFlatIn](t, input, p, args); flat != took {
		t.Fatalf("%s: plainArgs took it = %v into its own fields, %v through encoding/json",
			args, flat, took)
	}
	return took
}

func checkPlainInto[In any](t *testing.T, input *jsonschema.Resolved, p *plainArgs,
	args string) bool {
	t.Helper()
	var fast In
	took := p.decode([]byte(args), &fast)
	slow, ok := directArgs[In](input, false, json.RawMessage(args))
	if !took {
		return false
	}
	if !ok {
		t.Fatalf("%s: plainArgs took arguments the SDK refuses", args)
	}
	fastJSON, _ := json.Marshal(fast)
	slowJSON, _ := json.Marshal(slow)
	if string(fastJSON) != string(slowJSON) {
		t.Fatalf("%s into %T: plainArgs decoded %s, the SDK's way %s", args, fast, fastJSON, slowJSON)
	}
	return true
}

// TestPlainFields: plainArgs fills string and boolean fields itself, and
// leaves to encoding/json any input type with a field it would decode
// differently.
func TestPlainFields(t *testing.T) {
	t.Parallel()
	_, p := plainSchema(t)
	type (
		quoted struct {
			ID string `json:"id,string"`
		}
		ignored struct {
			ID string `json:"-"`
		}
		decoder struct {
			ID  string      `json:"id"`
			Dry flagDecoder `json:"dry"`
		}
		missing struct {
			ID string `json:"id"`
		}
	)
	// Two fields of one name, which go vet would refuse in a literal type.
	twice := reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"id"`},
		{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"id"`},
	})
	tests := []struct {
		name  string
		in    reflect.Type
		plain bool
	}{
		{"strings and booleans", reflect.TypeFor[plainFlatIn](), true},
		{"a pointer", reflect.TypeFor[plainIn](), false},
		{"a string option", reflect.TypeFor[quoted](), false},
		{"a name twice", twice, false},
		{"an ignored field", reflect.TypeFor[ignored](), false},
		{"a decoder of its own", reflect.TypeFor[decoder](), false},
		{"an argument without a field", reflect.TypeFor[missing](), false},
		{"not a struct", reflect.TypeFor[map[string]any](), false},
	}
	for _, tt := range tests {
		got := p.fieldsOf(tt.in) != nil
		if got != tt.plain {
			t.Errorf("%s: filled by plainArgs = %v, want %v", tt.name, got, tt.plain)
		}
	}
}

// flagDecoder decodes itself.
type flagDecoder bool

func (f *flagDecoder) UnmarshalJSON(data []byte) error {
	*f = string(data) == "true"
	return nil
}

// TestPlainArgsAgreeWithTheSDK: the one-pass check takes the usual arguments
// and gives what the SDK's validator and decoding give; everything it is
// unsure of (wrong types, unknown or repeated names, a missing required
// one, a value outside the enum, escapes it does not read) it leaves to them.
func TestPlainArgsAgreeWithTheSDK(t *testing.T) {
	t.Parallel()
	input, p := plainSchema(t)
	tests := []struct {
		args string
		take bool
	}{
		{`{"id":"d1"}`, true},
		{`{"id":"d1","note":"h\u00e9llo \"x\"","kind":"b","dry":true,"force":false}`, true},
		{`{"force":null,"id":""}`, true},
		{` { "id" : "d1" , "dry" : false } `, true},
		{"{\"id\":\"caf\xc3\xa9 \xff\"}", true}, // invalid UTF-8 becomes U+FFFD either way
		{`null`, false},
		{` {"id":"x"}`, true},
		{`{}`, false}, // id is required
		{`{"note":"x"}`, false},
		{`{"id":1}`, false},
		{`{"id":null}`, false},
		{`{"id":"d1","dry":"true"}`, false},
		{`{"id":"d1","kind":"c"}`, false},
		{`{"id":"d1","kind":"\u0061"}`, true}, // "a", escaped
		{`{"id":"d1","ID":"d2"}`, false},
		{`{"Id":"d1"}`, false},
		{`{"id":"d1","id":"d2"}`, false},
		{`{"id":"d1","extra":1}`, false},
		{`{"id":"d1","force":[true]}`, false},
		{`{"id":"d1"`, false},
		{`[]`, false},
		{``, false},
	}
	for _, tt := range tests {
		if took := checkPlain(t, input, p, tt.args); took != tt.take {
			t.Errorf("%s: plainArgs took it = %v, want %v", tt.args, took, tt.take)
		}
	}
}

// TestPlainArgsSchemas: plainArgs serves the tools that take only strings
// and booleans, such as get_device, and no schema with anything more.
func TestPlainArgsSchemas(t *testing.T) {
	t.Parallel()
	if newPlainArgs(resolvedInput[deviceIn](toolSpec{name: "get_device"}).Schema()) == nil {
		t.Error("get_device's arguments are not checked in one pass")
	}
	for _, schema := range []string{
		`{"type":"object","properties":{"n":{"type":"integer"}},"additionalProperties":false}`,
		`{"type":"object","properties":{"s":{"type":"string","default":"x"}},"additionalProperties":false}`,
		`{"type":"object","properties":{"s":{"type":"string","minLength":2}},"additionalProperties":false}`,
		`{"type":"object","properties":{"s":{"type":"string"}}}`,
		`{"type":"object","properties":{"s":{"type":"string"}},"additionalProperties":true}`,
		`{"type":"object","properties":{"o":{"type":"object"}},"additionalProperties":false}`,
		`{"type":"object","properties":{"b":{"type":"boolean","enum":[true]}},"additionalProperties":false}`,
		`{"type":"object","properties":{"s":{"type":"string","enum":[1]}},"additionalProperties":false}`,
		`{"type":"object","required":["x"],"properties":{},"additionalProperties":false}`,
		`{"type":"object","properties":{},"additionalProperties":false,"minProperties":1}`,
		`{"type":"array"}`,
	} {
		var s jsonschema.Schema
		if err := json.Unmarshal([]byte(schema), &s); err != nil {
			t.Fatal(err)
		}
		if newPlainArgs(&s) != nil {
			t.Errorf("plainArgs serves %s", schema)
		}
	}
}

// FuzzPlainArgs: for any arguments plainArgs takes, the SDK's way takes them
// too, with the same value.
//
//	go test ./internal/mcpserver -run '^$' -fuzz FuzzPlainArgs -fuzztime 1m
func FuzzPlainArgs(f *testing.F) {
	for _, seed := range []string{`{"id":"d1"}`, `{"id":"a\u0000b","kind":"a","force":null}`,
		`{"id":"d1","dry":true,"note":""}`, `{"id":"x","id":"y"}`, `{"ID":"x"}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, args string) {
		input, p := plainSchema(t)
		checkPlain(t, input, p, args)
	})
}

// BenchmarkToolArgs measures get_device's arguments on the way to the
// handler, the SDK's way and in one pass.
//
//	go test ./internal/mcpserver -run '^$' -bench ToolArgs -benchmem
func BenchmarkToolArgs(b *testing.B) {
	input := resolvedInput[deviceIn](toolSpec{name: "get_device"})
	args := json.RawMessage(`{"device_id":"6aedb6c5-3d8c-480a-bf17-41ab1cbf2f9a"}`)
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := directArgs[deviceIn](input, false, args); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		p := newPlainArgs(input.Schema())
		b.ReportAllocs()
		for b.Loop() {
			var in deviceIn
			if !p.decode(args, &in) {
				b.Fatal("refused")
			}
		}
	})
}
