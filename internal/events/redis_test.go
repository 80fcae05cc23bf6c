package events

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestRedisBusAcrossInstances: two buses on two clients stand for two
// replicas; every event published on one reaches the other's subscribers,
// and only its own tenant's.
func TestRedisBusAcrossInstances(t *testing.T) {
	t.Parallel()
	replica1 := newRedisBus(t, Options{})
	replica2 := newRedisBus(t, Options{})
	a, b := uniqueTenant(t), uniqueTenant(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	subA, err := replica2.Subscribe(ctx, a, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer subA.Close()
	subB, err := replica2.Subscribe(ctx, b, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer subB.Close()

	var want []string
	for _, typ := range []string{"one", "two", "three"} {
		want = append(want, mustPublish(t, replica1, a, typ).ID)
	}
	for i, id := range want {
		e, err := subA.Next(ctx)
		if err != nil || e.ID != id {
			t.Fatalf("event %d on replica 2: %+v, %v; want %s", i, e, err, id)
		}
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if e, err := subB.Next(short); err == nil {
		t.Fatalf("tenant b received %+v", e)
	}

	// And back: replica 1 waits for an event that replica 2 publishes.
	got := make(chan Event, 1)
	go func() {
		e, _ := replica1.Wait(ctx, a, want[2], "")
		got <- e
	}()
	back := mustPublish(t, replica2, a, "back")
	if e := <-got; e.ID != back.ID {
		t.Fatalf("replica 1 got %+v, want %s", e, back.ID)
	}
	evs, err := replica1.Since(ctx, a, "0", 0)
	if err != nil || len(evs) != 4 {
		t.Fatalf("Since on replica 1: %d events, %v", len(evs), err)
	}
}

// TestRedisBusStreamKeyAndTTL: the stream lives at the documented key and
// expires.
func TestRedisBusStreamKeyAndTTL(t *testing.T) {
	t.Parallel()
	rdb := redisClient(t)
	b := newRedisBus(t, Options{TTL: time.Hour})
	a := uniqueTenant(t)
	mustPublish(t, b, a, "x")
	ttl, err := rdb.PTTL(context.Background(), KeyPrefix+a).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("stream TTL = %v, %v", ttl, err)
	}
}

// TestRedisBusCloseEndsWaiters: Close wakes subscribers with ErrClosed and
// removes the bus's wake stream.
func TestRedisBusCloseEndsWaiters(t *testing.T) {
	t.Parallel()
	rdb := redisClient(t)
	b := NewRedisBus(rdb, Options{})
	a := uniqueTenant(t)
	errc := make(chan error, 1)
	go func() {
		_, err := b.Wait(context.Background(), a, "", "")
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	_ = b.Close()
	if took := time.Since(start); took > time.Second {
		t.Errorf("Close took %s", took)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("waiter ended with %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("waiter still blocked after Close")
	}
	wake := b.store.(*redisStore).wakeKey
	if n, _ := rdb.Exists(context.Background(), wake).Result(); n != 0 {
		t.Fatal("wake stream left in Redis")
	}
}

// TestRedisBusSkipsForeignEntries: entries that this package did not write
// never reach a subscriber, and do not stall it.
func TestRedisBusSkipsForeignEntries(t *testing.T) {
	t.Parallel()
	rdb := redisClient(t)
	b := newRedisBus(t, Options{})
	a := uniqueTenant(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range DefaultLimit + 1 {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: KeyPrefix + a,
			Values: []any{"type", "bad\\nevent: injected", "data", "{"}})
	}
	want := mustPublish(t, b, a, "good")
	if e, err := b.Wait(ctx, a, "0", ""); err != nil || e.ID != want.ID {
		t.Fatalf("Wait = %+v, %v; want %s", e, err, want.ID)
	}
}

// TestRedisBusWhileRedisIsDown: with Redis unreachable every call fails with
// an error that says which step failed, and nothing blocks.
func TestRedisBusWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	b := newProxiedRedisBus(t, newRedisProxy(t, true), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a := uniqueTenant(t)
	calls := map[string]func() error{
		"store event": func() error { _, err := b.Publish(ctx, a, Event{Type: "x"}); return err },
		"since":       func() error { _, err := b.Since(ctx, a, "0", 0); return err },
		"recent":      func() error { _, err := b.Recent(ctx, a, 0); return err },
		"watch events": func() error {
			_, err := b.Subscribe(ctx, a, "", "")
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s: no error while Redis is down", name)
			continue
		}
		if name != "since" && name != "recent" && !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: error %q does not name the step", name, err)
		}
	}
}

// TestRedisBusRecoversAfterOutage: during an outage the watcher logs once
// and keeps retrying, subscribers get errors instead of hanging, and once
// Redis is back the same subscription receives new events.
func TestRedisBusRecoversAfterOutage(t *testing.T) {
	t.Parallel()
	logs := &logLines{}
	proxy := newRedisProxy(t, false)
	b := newProxiedRedisBus(t, proxy, Options{Logger: logs.logger()})
	direct := newRedisBus(t, Options{})
	a := uniqueTenant(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := b.Subscribe(ctx, a, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	proxy.setDown(true)
	const watcherDown = "event watcher cannot read Redis; retrying"
	waitFor(t, "the watcher to log the outage", func() bool { return logs.count(watcherDown) > 0 })
	mustPublish(t, direct, a, "during.outage") // Redis itself is up: only this replica lost it
	short, cancelShort := context.WithTimeout(ctx, 2*time.Second)
	defer cancelShort()
	if _, err := sub.Next(short); err == nil || !strings.HasPrefix(err.Error(), "read events: ") {
		t.Fatalf("Next during the outage: %v, want a read error", err)
	}
	if _, err := b.Subscribe(ctx, a, "", ""); err == nil || !strings.HasPrefix(err.Error(), "find newest event: ") {
		t.Fatalf("second Subscribe during the outage: %v", err)
	}

	proxy.setDown(false)
	if e, err := sub.Next(ctx); err != nil || e.Type != "during.outage" {
		t.Fatalf("after the outage: %+v, %v; want the event published meanwhile", e, err)
	}
	want := mustPublish(t, direct, a, "after.outage")
	if e, err := sub.Next(ctx); err != nil || e.ID != want.ID {
		t.Fatalf("after the outage: %+v, %v; want %s", e, err, want.ID)
	}
	if n := logs.count(watcherDown); n != 1 {
		t.Fatalf("the outage was logged %d times, want once", n)
	}
}

func TestRedisBusSubscribeAfterClose(t *testing.T) {
	t.Parallel()
	b := NewRedisBus(redisClient(t), Options{})
	_ = b.Close()
	if _, err := b.Subscribe(context.Background(), uniqueTenant(t), "", ""); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe on a closed bus: %v, want ErrClosed", err)
	}
}
