package mcpserver

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// InstrumentOptions configures Instrument.
type InstrumentOptions struct {
	// Limiter, when set, limits each tenant's tool calls. A call over the
	// limit is a rate_limited tool error and reaches no upstream.
	Limiter ratelimit.Limiter
	// OnLimited is called for each call refused by Limiter.
	OnLimited func()
	// Observe, when set, is told the tool name, outcome ("ok" or an error
	// code) and duration of every tool call.
	Observe func(tool, outcome string, d time.Duration)
}

// Instrument adds per-tenant rate limits and call metrics to the server's
// tool calls. Other methods (initialize, lists, reads) pass untouched.
func (s *Server) Instrument(opts InstrumentOptions) {
	s.use(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if !ok || method != "tools/call" {
				return next(ctx, method, req)
			}
			start := time.Now()
			res, err := limitedCall(ctx, opts, call, func() (mcp.Result, error) {
				return next(ctx, method, req)
			})
			if opts.Observe != nil {
				// Names of tools that do not exist could be anything; they
				// share one label value.
				name := "other"
				if s.tools[call.Params.Name] {
					name = call.Params.Name
				}
				opts.Observe(name, outcomeOf(res, err), time.Since(start))
			}
			return res, err
		}
	})
}

func limitedCall(ctx context.Context, opts InstrumentOptions, call *mcp.CallToolRequest,
	next func() (mcp.Result, error)) (mcp.Result, error) {
	if opts.Limiter == nil {
		return next()
	}
	t, ok := tenantOf(ctx, call.Extra)
	if !ok {
		return next()
	}
	d := opts.Limiter.Allow(ctx, t.ID())
	if d.Allowed {
		return next()
	}
	if opts.OnLimited != nil {
		opts.OnLimited()
	}
	secs := int(d.RetryAfter.Seconds()) + 1
	return &mcp.CallToolResult{
		IsError: true,
		Content: []mcp.Content{&mcp.TextContent{Text: string(xyte.CodeRateLimited) +
			": too many tool calls for this key; retry in " + strconv.Itoa(secs) + " s"}},
		Meta: mcp.Meta{ErrorMetaKey: map[string]any{"code": string(xyte.CodeRateLimited),
			"retry_after_seconds": secs}},
	}, nil
}

// outcomeOf names a call's outcome: "ok", the error code a tool error starts
// with, or "error".
func outcomeOf(res mcp.Result, err error) string {
	r, ok := res.(*mcp.CallToolResult)
	switch {
	case err != nil || !ok:
		return "error"
	case !r.IsError:
		return "ok"
	}
	for _, c := range r.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			code, _, found := strings.Cut(tc.Text, ":")
			if found && !strings.ContainsAny(code, " \n") {
				return code
			}
		}
	}
	return "error"
}
