package mcpserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/redis/go-redis/v9"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
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
	mustFail(t, a, "get_next_event", map[string]any{"type": "ticket.*.created"}, "invalid_params",
		"type")

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
	mustSucceed(t, e.cs, "move_device", map[string]any{"device_id": id, "space_id": e.a.RoomIDs[0],
		"dry_run": true})
	drop := xytesim.Fault{Route: "commands.sendCommand", DropAfterBody: true, Count: 1}
	if err := e.sim.SetFaults(drop); err != nil {
		t.Fatal(err)
	}
	mustFail(t, e.cs, "send_command", map[string]any{"device_id": id, "name": "reboot"},
		"network_error", "outcome unknown")
	// Arguments that are not an object are refused by the tool, and still
	// recorded, with no targets.
	if res, err := e.cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "delete_device",
		Arguments: []any{id}}); err == nil && !res.IsError {
		t.Fatal("delete_device with an array of arguments succeeded")
	}

	mu.Lock()
	defer mu.Unlock()
	if len(recs) != 5 {
		t.Fatalf("%d audit records for five write calls and one read: %+v", len(recs), recs)
	}
	if got := recs[3]; got.Outcome != plugins.OutcomeUnknown {
		t.Errorf("record of a send whose answer was lost: %+v", got)
	}
	wantTargets := fmt.Sprint([]string{"device_id=" + id, "space_id=" + fmt.Sprint(e.a.RoomIDs[0])})
	if got := recs[2]; got.Action != "move_device" || fmt.Sprint(got.Targets) != wantTargets {
		t.Errorf("move record: %+v, want targets %s", got, wantTargets)
	}
	if got := recs[4]; got.Action != "delete_device" || len(got.Targets) != 0 ||
		got.Outcome != plugins.OutcomeFailure {
		t.Errorf("record of a call with array arguments: %+v", got)
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

// TestEventSubscriptionsPerTenant: with sessions, a session subscribes to its
// own tenant's events URI and is told of new events; another tenant cannot
// subscribe to that URI and is never told.
func TestEventSubscriptionsPerTenant(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, mcpserver.Options{})
	bus := events.NewMemoryBus(events.Options{})
	t.Cleanup(func() { _ = bus.Close() })
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, plain.url, ""), Events: bus,
		Sessions: true})
	if err != nil {
		t.Fatal(err)
	}
	idA, idB := tenant.New(keyA).ID(), tenant.New(keyB).ID()
	updatesA, a := subscribedSession(t, srv, keyA)
	updatesB, b := subscribedSession(t, srv, keyB)
	ctx := context.Background()

	text, err := readResource(t, a, "events://recent")
	if err != nil || !strings.Contains(text, "events://tenant/"+idA+"/recent") {
		t.Fatalf("events://recent lacks the subscribe_uri: %v %s", err, text)
	}
	if err := a.Subscribe(ctx, &mcp.SubscribeParams{URI: "events://tenant/" + idA + "/recent"}); err != nil {
		t.Fatalf("subscribe to own events: %v", err)
	}
	// The SDK's client subscribes through a background stream under the
	// newest protocol, so a refusal does not come back here; that B is never
	// told of A's event, below, is the proof.
	_ = b.Subscribe(ctx, &mcp.SubscribeParams{URI: "events://tenant/" + idA + "/recent"})
	if err := b.Subscribe(ctx, &mcp.SubscribeParams{URI: "events://tenant/" + idB + "/recent"}); err != nil {
		t.Fatalf("subscribe B to its own events: %v", err)
	}
	if _, err := readResource(t, b, "events://tenant/"+idA+"/recent"); err == nil {
		t.Fatal("tenant B read A's event stream")
	}

	// The SDK's client returns from Subscribe before the server has taken
	// the subscription, so an event published at once may find no
	// subscriber: publish until A is told, within a deadline.
	deadline := time.After(5 * time.Second)
	for told := false; !told; {
		if _, err := bus.Publish(ctx, idA, events.Event{Type: "device.offline"}); err != nil {
			t.Fatal(err)
		}
		select {
		case uri := <-updatesA:
			if uri != "events://tenant/"+idA+"/recent" {
				t.Fatalf("A told of %s", uri)
			}
			told = true
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("tenant A was not told of its event")
		}
	}
	if text, err := readResource(t, a, "events://tenant/"+idA+"/recent"); err != nil ||
		!strings.Contains(text, "device.offline") {
		t.Fatalf("tenant A reads its own event stream: %v %s", err, text)
	}
	select {
	case uri := <-updatesB:
		t.Fatalf("tenant B was told of A's event: %s", uri)
	case <-time.After(200 * time.Millisecond):
	}
}

// subscribedSession opens a tenant's session whose client reports resource
// updates on the returned channel.
func subscribedSession(t *testing.T, srv *mcpserver.Server, key string) (chan string, *mcp.ClientSession) {
	t.Helper()
	updates := make(chan string, 8)
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(tenant.NewContext(context.Background(), tenant.New(key)), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, &mcp.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) {
			updates <- req.Params.URI
		}})
	cs, err := client.Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return updates, cs
}

// TestEventStoreUnavailable: when the event store cannot be reached, the
// event tool and resource fail as upstream errors, without the cause.
func TestEventStoreUnavailable(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, mcpserver.Options{})
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	bus := events.NewRedisBus(rdb, events.Options{})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, plain.url, ""), Events: bus})
	if err != nil {
		t.Fatal(err)
	}
	a := tenantSession(t, srv, keyA)
	mustFail(t, a, "get_next_event", map[string]any{"after": "0", "timeout_seconds": 5},
		"upstream_error", "event stream unavailable")
	if _, err := readResource(t, a, "events://recent"); err == nil ||
		!strings.Contains(err.Error(), "event stream unavailable") {
		t.Fatalf("events://recent with the store down: %v", err)
	}
}
