package xyte

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
)

// The usual upstream object. What the hub sends is nearly always plain:
// valid JSON of valid UTF-8, each member either named exactly as a field,
// once, or like none of them, and values of the kinds the fields hold.
// decodeFast decodes such an object by a plan made once per type (which
// field each name fills, and how) instead of encoding/json/v2's reflection
// on every value, and gives up on anything else, which decodeKeeping then
// decodes the other ways. FuzzDecodeKeepingAsV1 holds it to encoding/json's
// result.

// keptTypes are the types that keep unknown members through decodeKeeping:
// decodeFast fills a pointer to one by its plan, in place of its
// UnmarshalJSON. A type with another decoder of its own must not be here.
var keptTypes = map[reflect.Type]bool{
	reflect.TypeFor[Device]():        true,
	reflect.TypeFor[DeviceModel]():   true,
	reflect.TypeFor[DeviceSpace]():   true,
	reflect.TypeFor[Command]():       true,
	reflect.TypeFor[HistoryRecord](): true,
	reflect.TypeFor[Space]():         true,
	reflect.TypeFor[Incident]():      true,
	reflect.TypeFor[Ticket]():        true,
	reflect.TypeFor[Comment]():       true,
	reflect.TypeFor[OrgInfo]():       true,
}

// fastKind is how decodeFast fills a field.
type fastKind uint8

const (
	fastNone      fastKind = iota // not at all: decodeKeeping decodes the object
	fastString                    // a string
	fastBool                      // a boolean
	fastMethod                    // by the field's own UnmarshalJSON (Time, FlexInt, FlexString)
	fastAnyMap                    // a map[string]any
	fastKeptValue                 // a pointer to a type that keeps unknown fields
)

// fastField is the field a member name fills.
type fastField struct {
	index int
	kind  fastKind
	kept  *fastPlan // of the pointed-to type, for fastKeptValue
}

// fastPlan is how decodeFast decodes one type.
type fastPlan struct {
	fields map[string]fastField
	known  *fieldNames
	extra  int // the index of the type's own Extra field, -1 if none
}

var (
	fastPlans   sync.Map // reflect.Type -> *fastPlan, complete
	fastPlansMu sync.Mutex
)

var (
	extraType       = reflect.TypeFor[Extra]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	anyMapType      = reflect.TypeFor[map[string]any]()
)

// planFor returns the plan of struct type t.
func planFor(t reflect.Type) *fastPlan {
	if p, ok := fastPlans.Load(t); ok {
		return p.(*fastPlan)
	}
	fastPlansMu.Lock()
	defer fastPlansMu.Unlock()
	building := map[reflect.Type]*fastPlan{}
	p := buildPlan(t, building)
	// Published only now, when every plan it leads to is complete.
	for t, p := range building {
		fastPlans.Store(t, p)
	}
	return p
}

func buildPlan(t reflect.Type, building map[reflect.Type]*fastPlan) *fastPlan {
	if p, ok := fastPlans.Load(t); ok {
		return p.(*fastPlan)
	}
	if p, ok := building[t]; ok {
		return p // a type that leads back to itself
	}
	p := &fastPlan{fields: map[string]fastField{}, known: knownFields(t), extra: -1}
	building[t] = p
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case f.Anonymous:
			// encoding/json promotes an embedded struct's fields: no plan.
			p.fields, p.known = nil, nil
			return p
		case f.Type == extraType && tag == "-":
			p.extra = i
			continue
		case tag == "-" || !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		field := fastField{index: i}
		if opts == "" || opts == "omitempty" {
			field.kind, field.kept = fastKindOf(f.Type, building)
		}
		p.fields[name] = field
	}
	return p
}

// fastKindOf returns how decodeFast fills a field of type t.
func fastKindOf(t reflect.Type, building map[reflect.Type]*fastPlan) (fastKind, *fastPlan) {
	switch {
	case t == anyMapType:
		return fastAnyMap, nil
	case t.Kind() == reflect.Pointer && keptTypes[t.Elem()]:
		if p := buildPlan(t.Elem(), building); p.extra >= 0 && p.fields != nil {
			return fastKeptValue, p
		}
	case t.Kind() == reflect.Pointer:
		// Any other pointer: left to decodeKeeping.
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return fastMethod, nil
	case reflect.PointerTo(t).Implements(textType):
		// encoding/json would decode a string through UnmarshalText.
	case t.Kind() == reflect.String:
		return fastString, nil
	case t.Kind() == reflect.Bool:
		return fastBool, nil
	}
	return fastNone, nil
}

// decodeFast decodes data into v, a zero value, and the members no field
// takes into extra, as decodeKeeping does, if data is the usual upstream
// object. It reports false otherwise, maybe having filled v in part.
func decodeFast[T any](data []byte, v *T, extra *Extra) bool {
	// Repeated names are allowed here, as by encoding/json: a repeated
	// field is left to decodeKeeping, a repeated other member kept last.
	if !jsontext.Value(data).IsValid(jsontext.AllowDuplicateNames(true)) {
		return false
	}
	return planFor(reflect.TypeFor[T]()).decode(data, reflect.ValueOf(v).Elem(), extra)
}

// decode fills v, a struct of p's type, from data, a valid JSON value.
func (p *fastPlan) decode(data []byte, v reflect.Value, extra *Extra) bool {
	if p.fields == nil {
		return false
	}
	ok := true
	var seen uint64 // the fields filled, by index
	err := jsonscan.MemberBytes(data, func(name, raw []byte) bool {
		f, named := p.fields[string(name)]
		if !named {
			// A name like a field's but for case, encoding/json decodes
			// into that field: that is left to decodeKeeping.
			unknown := string(name)
			if ok = !p.known.take(unknown); ok {
				if *extra == nil {
					*extra = Extra{}
				}
				(*extra)[unknown] = bytes.Clone(raw)
			}
			return ok
		}
		if f.index >= 64 || seen&(1<<f.index) != 0 {
			ok = false
			return ok
		}
		seen |= 1 << f.index
		ok = f.set(v.Field(f.index), raw)
		return ok
	})
	return err == nil && ok
}

// set fills field from raw, a valid JSON value, as encoding/json would
// decode raw into a zero field, or reports false.
func (f fastField) set(field reflect.Value, raw []byte) bool {
	if f.kind == fastMethod {
		return field.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw) == nil
	}
	if raw[0] == 'n' {
		return f.kind != fastNone // null leaves a field as it is
	}
	switch f.kind {
	case fastString:
		if raw[0] != '"' {
			return false
		}
		s, err := jsonscan.String(raw)
		field.SetString(s)
		return err == nil
	case fastBool:
		if raw[0] != 't' && raw[0] != 'f' {
			return false
		}
		field.SetBool(raw[0] == 't')
		return true
	case fastAnyMap:
		if raw[0] != '{' {
			return false
		}
		m, ok := jsonscan.DecodeAny(raw)
		if ok {
			field.Set(reflect.ValueOf(m))
		}
		return ok
	case fastKeptValue:
		if raw[0] != '{' {
			return false
		}
		ptr := reflect.New(field.Type().Elem())
		elem := ptr.Elem()
		field.Set(ptr)
		return f.kept.decode(raw, elem, elem.Field(f.kept.extra).Addr().Interface().(*Extra))
	}
	return false
}
