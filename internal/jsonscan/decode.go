package jsonscan

import (
	"bytes"
	"strconv"
)

// maxDecodeDepth is how deeply DecodeAny follows nested objects and arrays
// before it leaves the value to encoding/json.
const maxDecodeDepth = 32

// DecodeAny decodes data, valid JSON (see Members), as encoding/json decodes
// it into an any: objects as map[string]any (the last of repeated names
// kept), arrays as []any, numbers as float64. It reports false for what it
// leaves to encoding/json: a number beyond float64, nesting deeper than 32.
func DecodeAny(data []byte) (any, bool) {
	return decodeAny(bytes.Trim(data, " \t\r\n"), 0)
}

func decodeAny(raw []byte, depth int) (any, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		s, err := String(raw)
		return s, err == nil
	case '{':
		if depth > maxDecodeDepth {
			return nil, false
		}
		m := map[string]any{}
		ok := true
		err := Members(raw, func(name string, value []byte) bool {
			m[name], ok = decodeAny(value, depth+1)
			return ok
		})
		return m, err == nil && ok
	case '[':
		if depth > maxDecodeDepth {
			return nil, false
		}
		list := []any{}
		ok := true
		err := Elements(raw, func(e []byte) bool {
			var v any
			v, ok = decodeAny(e, depth+1)
			list = append(list, v)
			return ok
		})
		return list, err == nil && ok
	case 't':
		return true, true
	case 'f':
		return false, true
	case 'n':
		return nil, true
	}
	// A number inside data ends where its value does (see skipValue).
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}
