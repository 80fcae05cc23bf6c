package xyte

import (
	"encoding/json"
	"reflect"
	"sync"
)

// Values of cached answers. A read served from the cache would decode the
// same body again on every hit, and on a warm path that decoding costs more
// than everything else the server does for the call. So the first decode of
// a shared answer keeps a copy of the value, and later decodes into the
// same type get a deep copy of that instead. Callers never see the kept
// value itself: each gets its own maps and slices, and may change them.

// keptFactor estimates the memory of a cached answer, kept value included,
// as a multiple of its body: values decoded from JSON (maps of interfaces,
// strings) take about three times the text they came from.
const keptFactor = 4

// Weight is the approximate memory, in bytes, that the answer takes in the
// read cache: its body and the value kept beside it.
func (r *Response) Weight() int { return keptFactor * len(r.Body) }

// keptValue is the decoded value of a shared answer, of one pointer type.
type keptValue struct {
	typ      reflect.Type  // the type decoded into, a pointer type
	val      reflect.Value // the value it pointed to; never handed out
	copyFunc copier        // copies val deeply; nil when assigning it does
}

// decodeInto decodes the answer's body into out. A shared answer keeps the
// value it decoded into and copies it into later outs of the same type.
func (r *Response) decodeInto(out any) error {
	dst := reflect.ValueOf(out)
	if !r.shared || dst.Kind() != reflect.Pointer || dst.IsNil() {
		return decodeInto(r.Body, out)
	}
	if k := r.kept.Load(); k != nil && k.typ == dst.Type() {
		copyValue(k.copyFunc, dst.Elem(), k.val)
		return nil
	}
	if err := decodeInto(r.Body, out); err != nil {
		return err
	}
	// The kept value is a copy of its own even when assignment copies it:
	// out stays the caller's, to change as it likes.
	t := dst.Type().Elem()
	k := &keptValue{typ: dst.Type(), val: reflect.New(t).Elem(), copyFunc: copierFor(t)}
	copyValue(k.copyFunc, k.val, dst.Elem())
	r.kept.Store(k)
	return nil
}

// copier sets dst, which is settable and of src's type, to a copy of src
// that shares no map, slice or pointer with it. Unexported fields (those of
// time.Time) are copied as they are; the types decoded from answers hold
// nothing else that could be shared. A copier sets all of dst, so dst may
// hold anything before.
type copier func(dst, src reflect.Value)

// copyValue copies src into dst with cp, or by assignment when cp is nil.
func copyValue(cp copier, dst, src reflect.Value) {
	if cp == nil {
		dst.Set(src)
		return
	}
	cp(dst, src)
}

// copiers holds the copier of each type copied so far; a type that
// assignment copies deeply holds a nil copier. Working out what a type
// needs walks all its fields, once, rather than on every copy.
var copiers sync.Map // reflect.Type -> copier

// copierFor returns the copier of t, nil if assignment copies t deeply.
func copierFor(t reflect.Type) copier {
	if cp, ok := copiers.Load(t); ok {
		return cp.(copier)
	}
	cp, _ := copiers.LoadOrStore(t, newCopier(t, map[reflect.Type]*copier{}))
	return cp.(copier)
}

// newCopier builds the copier of t. building holds the types whose copiers
// are being built, so that a type that refers to itself (through a pointer,
// map or slice) calls its own copier once that is built.
func newCopier(t reflect.Type, building map[reflect.Type]*copier) copier {
	if plain(t) {
		return nil
	}
	if cp := jsonCopier(t); cp != nil {
		return cp
	}
	if p, ok := building[t]; ok {
		return func(dst, src reflect.Value) { (*p)(dst, src) }
	}
	p := new(copier)
	building[t] = p
	switch t.Kind() {
	case reflect.Pointer:
		*p = pointerCopier(t, newCopier(t.Elem(), building))
	case reflect.Interface:
		*p = copyInterface
	case reflect.Map:
		*p = mapCopier(t, newCopier(t.Elem(), building))
	case reflect.Slice:
		*p = sliceCopier(t, newCopier(t.Elem(), building))
	case reflect.Array:
		*p = arrayCopier(newCopier(t.Elem(), building))
	case reflect.Struct:
		*p = structCopier(t, building)
	}
	return *p
}

// plain reports whether assigning a value of type t copies it deeply: it
// holds no pointer, map, slice or interface, other than in unexported
// fields, which are copied as they are. Channels and functions count as
// plain: a copy shares them.
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return false
	case reflect.Array:
		return t.Len() == 0 || plain(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && !plain(f.Type) {
				return false
			}
		}
	}
	return true
}

// pointerCopier copies what a pointer points to into a new variable.
func pointerCopier(t reflect.Type, elem copier) copier {
	return func(dst, src reflect.Value) {
		if src.IsNil() {
			dst.Set(src)
			return
		}
		p := reflect.New(t.Elem())
		copyValue(elem, p.Elem(), src.Elem())
		dst.Set(p)
	}
}

// copyInterface copies the value an interface holds, whatever its type.
func copyInterface(dst, src reflect.Value) {
	if src.IsNil() {
		dst.Set(src)
		return
	}
	dst.Set(reflect.ValueOf(copyAny(src.Interface())))
}

// mapCopier copies a map entry by entry. Keys are shared: a key cannot be
// changed in place.
func mapCopier(t reflect.Type, elem copier) copier {
	return func(dst, src reflect.Value) {
		if src.IsNil() {
			dst.Set(src)
			return
		}
		m := reflect.MakeMapWithSize(t, src.Len())
		key, val := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		out := val
		if elem != nil {
			out = reflect.New(t.Elem()).Elem()
		}
		for it := src.MapRange(); it.Next(); {
			key.SetIterKey(it)
			val.SetIterValue(it)
			if elem != nil {
				elem(out, val)
			}
			m.SetMapIndex(key, out)
		}
		dst.Set(m)
	}
}

// sliceCopier copies a slice into a new array of the same length.
func sliceCopier(t reflect.Type, elem copier) copier {
	if t.Elem().Kind() == reflect.Uint8 {
		return copyBytes
	}
	return func(dst, src reflect.Value) {
		if src.IsNil() {
			dst.Set(src)
			return
		}
		n := src.Len()
		s := reflect.MakeSlice(t, n, n)
		if elem == nil {
			reflect.Copy(s, src)
		} else {
			for i := range n {
				elem(s.Index(i), src.Index(i))
			}
		}
		dst.Set(s)
	}
}

// copyBytes copies a slice of bytes (a json.RawMessage, say) of any type.
func copyBytes(dst, src reflect.Value) {
	if src.IsNil() {
		dst.Set(src)
		return
	}
	dst.SetBytes(cloneBytes(src.Bytes()))
}

// arrayCopier copies an array element by element.
func arrayCopier(elem copier) copier {
	return func(dst, src reflect.Value) {
		for i := range src.Len() {
			elem(dst.Index(i), src.Index(i))
		}
	}
}

// structCopier assigns the whole struct and then copies again, deeply, only
// the fields that assignment shares.
func structCopier(t reflect.Type, building map[reflect.Type]*copier) copier {
	type field struct {
		index    int
		copyFunc copier
	}
	var deep []field
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			if cp := newCopier(f.Type, building); cp != nil {
				deep = append(deep, field{i, cp})
			}
		}
	}
	return func(dst, src reflect.Value) {
		dst.Set(src)
		for _, f := range deep {
			f.copyFunc(dst.Field(f.index), src.Field(f.index))
		}
	}
}

// jsonCopier returns a copier without reflection inside for the types that
// most of a decoded answer is made of: what encoding/json decodes into an
// interface (details, state) and the unknown fields every type keeps
// (Extra). It returns nil for other types.
func jsonCopier(t reflect.Type) copier {
	switch t {
	case reflect.TypeFor[map[string]any]():
		return func(dst, src reflect.Value) {
			dst.Set(reflect.ValueOf(copyObject(src.Interface().(map[string]any))))
		}
	case reflect.TypeFor[[]any]():
		return func(dst, src reflect.Value) {
			dst.Set(reflect.ValueOf(copyArray(src.Interface().([]any))))
		}
	case reflect.TypeFor[Extra]():
		return func(dst, src reflect.Value) {
			dst.Set(reflect.ValueOf(copyExtra(src.Interface().(Extra))))
		}
	}
	return nil
}

// copyAny returns a deep copy of x. The values encoding/json decodes into
// an interface are copied directly; others go through their type's copier.
// A plain value is returned as it is: the copy an interface holds cannot be
// changed in place.
func copyAny(x any) any {
	switch x := x.(type) {
	case nil, string, float64, bool, json.Number:
		return x
	case map[string]any:
		return copyObject(x)
	case []any:
		return copyArray(x)
	}
	v := reflect.ValueOf(x)
	cp := copierFor(v.Type())
	if cp == nil {
		return x
	}
	c := reflect.New(v.Type()).Elem()
	cp(c, v)
	return c.Interface()
}

func copyObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = copyAny(v)
	}
	return c
}

func copyArray(s []any) []any {
	if s == nil {
		return nil
	}
	c := make([]any, len(s))
	for i, v := range s {
		c[i] = copyAny(v)
	}
	return c
}

func copyExtra(e Extra) Extra {
	if e == nil {
		return nil
	}
	c := make(Extra, len(e))
	for k, v := range e {
		c[k] = cloneBytes(v)
	}
	return c
}

// cloneBytes copies b; nil stays nil, and empty stays empty but not nil.
func cloneBytes[B ~[]byte](b B) B {
	if b == nil {
		return nil
	}
	c := make(B, len(b))
	copy(c, b)
	return c
}
