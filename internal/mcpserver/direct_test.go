package mcpserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// TestCallDirectDeclines: CallDirect runs nothing, and leaves the answer to
// the SDK, for an unknown tool and for arguments that are not an object,
// fail the input schema, or do not fit the handler's types; the SDK then
// answers each with an error.
func TestCallDirectDeclines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	tests := []struct {
		name, tool, args string
	}{
		{"unknown tool", "no_such_tool", `{}`},
		{"array arguments", "list_devices", `[]`},
		{"unknown argument", "list_devices", `{"shade":"red"}`},
		{"integer too large", "list_devices", `{"per_page":1e30}`},
	}
	ctx := context.Background()
	for _, tt := range tests {
		e.sim.ClearRequests()
		res, ok, err := e.server.CallDirect(ctx, nil, tt.tool, json.RawMessage(tt.args))
		if ok || res != nil || err != nil {
			t.Errorf("%s: CallDirect = %v, %v, %v; want declined", tt.name, res, ok, err)
		}
		if n := len(e.sim.Requests()); n != 0 {
			t.Errorf("%s: a declined call made %d upstream requests", tt.name, n)
		}
		var args any
		_ = json.Unmarshal([]byte(tt.args), &args)
		sdk, err := e.cs.CallTool(ctx, &mcp.CallToolParams{Name: tt.tool, Arguments: args})
		if err == nil && !sdk.IsError {
			t.Errorf("%s: the SDK accepted what CallDirect declined", tt.name)
		}
	}
}

// TestCallDirectTenant: a direct call runs with the tenant its token info
// names, like a call through the SDK.
func TestCallDirectTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	extra := &mcp.RequestExtra{TokenInfo: tenant.New(keyB).TokenInfo()}
	res, ok, err := e.server.CallDirect(context.Background(), extra, "get_organization_info",
		json.RawMessage(`{}`))
	if !ok || err != nil || res.IsError {
		t.Fatalf("CallDirect = %+v, %v, %v", res, ok, err)
	}
	var org map[string]any
	remarshal(t, res.StructuredContent, &org)
	wantField(t, org, "name", "Org B")
}

// TestCallDirectToolError: a tool that fails gives the same error result on
// the direct path as through the SDK: its text and its code in _meta.
func TestCallDirectToolError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	args := map[string]any{"device_id": unknownID}
	raw, _ := json.Marshal(args)
	direct, ok, err := e.server.CallDirect(context.Background(), nil, "get_device", raw)
	if !ok || err != nil || !direct.IsError {
		t.Fatalf("CallDirect = %+v, %v, %v", direct, ok, err)
	}
	sdk := callTool(t, e.cs, "get_device", args)
	if text(direct) != text(sdk) || !strings.HasPrefix(text(direct), "not_found: ") {
		t.Errorf("direct %q, SDK %q", text(direct), text(sdk))
	}
	code := func(r *mcp.CallToolResult) any {
		m, _ := r.Meta[mcpserver.ErrorMetaKey].(map[string]any)
		return m["code"]
	}
	if code(direct) != "not_found" || code(sdk) != "not_found" {
		t.Errorf("codes: direct %v, SDK %v", code(direct), code(sdk))
	}
}
