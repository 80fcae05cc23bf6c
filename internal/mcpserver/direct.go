package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Direct calls. In stateless mode the SDK's Streamable HTTP handler builds a
// session for every request and decodes each message several times, each
// time with a fresh 32 KiB buffer (docs/known-issues.md), which costs a
// tool call far more than the tool itself. CallDirect serves the request
// agents send most, a tools/call of a registered tool whose arguments pass
// its input schema, without that session: through the same middleware
// (read-only refusal, failure codes, audit, rate limits, metrics) to the
// same handler, with the result the SDK would build. Everything else, and
// any call CallDirect declines, goes to the SDK, which answers it.

// directTool checks the arguments of one tool and, when they pass its input
// schema, returns the handler that runs the tool with them.
type directTool func(args json.RawMessage) (mcp.ToolHandler, bool)

// use adds a receiving middleware to the MCP server and to the direct path.
// As with the SDK, the middleware added last runs first.
func (s *Server) use(mw mcp.Middleware) {
	s.middleware = append(s.middleware, mw)
	s.mcp.AddReceivingMiddleware(mw)
}

// CallDirect calls the tool name with args for a request that has no
// session. ok is false, and nothing has run, when the tool is unknown or the
// arguments do not pass its input schema: the caller then hands the request
// to the SDK, which answers with the error. Otherwise the result and error
// are what the SDK's method handler would return.
func (s *Server) CallDirect(ctx context.Context, extra *mcp.RequestExtra, name string,
	args json.RawMessage) (*mcp.CallToolResult, bool, error) {
	prepare, ok := s.direct[name]
	if !ok {
		return nil, false, nil
	}
	tool, ok := prepare(args)
	if !ok {
		return nil, false, nil
	}
	var h mcp.MethodHandler = func(ctx context.Context, _ string, req mcp.Request) (mcp.Result, error) {
		res, err := tool(ctx, req.(*mcp.CallToolRequest))
		if err == nil && res != nil && res.Content == nil {
			res.Content = []mcp.Content{} // as the SDK does: never null
		}
		return res, err
	}
	for _, mw := range s.middleware {
		h = mw(h)
	}
	req := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: name, Arguments: args},
		Extra: extra}
	res, err := h(ctx, "tools/call", req)
	if err != nil {
		return nil, true, err
	}
	r, ok := res.(*mcp.CallToolResult)
	if !ok {
		return nil, true, fmt.Errorf("tool %s: unexpected result %T", name, res)
	}
	return r, true, nil
}

// directFor returns the direct form of a typed tool handler: its arguments
// are checked as the SDK checks them (decoded, given the schema's defaults,
// validated, encoded again and decoded into In; plain strings and booleans
// in one pass, see plainArgs), and its result is built as the SDK builds it
// (structured content and the same JSON as text).
func directFor[In, Out any](input *jsonschema.Resolved,
	h mcp.ToolHandlerFor[In, *Out]) directTool {
	defaults := hasDefaults(input.Schema())
	plain := newPlainArgs(input.Schema())
	return func(args json.RawMessage) (mcp.ToolHandler, bool) {
		var in In
		ok := plain != nil && plain.decode(args, &in)
		if !ok {
			if in, ok = directArgs[In](input, defaults, args); !ok {
				return nil, false
			}
		}
		return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, out, err := h(ctx, req, in)
			if err != nil {
				// A JSON-RPC error is the protocol's; any other is the tool's.
				var wire *jsonrpc.Error
				if errors.As(err, &wire) {
					return nil, wire
				}
				errRes := &mcp.CallToolResult{}
				errRes.SetError(err)
				return errRes, nil
			}
			if res == nil {
				res = &mcp.CallToolResult{}
			}
			if out == nil {
				out = new(Out) // the SDK sends the zero value, never null
			}
			data, err := encodeOutput(out)
			if err != nil {
				return nil, fmt.Errorf("marshaling output: %w", err)
			}
			res.StructuredContent = json.RawMessage(data)
			if res.Content == nil {
				res.Content = []mcp.Content{&mcp.TextContent{Text: string(data)}}
			}
			return res, nil
		}, true
	}
}

// jsonAppender is a result that encodes itself exactly as encoding/json
// would (as fleet.Device does).
type jsonAppender interface {
	AppendJSON([]byte) ([]byte, error)
}

// encodeOutput encodes a tool's output as the SDK does, with
// encoding/json. A jsonAppender is asked directly: encoding/json would check
// and copy what it wrote once more.
func encodeOutput(out any) ([]byte, error) {
	if a, ok := out.(jsonAppender); ok {
		return a.AppendJSON(make([]byte, 0, 1024))
	}
	return json.Marshal(out)
}

// directArgs decodes args into In if they pass the input schema, as the SDK
// does: into a map, which takes the last of repeated names; then the
// schema's defaults, validation, and In decoded from the map encoded again,
// so that numbers reach the handler as the SDK hands them over (through
// float64) and a repeated object is never merged into the first.
func directArgs[In any](input *jsonschema.Resolved, defaults bool, args json.RawMessage) (In, bool) {
	var in In
	m := map[string]any{}
	if len(args) > 0 {
		if err := json.Unmarshal(args, &m); err != nil || m == nil {
			return in, false
		}
	}
	var v any = m
	if defaults && input.ApplyDefaults(&v) != nil {
		return in, false
	}
	if input.Validate(&v) != nil {
		return in, false
	}
	// Every name now matches a property exactly (the schemas forbid others),
	// so encoding/json's case-insensitive matching cannot pick another field.
	data, err := json.Marshal(v)
	if err != nil || json.Unmarshal(data, &in) != nil {
		return in, false
	}
	return in, true
}

// hasDefaults reports whether a schema may give a default anywhere.
func hasDefaults(s *jsonschema.Schema) bool {
	data, err := json.Marshal(s)
	return err != nil || bytes.Contains(data, []byte(`"default"`))
}
