package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// ErrorMetaKey is the _meta key under which a failed tool result carries its
// error code in structured form: {"code": "not_found"}.
const ErrorMetaKey = "xyte-mcp/error"

// toolError is a failure the model should see: a short code and a message
// that names the argument or id. Its text is "code: message".
type toolError struct {
	code xyte.Code
	msg  string
}

// Error implements error.
func (e *toolError) Error() string { return string(e.code) + ": " + e.msg }

// failure turns any error of a handler into a toolError. Upstream errors keep
// their code and short message; the xyte package has already removed keys
// and never quotes a whole body.
func failure(err error) error {
	var te *toolError
	if errors.As(err, &te) {
		return te
	}
	msg := err.Error()
	var xe *xyte.Error
	if errors.As(err, &xe) && xe.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", xe.RetryAfter.Round(time.Second))
	}
	return &toolError{code: codeOf(err), msg: msg}
}

// codeOf classifies an error with the codes of the xyte package.
func codeOf(err error) xyte.Code {
	var te *toolError
	switch {
	case errors.As(err, &te):
		return te.code
	case errors.Is(err, fleet.ErrNotFound):
		return xyte.CodeNotFound
	default:
		return xyte.CodeOf(err)
	}
}

func invalid(name, reason string) error {
	return &toolError{code: xyte.CodeInvalidParams, msg: name + ": " + reason}
}

func forbidden(msg string) error {
	return &toolError{code: xyte.CodeForbidden, msg: msg}
}

// toolMiddleware refuses write tools on a read-only server and gives every
// failed tool result its code, in the text and in _meta.
func (s *Server) toolMiddleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		call, ok := req.(*mcp.CallToolRequest)
		if method != "tools/call" || !ok || call.Params == nil {
			return next(ctx, method, req)
		}
		name := call.Params.Name
		if s.opts.ReadOnly && s.writes[name] {
			res := &mcp.CallToolResult{}
			res.SetError(forbidden(name + " changes the fleet, and this server is read-only"))
			s.describeFailure(name, res)
			return res, nil
		}
		result, err := next(ctx, method, req)
		if res, ok := result.(*mcp.CallToolResult); ok && err == nil && res.IsError {
			s.describeFailure(name, res)
		}
		return result, err
	}
}

// describeFailure adds the code of a failed result to its _meta and logs it
// once. Failures that are not ours come from the SDK's argument checks.
func (s *Server) describeFailure(tool string, res *mcp.CallToolResult) {
	code := xyte.CodeInvalidParams
	var te *toolError
	if errors.As(res.GetError(), &te) {
		code = te.code
	} else {
		for _, c := range res.Content {
			if text, ok := c.(*mcp.TextContent); ok {
				text.Text = string(code) + ": " + text.Text
			}
		}
	}
	if res.Meta == nil {
		res.Meta = mcp.Meta{}
	}
	res.Meta[ErrorMetaKey] = map[string]any{"code": string(code)}
	s.log.Info("tool call failed", "tool", tool, "code", string(code))
}
