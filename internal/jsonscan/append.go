package jsonscan

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// The appenders below write values exactly as encoding/json encodes them,
// HTML-safe strings and sorted map keys included, for the hot paths that
// encode the same few shapes again and again (a device view, its state and
// details): encoding/json finds its way through such a value by reflection
// each time, and sorts a map's keys through a slice of reflect values. What
// they do not handle themselves, they hand to encoding/json.

// AppendString appends text encoded as encoding/json encodes a string.
// Printable ASCII without <, > and &, which most text is, needs only its
// quotes and backslashes escaped, and is copied in runs between them;
// anything else goes through encoding/json.
func AppendString[T ~string | ~[]byte](buf []byte, text T) []byte {
	start, run := len(buf), 0
	buf = append(buf, '"')
	for i := range len(text) {
		switch c := text[i]; {
		case c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&':
			data, _ := json.Marshal(string(text)) // a string always encodes
			return append(buf[:start], data...)
		case c == '"' || c == '\\':
			buf = append(append(buf, text[run:i]...), '\\', c)
			run = i + 1
		}
	}
	return append(append(buf, text[run:]...), '"')
}

// maxAnyDepth is how deeply AppendAny nests before it leaves a value to
// encoding/json, which refuses a map that contains itself.
const maxAnyDepth = 64

// AppendAny appends v, a value as encoding/json decodes JSON into an any
// (string, float64, bool, nil, map[string]any, []any), encoded as
// encoding/json encodes it. Other values are encoded by encoding/json.
func AppendAny(buf []byte, v any) ([]byte, error) { return appendAny(buf, v, 0) }

func appendAny(buf []byte, v any, depth int) ([]byte, error) {
	if depth > maxAnyDepth {
		return appendMarshaled(buf, v)
	}
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		return AppendString(buf, v), nil
	case bool:
		return strconv.AppendBool(buf, v), nil
	case float64:
		return AppendFloat(buf, v)
	case map[string]any:
		return appendMap(buf, v, depth)
	case []any:
		if v == nil {
			return append(buf, "null"...), nil
		}
		buf = append(buf, '[')
		for i, e := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendAny(buf, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	}
	return appendMarshaled(buf, v)
}

// AppendMap appends m encoded as encoding/json encodes a map[string]any:
// null when nil, its members in the order of their names.
func AppendMap(buf []byte, m map[string]any) ([]byte, error) { return appendMap(buf, m, 0) }

func appendMap(buf []byte, m map[string]any, depth int) ([]byte, error) {
	if m == nil {
		return append(buf, "null"...), nil
	}
	var small [16]string
	names := small[:0]
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	buf = append(buf, '{')
	for i, name := range names {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(AppendString(buf, name), ':')
		var err error
		if buf, err = appendAny(buf, m[name], depth+1); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// AppendFloat appends f as encoding/json encodes a float64: the shortest
// decimal that reads back as f, in exponent form only below 1e-6 and from
// 1e21 on. NaN and the infinities have no JSON form and are an error, as
// there.
func AppendFloat(buf []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendMarshaled(buf, f) // encoding/json's own error
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// e-07 is written e-7.
		if n := len(buf); n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf, nil
}

func appendMarshaled(buf []byte, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, data...), nil
}
