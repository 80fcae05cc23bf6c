package fleet

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Plan is the request a write would send. Dry runs return it and send
// nothing. It never holds a key.
type Plan struct {
	DryRun   bool                `json:"dry_run" jsonschema:"always true: nothing was sent"`
	Endpoint string              `json:"endpoint" jsonschema:"catalog key of the endpoint"`
	Method   string              `json:"method"`
	Path     string              `json:"path" jsonschema:"request path below the hub root"`
	Query    map[string][]string `json:"query,omitempty"`
	Body     any                 `json:"body,omitempty" jsonschema:"JSON body that would be sent"`
}

// PlanRequest checks a request against its endpoint, as the client would
// before sending it, and returns what would be sent.
func PlanRequest(endpoint string, req xyte.Request) (*Plan, error) {
	ep, ok := xyte.Lookup(endpoint)
	if !ok {
		return nil, &xyte.ArgumentError{Name: "endpoint", Reason: "unknown endpoint key"}
	}
	path, err := fillPath(ep, req.Path)
	if err != nil {
		return nil, err
	}
	p := &Plan{DryRun: true, Endpoint: ep.Key, Method: ep.Method, Path: path}
	if len(req.Query) > 0 {
		p.Query = req.Query
	}
	if req.Body != nil {
		if ep.Method == http.MethodGet || ep.Method == http.MethodDelete {
			reason := "a " + ep.Method + " request carries no body"
			return nil, &xyte.ArgumentError{Name: "body", Reason: reason}
		}
		if p.Body, err = jsonValue(req.Body); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// fillPath fills the endpoint's path template, one escaped segment per value.
func fillPath(ep xyte.Endpoint, values map[string]string) (string, error) {
	var b strings.Builder
	b.WriteString(ep.API.Prefix())
	rest := ep.Path
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := open + strings.IndexByte(rest[open:], '}')
		name := rest[open+1 : end]
		v, ok := values[name]
		if !ok {
			return "", &xyte.ArgumentError{Name: name, Reason: "is required"}
		}
		if err := xyte.ValidateID(name, v); err != nil {
			return "", err
		}
		if p, _ := ep.Param(name); p.Type == xyte.TypeInteger {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return "", &xyte.ArgumentError{Name: name, Reason: "must be an integer"}
			}
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(v))
		rest = rest[end+1:]
	}
	b.WriteString(rest)
	return b.String(), nil
}

// jsonValue converts a body to plain JSON values, as it would be encoded.
func jsonValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, &xyte.ArgumentError{Name: "body", Reason: "cannot be encoded as JSON"}
	}
	var out any
	_ = json.Unmarshal(data, &out) // data came from json.Marshal, so it decodes
	return out, nil
}
