package mcpserver_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
)

type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) observe(tool, outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, tool+"="+outcome)
}

func TestInstrumentLimitsAndObservesToolCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	obs := &observed{}
	var limited atomic.Int32
	e.server.Instrument(mcpserver.InstrumentOptions{
		Limiter:   ratelimit.NewLocal(ratelimit.Config{PerMinute: 60, Burst: 2}),
		OnLimited: func() { limited.Add(1) },
		Observe:   obs.observe,
	})
	cs := tenantSession(t, e.server, keyA)
	ctx := context.Background()
	for range 2 {
		if res := callTool(t, cs, "get_organization_info", nil); res.IsError {
			t.Fatalf("within the burst: %v", res.Content)
		}
	}
	if res := callTool(t, tenantSession(t, e.server, keyB), "get_organization_info", nil); res.IsError {
		t.Fatalf("tenant B limited by A: %v", res.Content)
	}
	before := len(e.sim.Requests())
	res := callTool(t, cs, "get_organization_info", nil)
	meta, _ := res.Meta[mcpserver.ErrorMetaKey].(map[string]any)
	if !res.IsError || meta["code"] != "rate_limited" {
		t.Fatalf("over the limit: %+v", res)
	}
	if len(e.sim.Requests()) != before {
		t.Fatal("a limited call reached the upstream")
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "no_such_tool_" + t.Name()})
	if err == nil && !res.IsError {
		t.Fatal("an unknown tool must fail")
	}
	res, err = tenantSession(t, e.server, keyB).CallTool(ctx,
		&mcp.CallToolParams{Name: "no_such_tool_" + t.Name()})
	if err == nil && !res.IsError {
		t.Fatal("an unknown tool must fail")
	}
	if n := limited.Load(); n != 2 {
		t.Errorf("OnLimited called %d times for 2 limited calls", n)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	want := []string{"get_organization_info=ok", "get_organization_info=ok",
		"get_organization_info=ok", "get_organization_info=rate_limited", "other=rate_limited",
		"other=error"}
	if len(obs.calls) != len(want) {
		t.Fatalf("observed %v, want %v", obs.calls, want)
	}
	for i := range want {
		if obs.calls[i] != want[i] {
			t.Fatalf("observed %v, want %v", obs.calls, want)
		}
	}
}

// TestInstrumentWithoutTenant: a call that names no tenant is not counted
// against any tenant's limit; it fails for want of a key instead.
func TestInstrumentWithoutTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, "")})
	if err != nil {
		t.Fatal(err)
	}
	srv.Instrument(mcpserver.InstrumentOptions{
		Limiter:   ratelimit.NewLocal(ratelimit.Config{PerMinute: 60, Burst: 1}),
		OnLimited: func() { t.Error("a call without a tenant was limited") },
	})
	cs := connect(t, srv, context.Background())
	for range 3 {
		mustFail(t, cs, "list_devices", nil, "unauthorized")
	}
}
