package mcpserver

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
)

// Plain arguments. Most tools take a few named strings and booleans, such as
// get_device's device_id. For those, the SDK's way to arguments (a map, the
// validator, the map encoded again and decoded into the input type) costs
// more than the rest of a cached call. plainArgs checks such arguments in
// one pass over their members and decodes them straight into the input
// type, which gives the same value: strings and booleans do not change on
// the way through a map. Anything it is not sure of, it leaves to the SDK's
// way, which then decides.

// plainArgs is the input schema of a tool whose arguments are all strings or
// booleans (each maybe null, strings maybe from an enum), with no others
// allowed and no defaults.
type plainArgs struct {
	props    map[string]plainProp
	required []string
	plan     atomic.Pointer[plainFields] // of the input type last decoded into
}

// plainProp is the schema of one argument: the JSON types it may have, and
// the values a string must be one of, when listed.
type plainProp struct {
	str, boolean, null bool
	enum               []string
}

// newPlainArgs returns the plainArgs of schema, or nil when the schema uses
// anything else: a keyword other than those below, another type, a default,
// or other properties allowed. It reads the schema as JSON, so that a
// keyword it does not know of can never be skipped.
func newPlainArgs(schema *jsonschema.Schema) *plainArgs {
	data, err := json.Marshal(schema)
	if err != nil {
		return nil
	}
	var top struct {
		Type                 string                     `json:"type"`
		Properties           map[string]json.RawMessage `json:"properties"`
		Required             []string                   `json:"required"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
	}
	if !onlyKeywords(data, "type", "properties", "required", "additionalProperties",
		"description", "title") || json.Unmarshal(data, &top) != nil ||
		top.Type != "object" || top.AdditionalProperties == nil || *top.AdditionalProperties {
		return nil
	}
	p := &plainArgs{props: make(map[string]plainProp, len(top.Properties)),
		required: top.Required}
	for name, raw := range top.Properties {
		prop, ok := newPlainProp(raw)
		if !ok {
			return nil
		}
		p.props[name] = prop
	}
	for _, name := range top.Required {
		if _, ok := p.props[name]; !ok {
			return nil
		}
	}
	return p
}

// newPlainProp reads the schema of one argument.
func newPlainProp(raw json.RawMessage) (plainProp, bool) {
	var s struct {
		Type json.RawMessage `json:"type"`
		Enum []any           `json:"enum"`
	}
	if !onlyKeywords(raw, "type", "description", "title", "enum") ||
		json.Unmarshal(raw, &s) != nil {
		return plainProp{}, false
	}
	var types []string
	if json.Unmarshal(s.Type, &types) != nil {
		var one string
		if json.Unmarshal(s.Type, &one) != nil {
			return plainProp{}, false
		}
		types = []string{one}
	}
	var p plainProp
	for _, t := range types {
		switch t {
		case "string":
			p.str = true
		case "boolean":
			p.boolean = true
		case "null":
			p.null = true
		default:
			return plainProp{}, false
		}
	}
	if s.Enum != nil {
		// An enum of strings only, on a string-only argument.
		if p.boolean || p.null || !p.str {
			return plainProp{}, false
		}
		for _, v := range s.Enum {
			str, ok := v.(string)
			if !ok {
				return plainProp{}, false
			}
			p.enum = append(p.enum, str)
		}
	}
	return p, p.str || p.boolean
}

// onlyKeywords reports whether data is a JSON object whose member names are
// all among names.
func onlyKeywords(data []byte, names ...string) bool {
	ok := true
	err := jsonscan.Members(data, func(name string, _ []byte) bool {
		ok = slices.Contains(names, name)
		return ok
	})
	return err == nil && ok
}

// decode decodes args, a JSON object, into in and reports whether they pass
// the schema. false means only that plainArgs is not sure: the caller goes
// the SDK's way, which decides. Repeated names are left to it too.
func (p *plainArgs) decode(args []byte, in any) bool {
	// Valid checks the syntax that Members assumes; null, which it takes for
	// an empty object, is not arguments.
	args = bytes.TrimLeft(args, " \t\r\n")
	if len(args) == 0 || args[0] != '{' || !json.Valid(args) {
		return false
	}
	v := reflect.ValueOf(in).Elem()
	fields := p.fieldsOf(v.Type())
	if fields == nil && json.Unmarshal(args, in) != nil {
		return false
	}
	var seen [8]string
	n := 0
	ok := true
	err := jsonscan.Members(args, func(name string, raw []byte) bool {
		prop, known := p.props[name]
		if !known || n == len(seen) || slices.Contains(seen[:n], name) {
			ok = false
			return false
		}
		seen[n] = name
		n++
		ok = prop.accepts(raw)
		if ok && fields != nil {
			ok = fields[name].set(v, raw)
		}
		return ok
	})
	if err != nil || !ok {
		return false
	}
	for _, name := range p.required {
		if !slices.Contains(seen[:n], name) {
			return false
		}
	}
	return true
}

// plainField is the field of an input type that an argument decodes into:
// a string or a boolean that decodes as encoding/json decodes such a kind,
// with no decoder of its own.
type plainField struct {
	index int
	kind  reflect.Kind
}

// set decodes raw, a valid JSON value the argument's schema accepts, into
// the field of v as encoding/json would: null leaves it as it is.
func (f plainField) set(v reflect.Value, raw []byte) bool {
	switch {
	case raw[0] == 'n':
		return true
	case raw[0] == '"' && f.kind == reflect.String:
		s, err := jsonscan.String(raw)
		v.Field(f.index).SetString(s)
		return err == nil
	case (raw[0] == 't' || raw[0] == 'f') && f.kind == reflect.Bool:
		v.Field(f.index).SetBool(raw[0] == 't')
		return true
	}
	return false
}

// plainFields maps each argument to its field in one input type.
type plainFields struct {
	typ    reflect.Type
	fields map[string]plainField // nil: not every argument has a plain field
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fieldsOf returns the field of t, a struct type, that each argument
// decodes into, or nil when an argument has none that set can fill, so that
// encoding/json decodes the arguments instead.
func (p *plainArgs) fieldsOf(t reflect.Type) map[string]plainField {
	if pf := p.plan.Load(); pf != nil && pf.typ == t {
		return pf.fields
	}
	pf := &plainFields{typ: t, fields: make(map[string]plainField, len(p.props))}
	if t.Kind() != reflect.Struct {
		pf.fields = nil
		p.plan.Store(pf)
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if _, ok := p.props[name]; !ok || tag == "-" || !f.IsExported() || f.Anonymous {
			continue
		}
		_, twice := pf.fields[name] // encoding/json fills neither
		ptr := reflect.PointerTo(f.Type)
		if twice || (opts != "" && opts != "omitempty") ||
			ptr.Implements(jsonUnmarshaler) || ptr.Implements(textUnmarshaler) ||
			(f.Type.Kind() != reflect.String && f.Type.Kind() != reflect.Bool) {
			pf.fields = nil
			break
		}
		pf.fields[name] = plainField{index: i, kind: f.Type.Kind()}
	}
	if len(pf.fields) != len(p.props) {
		pf.fields = nil
	}
	p.plan.Store(pf)
	return pf.fields
}

// accepts reports whether raw, a valid JSON value, passes the argument's
// schema.
func (p plainProp) accepts(raw []byte) bool {
	switch raw[0] {
	case '"':
		if !p.str {
			return false
		}
		if p.enum == nil {
			return true
		}
		s, err := jsonscan.String(raw)
		return err == nil && slices.Contains(p.enum, s)
	case 't', 'f':
		return p.boolean
	case 'n':
		return p.null
	}
	return false
}
