package mcpserver

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"weak"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// effect says what a tool does to the fleet; it sets the tool's annotations.
type effect int

const (
	// read changes nothing.
	read effect = iota
	// write changes the hub's records but nothing physical.
	write
	// destructive deletes, claims, acts on hardware or notifies people.
	destructive
	// local changes only this server's state for the session, never the
	// fleet, so read-only servers keep it.
	local
)

// toolSpec describes a tool; the input and output schemas come from its types.
type toolSpec struct {
	name        string
	title       string
	description string
	effect      effect
	idempotent  bool
	// closedWorld marks a tool that never reaches the Xyte API.
	closedWorld bool
	// enums restricts string arguments to listed values.
	enums map[string][]string
}

// handlerFunc is a tool handler that has its tenant resolved.
type handlerFunc[In, Out any] func(ctx context.Context, c *call, in In) (*Out, error)

// call is what a handler knows about the call it serves.
type call struct {
	client  *xyte.Client  // carries the caller's key; never kept after the call
	tenant  string        // tenant id, never the key
	who     tenant.Tenant // the caller, for task ownership; zero if unknown
	session sessionRef    // the MCP session, for set_context; zero without one
}

// addTool registers a typed tool, unless it writes and the server is
// read-only. Failures become tool results with isError and a code.
func addTool[In, Out any](s *Server, spec toolSpec, h handlerFunc[In, Out]) {
	if spec.effect == write || spec.effect == destructive {
		s.writes[spec.name] = true
		if s.opts.ReadOnly {
			return
		}
	}
	s.tools[spec.name] = true
	t := &mcp.Tool{Name: spec.name, Title: spec.title, Description: spec.description,
		Annotations: spec.annotations(), InputSchema: inputSchema[In](spec)}
	typed := func(ctx context.Context, req *mcp.CallToolRequest, in In) (
		*mcp.CallToolResult, *Out, error) {
		c, err := s.resolve(ctx, req.Extra, req.Session)
		if err != nil {
			return nil, nil, failure(err)
		}
		out, err := h(ctx, c, in)
		if err != nil {
			return nil, nil, failure(err)
		}
		return nil, out, nil
	}
	mcp.AddTool(s.mcp, t, typed)
	s.direct[spec.name] = directFor(resolvedInput[In](spec), typed)
}

// annotations states the tool's effect honestly: all four hints are set.
func (spec toolSpec) annotations() *mcp.ToolAnnotations {
	a := &mcp.ToolAnnotations{Title: spec.title, ReadOnlyHint: spec.effect == read,
		IdempotentHint:  spec.idempotent || spec.effect == read,
		DestructiveHint: ptr(spec.effect == destructive), OpenWorldHint: ptr(!spec.closedWorld)}
	return a
}

// schemaCache keeps the resolved schemas of the tools, shared by every
// Server of the process: the tool set is fixed, so it stays small.
var schemaCache = mcp.NewSchemaCache()

// inputSchemas keeps each tool's input schema, so that every Server hands the
// same pointer to schemaCache. Schemas are never changed once built.
var inputSchemas sync.Map // inputKey -> *jsonschema.Schema

type inputKey struct {
	tool string
	in   reflect.Type
}

// inputSchema returns the schema of In with the spec's enums.
func inputSchema[In any](spec toolSpec) *jsonschema.Schema {
	key := inputKey{spec.name, reflect.TypeFor[In]()}
	if s, ok := inputSchemas.Load(key); ok {
		return s.(*jsonschema.Schema)
	}
	s, _ := inputSchemas.LoadOrStore(key, buildInputSchema[In](spec))
	return s.(*jsonschema.Schema)
}

// resolvedInputs keeps each tool's resolved input schema, for CallDirect.
var resolvedInputs sync.Map // inputKey -> *jsonschema.Resolved

// resolvedInput returns the resolved input schema of In, resolved as the SDK
// resolves it.
func resolvedInput[In any](spec toolSpec) *jsonschema.Resolved {
	key := inputKey{spec.name, reflect.TypeFor[In]()}
	if r, ok := resolvedInputs.Load(key); ok {
		return r.(*jsonschema.Resolved)
	}
	r, err := inputSchema[In](spec).Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		panic(fmt.Sprintf("tool %s: resolve input schema: %v", spec.name, err))
	}
	got, _ := resolvedInputs.LoadOrStore(key, r)
	return got.(*jsonschema.Resolved)
}

// buildInputSchema infers the schema of In and adds the spec's enums.
func buildInputSchema[In any](spec toolSpec) *jsonschema.Schema {
	schema, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", spec.name, err))
	}
	for name, values := range spec.enums {
		p, ok := schema.Properties[name]
		if !ok {
			panic(fmt.Sprintf("tool %s: enum for unknown argument %s", spec.name, name))
		}
		for _, v := range values {
			p.Enum = append(p.Enum, v)
		}
	}
	return schema
}

func ptr[T any](v T) *T { return &v }

// resolve finds the tenant of a call: the request's token info first, then
// the context, then the base client's own key (stdio, single-tenant).
func (s *Server) resolve(ctx context.Context, extra *mcp.RequestExtra,
	ss *mcp.ServerSession) (*call, error) {
	c := &call{session: sessionKey(ss)}
	t, ok := tenantOf(ctx, extra)
	switch {
	case ok:
		c.client, c.tenant, c.who = s.opts.Client.WithKey(t.Key()), t.ID(), t
	case s.opts.Client.HasKey():
		c.client, c.tenant, c.who = s.opts.Client, baseTenantID, s.base
	default:
		return nil, &toolError{code: xyte.CodeUnauthorized,
			msg: "no Xyte API key for this request: send one in the Authorization header"}
	}
	return c, nil
}

// tenantOf returns the tenant a request names, from its token info or else
// from the context.
func tenantOf(ctx context.Context, extra *mcp.RequestExtra) (tenant.Tenant, bool) {
	if extra != nil {
		if t, ok := tenant.FromTokenInfo(extra.TokenInfo); ok {
			return t, true
		}
	}
	return tenant.FromContext(ctx)
}

// baseTenantID names the tenant of the base client's key. The key itself is
// not readable from the client, and there is one such tenant per process.
const baseTenantID = "server-key"

// sessionRef names an MCP session: by its id when the transport gives one,
// else by the session object itself (stdio and in-memory sessions have no
// id). A weak pointer never matches a later session that reuses the memory.
type sessionRef struct {
	id  string
	ptr weak.Pointer[mcp.ServerSession]
}

func sessionKey(ss *mcp.ServerSession) sessionRef {
	switch {
	case ss == nil:
		return sessionRef{}
	case ss.ID() != "":
		return sessionRef{id: ss.ID()}
	default:
		return sessionRef{ptr: weak.Make(ss)}
	}
}

// isZero reports whether the call has no session.
func (r sessionRef) isZero() bool { return r == sessionRef{} }

// gone reports whether a session known only by its object has ended and
// been collected.
func (r sessionRef) gone() bool { return r.id == "" && r.ptr.Value() == nil }

// dryRunOr returns the plan of a write when dry is true; otherwise it runs do.
// The plan is checked either way, so a dry run refuses what a real call would.
func dryRunOr(dry bool, endpoint string, req xyte.Request, do func() error) (*fleet.Plan, error) {
	plan, err := fleet.PlanRequest(endpoint, req)
	if err != nil {
		return nil, err
	}
	if dry {
		return plan, nil
	}
	return nil, do()
}
