package xyte

import (
	"reflect"
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
	typ reflect.Type  // the type decoded into, a pointer type
	val reflect.Value // the value it pointed to; never handed out
}

// decodeInto decodes the answer's body into out. A shared answer keeps the
// value it decoded into and copies it into later outs of the same type.
func (r *Response) decodeInto(out any) error {
	dst := reflect.ValueOf(out)
	if !r.shared || dst.Kind() != reflect.Pointer || dst.IsNil() {
		return decodeInto(r.Body, out)
	}
	if k := r.kept.Load(); k != nil && k.typ == dst.Type() {
		dst.Elem().Set(deepCopy(k.val))
		return nil
	}
	if err := decodeInto(r.Body, out); err != nil {
		return err
	}
	r.kept.Store(&keptValue{typ: dst.Type(), val: deepCopy(dst.Elem())})
	return nil
}

// deepCopy returns a copy of v that shares no map, slice or pointer with
// it. Unexported fields (those of time.Time) are copied as they are; the
// types decoded from answers hold nothing else that could be shared.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(deepCopy(v.Elem()))
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		if v.Type().Elem().Kind() == reflect.Uint8 {
			reflect.Copy(c, v)
			return c
		}
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if f := c.Field(i); f.CanSet() {
				f.Set(deepCopy(v.Field(i)))
			}
		}
		return c
	}
	return v
}
