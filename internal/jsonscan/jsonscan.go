// Package jsonscan walks the members of a JSON object without decoding their
// values. The server reads member names on hot paths (the edge checks every
// JSON-RPC message, the client keeps the fields a type does not name), where
// a full decode into a map, or encoding/json's token reader, costs more than
// the rest of the work.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// ErrNotObject reports data that is not a JSON object or null.
var ErrNotObject = errors.New("jsonscan: not a JSON object")

// Members calls fn with the name and raw value of each member of data, in
// order, until fn returns false. data must be valid JSON (json.Valid, or it
// decoded without error): Members checks its shape, not its syntax. null
// has no members. Names read as encoding/json reads them; values are
// sub-slices of data.
func Members(data []byte, fn func(name string, raw []byte) bool) error {
	i := skipSpace(data, 0)
	if bytes.HasPrefix(data[i:], []byte("null")) {
		return nil
	}
	if i >= len(data) || data[i] != '{' {
		return ErrNotObject
	}
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != '}' {
		if data[i] != '"' {
			return ErrNotObject
		}
		end := skipString(data, i)
		key := data[i:end]
		if len(key) < 2 || key[len(key)-1] != '"' {
			return ErrNotObject // cut short
		}
		var name string
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			// Escapes, and invalid UTF-8 that encoding/json replaces.
			if err := json.Unmarshal(key, &name); err != nil {
				return err
			}
		} else {
			name = string(key[1 : len(key)-1])
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return ErrNotObject
		}
		i = skipSpace(data, i+1)
		end = skipValue(data, i)
		if end == i {
			return ErrNotObject
		}
		if !fn(name, data[i:end]) {
			return nil
		}
		i = skipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	if i >= len(data) {
		return ErrNotObject
	}
	return nil
}

// Depth returns how deeply arrays and objects nest in data, a JSON value:
// 0 for a scalar, 1 for {} or [1], 2 for {"a":[1]}.
func Depth(data []byte) int {
	depth, deepest := 0, 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			i = skipString(data, i) - 1
		case '{', '[':
			depth++
			deepest = max(deepest, depth)
		case '}', ']':
			depth--
		}
	}
	return deepest
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string that starts at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// skipValue returns the index after the value that starts at i.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for ; i < len(data); i++ {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
