package xyte

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
)

// Extra holds the fields of an upstream object that its Go type does not
// name, so that nothing the hub sends is dropped on the way to a caller.
type Extra map[string]json.RawMessage

// Time is an upstream timestamp. It decodes ISO 8601 with or without
// fractional seconds, with or without a zone (UTC assumed), and null or ""
// as the zero time, which encodes back as null.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	s, err := jsonscan.String(data)
	if err != nil {
		return errors.New("timestamp is not a string")
	}
	parsed, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// ParseTime parses an upstream timestamp; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("timestamp " + strconv.Quote(s) + " is not ISO 8601")
}

// FlexInt is an integer id (such as a space id) that the hub may send as a
// JSON number or as a numeric string. null decodes as 0.
type FlexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *FlexInt) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		*n = 0
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		s, err := jsonscan.String(data)
		if err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
		data = []byte(s)
	}
	v, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return errors.New("id " + strconv.Quote(string(data)) + " is not an integer")
	}
	*n = FlexInt(v)
	return nil
}

// FlexString is an id that the hub may send as a JSON string or number.
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *FlexString) UnmarshalJSON(data []byte) error {
	switch {
	case bytes.Equal(data, []byte("null")):
		*s = ""
	case len(data) > 0 && data[0] == '"':
		v, err := jsonscan.String(data)
		if err != nil {
			return err
		}
		*s = FlexString(v)
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return errors.New("id is neither a string nor a number")
		}
		*s = FlexString(n.String())
	}
	return nil
}

// Page is one page of a list. The hub has several envelopes: a bare array,
// {"items": [...]}, {"data": [...]} or {"tickets": [...]}, with paging told by
// has_next_page, next_page or page_info. Page accepts them all and encodes as
// {"items": [...], "has_next_page": ...}.
type Page[T any] struct {
	Items []T
	// HasNextPage is set when the hub said whether another page follows.
	HasNextPage *bool
	// NextPage is set when the hub named the next page number.
	NextPage *int
	// TotalCount is set when the hub told the total number of items.
	TotalCount *int
}

// More reports whether another page follows, as far as the envelope says.
// Envelopes that say nothing (a bare array) report false.
func (p *Page[T]) More() bool {
	if p.HasNextPage != nil {
		return *p.HasNextPage
	}
	return p.NextPage != nil
}

type pageEnvelope struct {
	Items       json.RawMessage `json:"items"`
	Data        json.RawMessage `json:"data"`
	Tickets     json.RawMessage `json:"tickets"`
	HasNextPage *bool           `json:"has_next_page"`
	NextPage    *int            `json:"next_page"`
	PageInfo    *struct {
		HasNext    *bool `json:"has_next"`
		TotalCount *int  `json:"total_count"`
	} `json:"page_info"`
	TotalCount *int `json:"total_count"`
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *Page[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	*p = Page[T]{}
	switch {
	case len(data) == 0, bytes.Equal(data, []byte("null")):
		return nil
	case data[0] == '[':
		return json.Unmarshal(data, &p.Items)
	}
	var env pageEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return err
	}
	p.HasNextPage, p.NextPage, p.TotalCount = env.HasNextPage, env.NextPage, env.TotalCount
	if env.PageInfo != nil {
		if p.HasNextPage == nil {
			p.HasNextPage = env.PageInfo.HasNext
		}
		if p.TotalCount == nil {
			p.TotalCount = env.PageInfo.TotalCount
		}
	}
	for _, raw := range []json.RawMessage{env.Items, env.Data, env.Tickets} {
		if len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
			return json.Unmarshal(raw, &p.Items)
		}
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (p Page[T]) MarshalJSON() ([]byte, error) {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return json.Marshal(struct {
		Items       []T  `json:"items"`
		HasNextPage bool `json:"has_next_page"`
		TotalCount  *int `json:"total_count,omitempty"`
	}{items, p.More(), p.TotalCount})
}

// decodeOptions make encoding/json/v2 decode as encoding/json does: names
// matched without regard to case (as strings.EqualFold has it), repeated
// names taken, the last one winning, invalid UTF-8 replaced, and null
// leaving a value as it is. FuzzDecodeKeepingAsV1 holds them to that.
var decodeOptions = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true), jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true), jsonv1.MergeWithLegacySemantics(true))

// decodeKeeping decodes data into v (a struct with no custom decoder) and
// puts every member that no field of v takes into extra.
//
// Three ways lead there, each deciding only what the one before leaves:
// the usual upstream object, into a zero value, by a plan made once per
// type (decodeFast); other data by encoding/json/v2 (its
// github.com/go-json-experiment/json mirror; Go 1.27 makes it the standard
// library's), which took two thirds of the time encoding/json does for a
// device; and what v2 refuses, by encoding/json afresh, which decides, with
// its own errors. All three give what encoding/json gives
// (FuzzDecodeKeepingAsV1).
func decodeKeeping[T any](data []byte, v *T, extra *Extra) error {
	if reflect.ValueOf(v).Elem().IsZero() {
		if decodeFast(data, v, extra) {
			return nil
		}
		*v, *extra = *new(T), nil
	}
	if jsonv2.Unmarshal(data, v, decodeOptions) != nil {
		*v = *new(T)
		return decodeKeepingV1(data, v, extra)
	}
	keepUnknown(data, knownFields(reflect.TypeFor[T]()), extra)
	return nil
}

// decodeKeepingV1 is decodeKeeping with encoding/json alone.
func decodeKeepingV1[T any](data []byte, v *T, extra *Extra) error {
	if err := json.Unmarshal(data, v); err != nil {
		*extra = nil
		return err
	}
	keepUnknown(data, knownFields(reflect.TypeFor[T]()), extra)
	return nil
}

// keepUnknown sets extra to the members of data that none of the fields
// named by known takes (the last, where a name repeats). data is an object
// or null that decoded into the struct those fields belong to.
func keepUnknown(data []byte, known *fieldNames, extra *Extra) {
	*extra = nil
	_ = jsonscan.Members(data, func(name string, raw []byte) bool {
		if !known.take(name) {
			if *extra == nil {
				*extra = Extra{}
			}
			(*extra)[name] = bytes.Clone(raw)
		}
		return true
	})
}

// encodeKeeping encodes v (a struct with no custom encoder) and adds the
// fields of extra that v does not already hold, in name order.
func encodeKeeping(v any, extra Extra) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return data, err
	}
	// data encodes a struct, so it is an object.
	present := make(map[string]bool, 16)
	if err := jsonscan.Members(data, func(name string, _ []byte) bool {
		present[name] = true
		return true
	}); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		if !present[name] {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return data, nil
	}
	sort.Strings(names)
	out := data[:len(data)-1] // without the closing brace
	for _, name := range names {
		// Marshal checks and compacts the value as it would inside a map.
		value, err := json.Marshal(extra[name])
		if err != nil {
			return nil, err
		}
		key, _ := json.Marshal(name)
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, key...), ':'), value...)
	}
	return append(out, '}'), nil
}

var knownFieldsCache sync.Map // reflect.Type -> *fieldNames

// fieldNames are the JSON names of a struct type's fields, as they are and
// folded (see appendFolded).
type fieldNames struct {
	exact, folded map[string]bool
}

// take reports whether encoding/json decodes a member of this name into one
// of the fields: one of the same name or, failing that, one whose name
// differs only in case (as strings.EqualFold has it).
func (f *fieldNames) take(name string) bool {
	if f.exact[name] {
		return true
	}
	var buf [64]byte
	return f.folded[string(appendFolded(buf[:0], name))]
}

// appendFolded appends name folded as encoding/json folds member names:
// two names fold alike exactly when strings.EqualFold holds for them.
func appendFolded(out []byte, name string) []byte {
	for i := 0; i < len(name); {
		if c := name[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(name[i:])
		i += n
		// The smallest rune of its fold set.
		for {
			next := unicode.SimpleFold(r)
			if next <= r {
				r = next
				break
			}
			r = next
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// knownFields returns the JSON names of a struct type's fields.
func knownFields(t reflect.Type) *fieldNames {
	if m, ok := knownFieldsCache.Load(t); ok {
		return m.(*fieldNames)
	}
	m := &fieldNames{exact: map[string]bool{}, folded: map[string]bool{}}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case name == "":
			name = f.Name
		}
		m.exact[name] = true
		m.folded[string(appendFolded(nil, name))] = true
	}
	knownFieldsCache.Store(t, m)
	return m
}
