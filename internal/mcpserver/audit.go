package mcpserver

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
)

// auditMiddleware reports every call of a write tool to opts.Audit, after
// it ran: the tool, the ids it named, whether it was a dry run and how it
// ended. Arguments other than ids are not recorded: they may hold free text.
func (s *Server) auditMiddleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		call, ok := req.(*mcp.CallToolRequest)
		if method != "tools/call" || !ok || call.Params == nil || !s.writes[call.Params.Name] {
			return next(ctx, method, req)
		}
		res, err := next(ctx, method, req)
		rec := plugins.AuditRecord{Time: time.Now().UTC(), Action: call.Params.Name,
			RequestID: logging.RequestID(ctx), Outcome: auditOutcome(res, err)}
		if t, ok := tenantOf(ctx, call.Extra); ok {
			rec.Tenant = t.ID()
		} else if !s.base.IsZero() {
			rec.Tenant = s.base.ID()
		}
		rec.Targets, rec.DryRun = auditArgs(call.Params.Arguments)
		s.opts.Audit(rec)
		return res, err
	}
}

// auditOutcome says how a call ended. A failure that may have reached the
// hub (the code says so) is unknown rather than failed.
func auditOutcome(res mcp.Result, err error) string {
	r, ok := res.(*mcp.CallToolResult)
	switch {
	case err != nil || !ok:
		return plugins.OutcomeFailure
	case !r.IsError:
		return plugins.OutcomeSuccess
	}
	for _, c := range r.Content {
		if tc, ok := c.(*mcp.TextContent); ok && strings.Contains(tc.Text, "outcome unknown") {
			return plugins.OutcomeUnknown
		}
	}
	return plugins.OutcomeFailure
}

// auditArgs returns the id arguments of a call (names ending in id or _ids)
// and its dry_run flag.
func auditArgs(raw json.RawMessage) ([]string, bool) {
	var args map[string]any
	if json.Unmarshal(raw, &args) != nil {
		return nil, false
	}
	var targets []string
	for name, v := range args {
		if name != "id" && !strings.HasSuffix(name, "_id") {
			continue
		}
		if s, ok := v.(string); ok && s != "" && len(s) <= 128 {
			targets = append(targets, name+"="+s)
		}
		if n, ok := v.(float64); ok {
			targets = append(targets, name+"="+strconv.FormatFloat(n, 'f', -1, 64))
		}
	}
	sort.Strings(targets)
	dry, _ := args["dry_run"].(bool)
	return targets, dry
}
