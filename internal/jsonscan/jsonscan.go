// Package jsonscan reads and writes JSON on the server's hot paths without
// reflection: it walks the members of an object without decoding their
// values (the edge checks every JSON-RPC message, the client keeps the
// fields a type does not name), decodes a value into an any, and encodes
// strings, floats and decoded maps, each exactly as encoding/json would,
// where encoding/json's general machinery costs more than the rest of the
// work.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// ErrNotObject reports data that is not a JSON object or null.
var ErrNotObject = errors.New("jsonscan: not a JSON object")

// ErrNotArray reports data that is not a JSON array.
var ErrNotArray = errors.New("jsonscan: not a JSON array")

// Members calls fn with the name and raw value of each member of data, in
// order, until fn returns false. data must be valid JSON (json.Valid, or it
// decoded without error): Members checks its shape, not its syntax. null
// has no members. Names read as encoding/json reads them; values are
// sub-slices of data.
func Members(data []byte, fn func(name string, raw []byte) bool) error {
	return MemberBytes(data, func(name, raw []byte) bool { return fn(string(name), raw) })
}

// MemberBytes is Members with each name as bytes, valid only during the
// call to fn: a name without escapes is a sub-slice of data, so that a
// caller that only looks names up allocates nothing for them.
func MemberBytes(data []byte, fn func(name, raw []byte) bool) error {
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
		name := key[1 : len(key)-1]
		if !Plain(key) {
			s, err := String(key)
			if err != nil {
				return err
			}
			name = []byte(s)
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

// Elements calls fn with the raw value of each element of data, a JSON
// array, in order, until fn returns false. Like Members, it checks the
// shape of data, not its syntax.
func Elements(data []byte, fn func(raw []byte) bool) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return ErrNotArray
	}
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != ']' {
		end := skipValue(data, i)
		if end == i {
			return ErrNotArray
		}
		if !fn(data[i:end]) {
			return nil
		}
		i = skipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	if i >= len(data) {
		return ErrNotArray
	}
	return nil
}

// String returns the value of the JSON string data as encoding/json reads
// it, and its error for anything else. A string with no escapes or control
// characters, of valid UTF-8, is the text between its quotes, taken without
// a decoder.
func String(data []byte) (string, error) {
	if Plain(data) {
		return string(data[1 : len(data)-1]), nil
	}
	var s string
	err := json.Unmarshal(data, &s)
	return s, err
}

// Plain reports whether data is a JSON string whose value is the text
// between its quotes: no escapes, no control characters, valid UTF-8.
func Plain(data []byte) bool {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return false
	}
	text := data[1 : len(data)-1]
	for _, c := range text {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(text)
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
