package events

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBusPublishSinceRecent(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{Size: 5}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBus(t)
			ctx := context.Background()
			a := uniqueTenant(t)
			var ids []string
			for _, typ := range []string{"t1", "t2", "t3", "t4", "t5", "t6", "t7"} {
				ids = append(ids, mustPublish(t, b, a, typ).ID)
			}
			for i := 1; i < len(ids); i++ {
				if !later(ids[i], ids[i-1]) {
					t.Fatalf("ids not increasing: %v", ids)
				}
			}
			got, err := b.Since(ctx, a, ids[4], 0)
			if err != nil || len(got) != 2 || got[0].ID != ids[5] || got[1].Type != "t7" {
				t.Fatalf("Since(%s) = %+v, %v", ids[4], got, err)
			}
			recent, err := b.Recent(ctx, a, 2)
			if err != nil || len(recent) != 2 || recent[0].Type != "t6" || recent[1].Type != "t7" {
				t.Fatalf("Recent(2) = %+v, %v", recent, err)
			}
			all, _ := b.Since(ctx, a, "0", 0)
			// Redis trims approximately: at least the bound, never fewer.
			if len(all) < 5 || all[len(all)-1].ID != ids[6] {
				t.Fatalf("Since(0) kept %d events", len(all))
			}
			if name == "memory" && all[0].Type != "t3" {
				t.Fatalf("memory ring kept %s first, want t3", all[0].Type)
			}
		})
	}
}

func TestBusStoredEventShape(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBus(t)
			a := uniqueTenant(t)
			at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
			in := Event{ID: "ignored", Type: "device.offline", OccurredAt: at,
				Data: json.RawMessage("{\n  \"device_id\": \"d1\"\n}")}
			out, err := b.Publish(context.Background(), a, in)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := b.Since(context.Background(), a, "", 1)
			if len(got) != 1 {
				t.Fatalf("Since returned %d events", len(got))
			}
			e := got[0]
			if e.ID != out.ID || e.ID == "ignored" || string(e.Data) != `{"device_id":"d1"}` ||
				!e.OccurredAt.Equal(at) || e.ReceivedAt.IsZero() || e.Type != "device.offline" {
				t.Fatalf("stored %+v, published %+v", e, out)
			}
			none, _ := b.Publish(context.Background(), a, Event{Type: "empty"})
			if string(none.Data) != "{}" || !none.OccurredAt.Equal(none.ReceivedAt) {
				t.Fatalf("defaults: %+v", none)
			}
		})
	}
}

func TestBusRejects(t *testing.T) {
	t.Parallel()
	b := NewMemoryBus(Options{})
	ctx := context.Background()
	cases := []struct {
		name   string
		tenant string
		e      Event
		want   error
	}{
		{"empty type", "a", Event{}, ErrInvalidEvent},
		{"odd type", "a", Event{Type: "bad type\n"}, ErrInvalidEvent},
		{"long type", "a", Event{Type: string(make([]byte, 65))}, ErrInvalidEvent},
		{"bad data", "a", Event{Type: "x", Data: json.RawMessage("{")}, ErrInvalidEvent},
		{"no tenant", "", Event{Type: "x"}, ErrInvalidTenant},
		{"odd tenant", "a:b", Event{Type: "x"}, ErrInvalidTenant},
	}
	for _, tc := range cases {
		if _, err := b.Publish(ctx, tc.tenant, tc.e); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := b.Since(ctx, "a", "12", 0); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Since with a bad id: %v", err)
	}
	if _, err := b.Subscribe(ctx, "a", "", "a b"); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("Subscribe with a bad filter: %v", err)
	}
	for _, bad := range []string{"", "a:b", strings.Repeat("a", 65)} {
		_, err1 := b.Since(ctx, bad, "0", 0)
		_, err2 := b.Recent(ctx, bad, 0)
		_, err3 := b.Subscribe(ctx, bad, "", "")
		_, err4 := b.Wait(ctx, bad, "", "")
		for _, err := range []error{err1, err2, err3, err4} {
			if !errors.Is(err, ErrInvalidTenant) {
				t.Errorf("tenant %q: %v, want ErrInvalidTenant", bad, err)
			}
		}
	}
}

func TestSubscriptionEnds(t *testing.T) {
	t.Parallel()
	b := NewMemoryBus(Options{})
	mustPublish(t, b, "a", "kept")
	sub, err := b.Subscribe(context.Background(), "a", "", "")
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sub.Next(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next with a cancelled context: %v", err)
	}
	sub.Close()
	sub.Close() // a second Close is harmless
	if _, err := sub.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
}

func TestBusWait(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBus(t)
			a, other := uniqueTenant(t), uniqueTenant(t)
			old := mustPublish(t, b, a, "device.old")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()

			// "" starts after the newest event when Subscribe returns.
			sub, err := b.Subscribe(ctx, a, "", "device.*")
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			mustPublish(t, b, other, "device.other")
			mustPublish(t, b, a, "ticket.new")
			want := mustPublish(t, b, a, "device.online")
			if e, err := sub.Next(ctx); err != nil || e.ID != want.ID {
				t.Fatalf("Next = %+v, %v; want %s", e, err, want.ID)
			}

			first, err := b.Wait(ctx, a, "0", "")
			if err != nil || first.ID != old.ID {
				t.Fatalf("Wait from 0 = %+v, %v; want the oldest", first, err)
			}
			short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancelShort()
			if _, err := b.Wait(short, a, want.ID, ""); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Wait past the newest event: %v", err)
			}

			got := make(chan Event, 1)
			go func() {
				e, _ := b.Wait(ctx, a, want.ID, "")
				got <- e
			}()
			time.Sleep(20 * time.Millisecond) // most often, Wait is blocked by now
			later := mustPublish(t, b, a, "device.later")
			if e := <-got; e.ID != later.ID {
				t.Fatalf("blocked Wait returned %+v, want %s", e, later.ID)
			}
		})
	}
}

// TestTenantSeparationWait: tenant B waits while A publishes and never
// receives A's event.
func TestTenantSeparationWait(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bus := newBus(t)
			a, b := uniqueTenant(t), uniqueTenant(t)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				e, err := bus.Wait(ctx, b, "0", "")
				if err == nil {
					err = errors.New("tenant b received " + e.Type)
				}
				errc <- err
			}()
			time.Sleep(50 * time.Millisecond)
			mustPublish(t, bus, a, "secret.of.a")
			if err := <-errc; !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
			if evs, _ := bus.Since(context.Background(), b, "0", 0); len(evs) != 0 {
				t.Fatalf("tenant b sees %d events", len(evs))
			}
		})
	}
}

func TestMemoryBusBoundsTenants(t *testing.T) {
	t.Parallel()
	b := NewMemoryBus(Options{Size: 2, MaxTenants: 2})
	ctx := context.Background()
	mustPublish(t, b, "t1", "x")
	mustPublish(t, b, "t2", "x")
	mustPublish(t, b, "t3", "x")
	if evs, _ := b.Since(ctx, "t1", "0", 0); len(evs) != 0 {
		t.Fatal("the least recently used tenant was kept past the bound")
	}
	if evs, _ := b.Since(ctx, "t3", "0", 0); len(evs) != 1 {
		t.Fatal("the newest tenant lost its event")
	}
}

// TestMemoryBusWaiterFollowsDroppedTenant: a waiter whose tenant was dropped
// still gets the tenant's next event.
func TestMemoryBusWaiterFollowsDroppedTenant(t *testing.T) {
	t.Parallel()
	b := NewMemoryBus(Options{MaxTenants: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan Event, 1)
	go func() {
		e, _ := b.Wait(ctx, "a", "0", "")
		got <- e
	}()
	time.Sleep(20 * time.Millisecond)
	mustPublish(t, b, "b", "x") // drops a
	want := mustPublish(t, b, "a", "y")
	if e := <-got; e.ID != want.ID {
		t.Fatalf("waiter got %+v", e)
	}
}

func TestPublishHook(t *testing.T) {
	t.Parallel()
	b := NewMemoryBus(Options{})
	var seen []string
	b.OnPublish(func(string, Event) { panic("faulty hook") })
	b.OnPublish(func(tenantID string, e Event) { seen = append(seen, tenantID+"/"+e.Type) })
	mustPublish(t, b, "a", "one")
	mustPublish(t, b, "b", "two")
	if len(seen) != 2 || seen[0] != "a/one" || seen[1] != "b/two" {
		t.Fatalf("hook saw %v", seen)
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		filter, typ string
		want        bool
	}{
		{"", "a.b", true},
		{"*", "a.b", true},
		{"a.b", "a.b", true},
		{"a.b", "a.bc", false},
		{"a.*", "a.bc", true},
		{"a.*", "b.a", false},
	}
	for _, tc := range cases {
		if got := Match(tc.filter, tc.typ); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.filter, tc.typ, got)
		}
	}
	for _, bad := range []string{"**", "a b", "*a", "a\n"} {
		if ValidFilter(bad) {
			t.Errorf("ValidFilter(%q) = true", bad)
		}
	}
}

// TestMemoryBusByteBudget: past MaxBytes, the least recently used tenant
// goes first, then the publishing tenant's oldest events; order holds.
func TestMemoryBusByteBudget(t *testing.T) {
	t.Parallel()
	big := json.RawMessage(`"` + strings.Repeat("x", 1000) + `"`)
	b := NewMemoryBus(Options{Size: 10, MaxBytes: 3 * 1200})
	ctx := context.Background()
	publish := func(tenantID string, data json.RawMessage) Event {
		e, err := b.Publish(ctx, tenantID, Event{Type: "x", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	publish("old", big)
	var last Event
	for range 5 {
		last = publish("a", big)
	}
	if evs, _ := b.Since(ctx, "old", "0", 0); len(evs) != 0 {
		t.Fatal("the least recently used tenant survived the budget")
	}
	evs, _ := b.Since(ctx, "a", "0", 0)
	if len(evs) != 3 || evs[2].ID != last.ID {
		t.Fatalf("kept %d events, newest %s; want 3 ending with %s", len(evs), evs[len(evs)-1].ID,
			last.ID)
	}
	// Small events after big ones grow the ring while it is rotated.
	for range 8 {
		last = publish("a", json.RawMessage(`1`))
	}
	evs, _ = b.Since(ctx, "a", "0", 0)
	if len(evs) != 10 || evs[9].ID != last.ID {
		t.Fatalf("kept %d events, want the 10 newest", len(evs))
	}
	for i := 1; i < len(evs); i++ {
		if !later(evs[i].ID, evs[i-1].ID) {
			t.Fatalf("events out of order: %s before %s", evs[i-1].ID, evs[i].ID)
		}
	}
	// An event larger than the whole budget is kept, alone.
	huge := publish("huge", json.RawMessage(`"`+strings.Repeat("x", 5000)+`"`))
	if evs, _ := b.Since(ctx, "huge", "0", 0); len(evs) != 1 || evs[0].ID != huge.ID {
		t.Fatalf("an event larger than the budget: kept %d events, want it alone", len(evs))
	}
	if evs, _ := b.Since(ctx, "a", "0", 0); len(evs) != 0 {
		t.Fatalf("tenant a kept %d events past the budget", len(evs))
	}
}

// TestSubscribePastNewest: an id past the newest event (one from before the
// store was emptied) resumes with new events rather than waiting forever.
func TestSubscribePastNewest(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBus(t)
			a := uniqueTenant(t)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			sub, err := b.Subscribe(ctx, a, "99999999999999-0", "")
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			want := mustPublish(t, b, a, "fresh")
			if e, err := sub.Next(ctx); err != nil || e.ID != want.ID {
				t.Fatalf("Next = %+v, %v; want %s", e, err, want.ID)
			}
		})
	}
}
