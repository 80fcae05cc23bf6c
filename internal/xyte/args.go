package xyte

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// BuildRequest checks flat arguments (name to JSON value, as a tool call
// carries them) against the endpoint's parameters and sorts them into path,
// query and body. Unknown names, missing required parameters, wrong types and
// values outside an enum are refused with an *ArgumentError naming the
// parameter. Nothing is sent.
func (e Endpoint) BuildRequest(args map[string]any) (Request, error) {
	if err := e.checkNames(args); err != nil {
		return Request{}, err
	}
	req := Request{Path: map[string]string{}, Query: url.Values{}}
	var body map[string]any
	for _, p := range e.Params {
		v, ok := args[p.Name]
		if !ok || v == nil {
			if p.Required {
				return Request{}, argError(p.Name, "is required")
			}
			continue
		}
		v, err := p.check(v)
		if err != nil {
			return Request{}, err
		}
		switch p.In {
		case InPath:
			req.Path[p.Name] = scalarText(v)
		case InQuery:
			req.Query.Set(p.Name, scalarText(v))
		case InBody:
			if body == nil {
				body = map[string]any{}
			}
			body[p.Name] = v
		}
	}
	if body != nil {
		req.Body = body
	}
	return req, nil
}

// checkNames refuses argument names the endpoint does not have.
func (e Endpoint) checkNames(args map[string]any) error {
	var unknown []string
	for name := range args {
		if _, ok := e.Param(name); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	known := make([]string, 0, len(e.Params))
	for _, p := range e.Params {
		known = append(known, p.Name)
	}
	reason := "is not a parameter of " + e.Key
	if len(known) > 0 {
		reason += " (known: " + strings.Join(known, ", ") + ")"
	}
	return argError(strings.Join(unknown, ", "), reason)
}

// check returns v converted to the parameter's type, or an error naming it.
func (p Param) check(v any) (any, error) {
	out, ok := convert(p.Type, v)
	if !ok {
		return nil, argError(p.Name, "must be of type "+string(p.Type))
	}
	if p.In == InPath {
		if err := ValidateID(p.Name, scalarText(out)); err != nil {
			return nil, err
		}
	}
	if len(p.Enum) > 0 && !slices.Contains(p.Enum, scalarText(out)) {
		return nil, argError(p.Name, "must be one of "+strings.Join(p.Enum, ", "))
	}
	return out, nil
}

// convert checks v against a parameter type. Integers may arrive as JSON
// numbers or numeric strings, booleans as "true" or "false".
func convert(t ParamType, v any) (any, bool) {
	switch t {
	case TypeString:
		s, ok := v.(string)
		return s, ok
	case TypeInteger:
		return toInt(v)
	case TypeBoolean:
		return toBool(v)
	case TypeObject:
		m, ok := v.(map[string]any)
		return m, ok
	case TypeArray:
		a, ok := v.([]any)
		return a, ok
	default:
		return v, true
	}
}

func toInt(v any) (any, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return nil, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return nil, false
}

func toBool(v any) (any, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		parsed, err := strconv.ParseBool(b)
		return parsed, err == nil
	}
	return nil, false
}

// scalarText formats a converted path or query value. The catalog gives path
// and query parameters only the string, integer and boolean types.
func scalarText(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
