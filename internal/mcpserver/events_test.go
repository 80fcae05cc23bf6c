package mcpserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func TestEventTools(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, mcpserver.Options{})
	bus := events.NewMemoryBus(events.Options{})
	t.Cleanup(func() { _ = bus.Close() })
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, plain.url, ""), Events: bus})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tenantSession(t, srv, keyA), tenantSession(t, srv, keyB)
	ctx := context.Background()
	for _, typ := range []string{"device.offline", "ticket.created"} {
		if _, err := bus.Publish(ctx, tenant.New(keyA).ID(), events.Event{Type: typ,
			Data: json.RawMessage(`{"room":"Boardroom"}`)}); err != nil {
			t.Fatal(err)
		}
	}

	first := mustSucceed(t, a, "get_next_event", map[string]any{"after": "0", "type": "ticket.*"})
	ev := first["event"].(map[string]any)
	wantField(t, ev, "type", "ticket.created")
	wantField(t, first, "next_after", ev["id"])
	wantField(t, ev["data"].(map[string]any), "room", "Boardroom")

	none := mustSucceed(t, b, "get_next_event", map[string]any{"after": "0", "timeout_seconds": 1})
	wantField(t, none, "timed_out", true)
	if none["event"] != nil {
		t.Fatalf("tenant B received A's event: %v", none)
	}
	mustFail(t, a, "get_next_event", map[string]any{"after": "not an id"}, "invalid_params", "after")
	mustFail(t, a, "get_next_event", map[string]any{"timeout_seconds": 600}, "invalid_params",
		"timeout_seconds")

	text, err := readResource(t, a, "events://recent")
	if err != nil || !strings.Contains(text, "device.offline") || !strings.Contains(text, "ticket.created") {
		t.Fatalf("events://recent for A: %v %s", err, text)
	}
	if text, _ := readResource(t, b, "events://recent"); strings.Contains(text, "device.offline") {
		t.Fatalf("events://recent for B shows A's events: %s", text)
	}
}

func TestAuditRecordsWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var recs []plugins.AuditRecord
	e := newEnv(t, mcpserver.Options{Audit: func(r plugins.AuditRecord) {
		mu.Lock()
		defer mu.Unlock()
		recs = append(recs, r)
	}})
	id := e.a.DeviceIDs[0]
	mustSucceed(t, e.cs, "send_command", map[string]any{"device_id": id, "name": "reboot",
		"dry_run": true})
	mustSucceed(t, e.cs, "get_device", map[string]any{"device_id": id})
	mustFail(t, e.cs, "send_command", map[string]any{"device_id": "00000000-0000-4000-8000-000000000000",
		"name": "reboot"}, "not_found")

	mu.Lock()
	defer mu.Unlock()
	if len(recs) != 2 {
		t.Fatalf("%d audit records for two write calls and one read: %+v", len(recs), recs)
	}
	got := recs[0]
	if got.Action != "send_command" || !got.DryRun || got.Outcome != plugins.OutcomeSuccess ||
		len(got.Targets) != 1 || got.Targets[0] != "device_id="+id || got.Tenant != tenant.New(keyA).ID() {
		t.Fatalf("dry run record: %+v", got)
	}
	if recs[1].Outcome != plugins.OutcomeFailure || recs[1].DryRun {
		t.Fatalf("failed write record: %+v", recs[1])
	}
}
