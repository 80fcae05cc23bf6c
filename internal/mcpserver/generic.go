package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// maxCallBody bounds the upstream body xyte_api_call returns to the model.
const maxCallBody = 512 << 10

type endpointsIn struct {
	Group    string `json:"group,omitempty" jsonschema:"only this group, such as devices or tickets"`
	Method   string `json:"method,omitempty" jsonschema:"only endpoints with this HTTP method"`
	Text     string `json:"text,omitempty" jsonschema:"text to find in key, path or description"`
	ReadOnly *bool  `json:"read_only,omitempty" jsonschema:"true: only reads; false: only writes"`
}

type endpointSummary struct {
	Key         string `json:"key"`
	Group       string `json:"group"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Class       string `json:"class" jsonschema:"read, write or destructive"`
	SideEffect  bool   `json:"side_effect,omitempty" jsonschema:"acts on hardware or notifies people"`
	Description string `json:"description"`
}

type endpointsOut struct {
	Endpoints []endpointSummary `json:"endpoints"`
}

type describeIn struct {
	Endpoint string `json:"endpoint" jsonschema:"endpoint key, such as devices.getDevice"`
}

type describeOut struct {
	endpointSummary
	Params       []xyte.Param `json:"params"`
	NeedsConfirm bool         `json:"needs_confirm" jsonschema:"xyte_api_call needs confirm equal to the key"`
}

type apiCallIn struct {
	Endpoint string         `json:"endpoint" jsonschema:"endpoint key, such as devices.getDevice"`
	Params   map[string]any `json:"params,omitempty" jsonschema:"parameters by name, flat (path, query and body alike)"`
	Confirm  string         `json:"confirm,omitempty" jsonschema:"the endpoint key again, for destructive endpoints"`
	DryRun   bool           `json:"dry_run,omitempty" jsonschema:"only check params and return the request"`
}

type apiCallOut struct {
	Endpoint string      `json:"endpoint"`
	Status   int         `json:"status,omitempty" jsonschema:"HTTP status of the hub's answer"`
	Body     any         `json:"body,omitempty" jsonschema:"the hub's JSON answer"`
	Plan     *fleet.Plan `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

func (s *Server) addGenericTools() {
	addTool(s, toolSpec{name: "xyte_endpoints_list", title: "List Xyte API endpoints",
		effect: read, closedWorld: true,
		description: "List the Xyte Organization API endpoints that xyte_api_call can call, " +
			"filtered by group, method, text or read-only.",
	}, s.listEndpoints)
	addTool(s, toolSpec{name: "xyte_endpoint_describe", title: "Describe a Xyte API endpoint",
		effect: read, closedWorld: true,
		description: "Describe one endpoint: method, path, class and every parameter with " +
			"its place (path, query or body), type and whether it is required.",
	}, s.describeEndpoint)
	spec := toolSpec{name: "xyte_api_call", title: "Call a Xyte API endpoint", effect: destructive,
		description: "Call any Xyte Organization API endpoint by key, with flat params. " +
			"Params are checked against the endpoint before anything is sent. Destructive " +
			"endpoints (DELETE) need confirm set to the endpoint key. Prefer the dedicated " +
			"tools; use dry_run to see the request first."}
	if s.opts.ReadOnly {
		spec.effect, spec.idempotent = read, true
		spec.description = "Call a read (GET) endpoint of the Xyte Organization API by key, " +
			"with flat params checked against the endpoint first. This server is read-only: " +
			"write endpoints are refused."
	}
	addTool(s, spec, s.callEndpoint)
}

// offered reports whether the generic tools offer an endpoint: organization
// endpoints only (partner keys see every organization), reads only on a
// read-only server.
func (s *Server) offered(ep xyte.Endpoint) bool {
	return ep.API == xyte.APIOrganization && (ep.ReadOnly() || !s.opts.ReadOnly)
}

func (s *Server) listEndpoints(_ context.Context, _ *call, in endpointsIn) (*endpointsOut, error) {
	out := &endpointsOut{Endpoints: []endpointSummary{}}
	for _, ep := range xyte.Catalog() {
		if s.offered(ep) && in.matches(ep) {
			out.Endpoints = append(out.Endpoints, summary(ep))
		}
	}
	return out, nil
}

func (in endpointsIn) matches(ep xyte.Endpoint) bool {
	text := strings.ToLower(ep.Key + " " + ep.Path + " " + ep.Description)
	return (in.Group == "" || strings.EqualFold(ep.Group, in.Group)) &&
		(in.Method == "" || strings.EqualFold(ep.Method, in.Method)) &&
		(in.Text == "" || strings.Contains(text, strings.ToLower(in.Text))) &&
		(in.ReadOnly == nil || *in.ReadOnly == ep.ReadOnly())
}

func summary(ep xyte.Endpoint) endpointSummary {
	return endpointSummary{Key: ep.Key, Group: ep.Group, Method: ep.Method, Path: ep.Path,
		Class: string(ep.Class), SideEffect: ep.SideEffect, Description: ep.Description}
}

func (s *Server) describeEndpoint(_ context.Context, _ *call, in describeIn) (*describeOut, error) {
	ep, err := s.endpoint(in.Endpoint)
	if err != nil {
		return nil, err
	}
	params := ep.Params
	if params == nil {
		params = []xyte.Param{}
	}
	return &describeOut{endpointSummary: summary(ep), Params: params,
		NeedsConfirm: needsConfirm(ep)}, nil
}

// endpoint looks up an endpoint the generic tools offer.
func (s *Server) endpoint(key string) (xyte.Endpoint, error) {
	ep, ok := xyte.Lookup(key)
	switch {
	case !ok:
		return ep, invalid("endpoint", "unknown endpoint key; list them with xyte_endpoints_list")
	case ep.API != xyte.APIOrganization:
		return ep, forbidden("endpoint: partner API endpoints are not offered by this server")
	case !s.offered(ep):
		return ep, forbidden("endpoint: " + key + " writes, and this server is read-only")
	}
	return ep, nil
}

// needsConfirm reports whether a call must repeat the endpoint key in confirm.
func needsConfirm(ep xyte.Endpoint) bool {
	return ep.Method == http.MethodDelete || ep.Class == xyte.ClassDestructive
}

func (s *Server) callEndpoint(ctx context.Context, c *call, in apiCallIn) (*apiCallOut, error) {
	ep, err := s.endpoint(in.Endpoint)
	if err != nil {
		return nil, err
	}
	req, err := ep.BuildRequest(in.Params)
	if err != nil {
		return nil, fmt.Errorf("check params of %s: %w", ep.Key, err)
	}
	out := &apiCallOut{Endpoint: ep.Key}
	if in.DryRun {
		out.Plan, err = fleet.PlanRequest(ep.Key, req)
		return out, err
	}
	if needsConfirm(ep) && in.Confirm != ep.Key {
		return nil, invalid("confirm", fmt.Sprintf("%s is destructive: set confirm to %q to call it",
			ep.Key, ep.Key))
	}
	resp, err := c.client.Call(ctx, ep.Key, req)
	if err != nil {
		return nil, fmt.Errorf("call %s: %w", ep.Key, err)
	}
	out.Status = resp.StatusCode
	out.Body, err = callBody(resp.Body)
	return out, err
}

// callBody decodes an upstream body for the model, refusing one too large to
// be useful in a context window.
func callBody(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if len(raw) > maxCallBody {
		return nil, &toolError{code: xyte.CodeUpstream, msg: fmt.Sprintf(
			"the answer is %d bytes, more than %d: ask for a smaller page", len(raw), maxCallBody)}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, &toolError{code: xyte.CodeUpstream, msg: "the answer is not JSON"}
	}
	return v, nil
}
