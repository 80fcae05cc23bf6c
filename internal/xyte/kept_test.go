package xyte

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

// copyOf returns a deep copy of *p, as a new pointer.
func copyOf[T any](p *T) *T {
	c := new(T)
	copyValue(copierFor(reflect.TypeFor[T]()), reflect.ValueOf(c).Elem(), reflect.ValueOf(p).Elem())
	return c
}

// copyLeaf has fields a plain assignment would share.
type copyLeaf struct {
	N int
	P *int
	M map[string]int
	S []string
}

func newLeaf(n int) copyLeaf {
	return copyLeaf{N: n, P: &n, M: map[string]int{"n": n}, S: []string{"a", "b"}}
}

func changeLeaf(l *copyLeaf) {
	*l.P = -1
	l.M["n"] = -1
	l.M["new"] = 1
	l.S[0] = "changed"
}

// copyPlainPart is copied by assignment alone.
type copyPlainPart struct {
	A int
	B string
	T Time
	C [2]float64
}

// copyError holds a map behind an error interface.
type copyError struct{ Fields map[string]string }

func (e *copyError) Error() string { return "copy error" }

// copyNode refers to itself through a pointer, a slice and a map.
type copyNode struct {
	Name   string
	Next   *copyNode
	Kids   []copyNode
	ByName map[string]*copyNode
}

type copyParams map[string]any

// copyOuter nests everything a copier handles, in every place it can be.
type copyOuter struct {
	Plain      copyPlainPart
	Leaf       copyLeaf
	Arr        [2]copyLeaf
	PArr       [2]*int
	Empty      [0]*int
	Any        any // a map of a type JSON never decodes into
	AnyPtr     any
	AnyStruct  any
	AnyNilMap  any
	AnyNilPtr  any
	AnyNumber  any
	NilAny     any
	Err        error
	Named      copyParams
	Structs    map[string]copyLeaf
	Ptrs       map[string]*copyLeaf
	Raw        map[string]json.RawMessage
	Bytes      []byte
	EmptyBytes []byte
	NilBytes   []byte
	NilMap     map[string]any
	NilPtr     *copyLeaf
	NilSlice   []copyLeaf
	EmptySlice []any
	Leaves     []copyLeaf
	Ints       []int
	JSON       map[string]any
	Extra      Extra
	Node       copyNode
	hidden     map[string]int // copied as it is, and never changed here
}

func newOuter() *copyOuter {
	two := 2
	ptr := newLeaf(5)
	node := copyNode{Name: "root", Kids: []copyNode{{Name: "kid"}}}
	node.Next = &copyNode{Name: "next", ByName: map[string]*copyNode{"x": {Name: "x"}}}
	return &copyOuter{
		Plain:      copyPlainPart{A: 1, B: "b", T: Time{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}},
		Leaf:       newLeaf(1),
		Arr:        [2]copyLeaf{newLeaf(2), newLeaf(3)},
		PArr:       [2]*int{&two, nil},
		Any:        map[string]int{"k": 1},
		AnyPtr:     &ptr,
		AnyStruct:  newLeaf(6),
		AnyNilMap:  map[string]any(nil),
		AnyNilPtr:  (*int)(nil),
		AnyNumber:  int64(7),
		Err:        &copyError{Fields: map[string]string{"f": "v"}},
		Named:      copyParams{"inner": map[string]any{"x": 1.0}},
		Structs:    map[string]copyLeaf{"a": newLeaf(7), "b": newLeaf(8)},
		Ptrs:       map[string]*copyLeaf{"a": {M: map[string]int{}}, "b": {M: map[string]int{}}},
		Raw:        map[string]json.RawMessage{"r": json.RawMessage(`{"a":1}`)},
		Bytes:      []byte("bytes"),
		EmptyBytes: []byte{},
		EmptySlice: []any{},
		Leaves:     []copyLeaf{newLeaf(9), newLeaf(10)},
		Ints:       []int{1, 2},
		JSON: map[string]any{"s": "x", "n": 1.5, "b": true, "null": nil, "num": json.Number("3"),
			"list": []any{map[string]any{"deep": []any{"a"}}, nil, []any(nil)}, "nilmap": map[string]any(nil)},
		Extra:  Extra{"e": json.RawMessage(`"e"`), "empty": json.RawMessage{}, "nil": nil},
		Node:   node,
		hidden: map[string]int{"h": 1},
	}
}

// changeOuter changes every map, slice, array and pointer target it can
// reach in o, except the unexported field.
func changeOuter(o *copyOuter) {
	o.Plain.A = -1
	changeLeaf(&o.Leaf)
	changeLeaf(&o.Arr[0])
	changeLeaf(&o.Arr[1])
	*o.PArr[0] = -1
	o.Any.(map[string]int)["k"] = -1
	changeLeaf(o.AnyPtr.(*copyLeaf))
	l := o.AnyStruct.(copyLeaf)
	changeLeaf(&l)
	var ce *copyError
	if !errors.As(o.Err, &ce) {
		panic("Err is not a *copyError")
	}
	ce.Fields["f"] = "changed"
	o.Named["inner"].(map[string]any)["x"] = "changed"
	for _, l := range o.Structs {
		changeLeaf(&l)
	}
	o.Ptrs["a"].M["changed"] = 1
	o.Ptrs["b"].N = -1
	o.Raw["r"][0] = 'X'
	o.Bytes[0] = 'X'
	changeLeaf(&o.Leaves[0])
	o.Ints[0] = -1
	list := o.JSON["list"].([]any)
	list[0].(map[string]any)["deep"].([]any)[0] = "changed"
	list[1] = "changed"
	o.JSON["s"] = "changed"
	o.Extra["e"][0] = 'X'
	o.Node.Kids[0].Name = "changed"
	o.Node.Next.Name = "changed"
	o.Node.Next.ByName["x"].Name = "changed"
}

// TestCopiesShareNothing copies a value that holds every kind of field a
// copier handles, nested in structs, arrays, maps and interfaces, then
// changes everything the copy holds. The copy must equal the original, and
// the original must not change, even with several copies changed at once
// (run with -race, a map shared by two copies fails there too).
func TestCopiesShareNothing(t *testing.T) {
	t.Parallel()
	orig, want := newOuter(), newOuter()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			c := copyOf(orig)
			if !reflect.DeepEqual(c, want) {
				t.Errorf("copy differs from the original:\n%+v\n%+v", c, want)
				return
			}
			if c.Ptrs["a"] == c.Ptrs["b"] || c.Ptrs["a"] == orig.Ptrs["a"] {
				t.Error("copied map entries share a pointer")
			}
			changeOuter(c)
			if reflect.DeepEqual(c, want) {
				t.Error("changeOuter changed nothing")
			}
		})
	}
	wg.Wait()
	if !reflect.DeepEqual(orig, want) {
		t.Fatalf("changing copies changed the original:\n%+v\n%+v", orig, want)
	}
}

// TestCopiesKeepNilAndEmpty: nil stays nil and empty stays empty, wherever
// they are, so a copy encodes as the original does (null against []).
func TestCopiesKeepNilAndEmpty(t *testing.T) {
	t.Parallel()
	c := copyOf(newOuter())
	checks := map[string]bool{
		"nil bytes":             c.NilBytes == nil,
		"empty bytes":           c.EmptyBytes != nil && len(c.EmptyBytes) == 0,
		"nil map":               c.NilMap == nil,
		"nil pointer":           c.NilPtr == nil,
		"nil slice":             c.NilSlice == nil,
		"empty slice":           c.EmptySlice != nil,
		"nil interface":         c.NilAny == nil,
		"interface of nil map":  c.AnyNilMap != nil && c.AnyNilMap.(map[string]any) == nil,
		"interface of nil *int": c.AnyNilPtr != nil && c.AnyNilPtr.(*int) == nil,
		"nil in a JSON list":    c.JSON["list"].([]any)[1] == nil,
		"nil list in a list":    c.JSON["list"].([]any)[2] != nil && c.JSON["list"].([]any)[2].([]any) == nil,
		"nil map in an object":  c.JSON["nilmap"].(map[string]any) == nil,
		"nil extra value":       c.Extra["nil"] == nil,
		"empty extra value":     c.Extra["empty"] != nil,
		"nil extra":             copyOf(&Device{}).Extra == nil,
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s: not kept", name)
		}
	}
	// The same in what encoding/json writes: null against [] and {}.
	o := newOuter()
	o.Extra = nil // json.RawMessage{} does not encode
	c = copyOf(o)
	got, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(o)
	if string(got) != string(want) {
		t.Fatalf("the copy encodes as\n%s\nthe original as\n%s", got, want)
	}
}

// TestKeptValueIsNotTheCallers decodes shared answers into types that
// assignment copies whole, then changes what the first caller got: the
// next caller must still get the answer, not the change.
func TestKeptValueIsNotTheCallers(t *testing.T) {
	t.Parallel()
	check := func(name, body string, out, again any, change func()) {
		t.Helper()
		r := &Response{Body: json.RawMessage(body), shared: true}
		if err := r.decodeInto(out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := reflect.New(reflect.TypeOf(out).Elem())
		if err := json.Unmarshal([]byte(body), want.Interface()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		change()
		if err := r.decodeInto(again); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := reflect.ValueOf(again).Elem().Interface(); !reflect.DeepEqual(got, want.Elem().Interface()) {
			t.Errorf("%s: got %v after the first caller changed its value, want %v",
				name, got, want.Elem())
		}
	}
	var n, n2 int
	check("int", `7`, &n, &n2, func() { n = 8 })
	var s, s2 string
	check("string", `"a"`, &s, &s2, func() { s = "b" })
	var a, a2 [2]int
	check("array", `[1,2]`, &a, &a2, func() { a[0] = 9 })
	type pair struct {
		A int
		B string
	}
	var p, p2 pair
	check("struct", `{"A":1,"B":"b"}`, &p, &p2, func() { p.B = "changed" })
	var m, m2 map[string]any
	check("map", `{"a":{"b":[1]}}`, &m, &m2, func() { m["a"].(map[string]any)["b"].([]any)[0] = "x" })
}

// TestKeptValueFollowsTheType: an answer decoded into another type than the
// one kept is decoded from its body, and then kept instead.
func TestKeptValueFollowsTheType(t *testing.T) {
	t.Parallel()
	r := &Response{Body: json.RawMessage(deviceJSON), shared: true}
	var d Device
	var m map[string]any
	var d2 Device
	for _, out := range []any{&d, &m, &d2} {
		if err := r.decodeInto(out); err != nil {
			t.Fatal(err)
		}
	}
	if d.Name == "" || m["name"] != d.Name || !reflect.DeepEqual(d, d2) {
		t.Fatalf("device %+v, map %v, device again %+v", d, m, d2)
	}
	if k := r.kept.Load(); k == nil || k.typ != reflect.TypeFor[*Device]() {
		t.Fatal("the last type decoded into is not the one kept")
	}
	var bad struct{ Name int }
	if err := r.decodeInto(&bad); err == nil {
		t.Fatal("a body that does not fit the type decoded without an error")
	}
}
