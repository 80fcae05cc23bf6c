package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newStringCache(ttl time.Duration, maxBytes int) *Cache[string] {
	return New(Options[string]{TTL: ttl, MaxBytes: maxBytes, Weigh: func(s string) int { return len(s) }})
}

func value(v string, calls *atomic.Int32) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		calls.Add(1)
		return v, nil
	}
}

func TestTenantsNeverShareEntries(t *testing.T) {
	t.Parallel()
	c := newStringCache(time.Minute, 1<<20)
	ctx := context.Background()
	var calls atomic.Int32
	a, _ := c.Get(ctx, "tenant-a", "devices", value("A's devices", &calls))
	b, _ := c.Get(ctx, "tenant-b", "devices", value("B's devices", &calls))
	again, _ := c.Get(ctx, "tenant-a", "devices", value("reloaded", &calls))
	if a != "A's devices" || b != "B's devices" || again != "A's devices" || calls.Load() != 2 {
		t.Fatalf("a=%q b=%q again=%q calls=%d", a, b, again, calls.Load())
	}
}

func TestInvalidateDropsOnlyThatTenant(t *testing.T) {
	t.Parallel()
	c := newStringCache(time.Minute, 1<<20)
	ctx := context.Background()
	var calls atomic.Int32
	_, _ = c.Get(ctx, "a", "k", value("old", &calls))
	_, _ = c.Get(ctx, "b", "k", value("b", &calls))
	c.Invalidate("a")
	got, _ := c.Get(ctx, "a", "k", value("new", &calls))
	gotB, _ := c.Get(ctx, "b", "k", value("b2", &calls))
	if got != "new" || gotB != "b" || calls.Load() != 3 {
		t.Fatalf("a=%q b=%q calls=%d", got, gotB, calls.Load())
	}
}

func TestErrorsAreNotStored(t *testing.T) {
	t.Parallel()
	c := newStringCache(time.Minute, 1<<20)
	ctx := context.Background()
	boom := errors.New("upstream 500")
	fail := func(context.Context) (string, error) { return "", boom }
	if _, err := c.Get(ctx, "a", "k", fail); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	var calls atomic.Int32
	if got, _ := c.Get(ctx, "a", "k", value("fresh", &calls)); got != "fresh" || calls.Load() != 1 {
		t.Fatalf("a failed load was cached: %q", got)
	}
}

func TestEntriesExpire(t *testing.T) {
	t.Parallel()
	c := newStringCache(50*time.Millisecond, 1<<20)
	ctx := context.Background()
	var calls atomic.Int32
	_, _ = c.Get(ctx, "a", "k", value("v1", &calls))
	time.Sleep(120 * time.Millisecond)
	got, _ := c.Get(ctx, "a", "k", value("v2", &calls))
	if got != "v2" || calls.Load() != 2 {
		t.Fatalf("got %q after the TTL, calls=%d", got, calls.Load())
	}
}

func TestConcurrentMissesLoadOnce(t *testing.T) {
	t.Parallel()
	c := newStringCache(time.Minute, 1<<20)
	var calls atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (string, error) {
		calls.Add(1)
		<-release
		return "v", nil
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if got, err := c.Get(context.Background(), "a", "k", load); got != "v" || err != nil {
				t.Errorf("got %q %v", got, err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d loads for 20 concurrent misses", calls.Load())
	}
}

// counts is a Recorder that counts events.
type counts struct{ hits, misses, evictions atomic.Int32 }

func (c *counts) Hit()      { c.hits.Add(1) }
func (c *counts) Miss()     { c.misses.Add(1) }
func (c *counts) Eviction() { c.evictions.Add(1) }

func TestBoundedInBytes(t *testing.T) {
	t.Parallel()
	rec := &counts{}
	c := New(Options[string]{TTL: time.Minute, MaxBytes: 64 << 10, Recorder: rec,
		Weigh: func(s string) int { return len(s) }})
	t.Cleanup(c.Close)
	ctx := context.Background()
	big := string(make([]byte, 4<<10))
	var calls atomic.Int32
	for i := range 200 {
		_, _ = c.Get(ctx, "a", string(rune('a'+i%26))+string(rune(i)), value(big, &calls))
	}
	c.entries.CleanUp()
	if n := c.Len(); n > 16 {
		t.Fatalf("%d entries of 4 KiB in a 64 KiB cache", n)
	}
	if rec.misses.Load() != 200 || rec.evictions.Load() < 200-16 {
		t.Fatalf("recorded %d misses and %d evictions for 200 loads into room for 16",
			rec.misses.Load(), rec.evictions.Load())
	}
}

func TestRecorderSeesHitsAndMisses(t *testing.T) {
	t.Parallel()
	rec := &counts{}
	c := New(Options[string]{Recorder: rec, Weigh: func(s string) int { return len(s) }})
	t.Cleanup(c.Close)
	ctx := context.Background()
	var calls atomic.Int32
	for _, k := range []string{"devices", "devices", "spaces"} {
		_, _ = c.Get(ctx, "a", k, value("v", &calls))
	}
	if rec.hits.Load() != 1 || rec.misses.Load() != 2 {
		t.Fatalf("%d hits and %d misses, want 1 and 2", rec.hits.Load(), rec.misses.Load())
	}
}

// TestBrokenWeighCannotOverflow: a value whose Weigh is negative, or past
// what otter's uint32 weights hold (which would wrap to a small weight),
// counts as the heaviest entry, so it cannot slip past the byte bound.
func TestBrokenWeighCannotOverflow(t *testing.T) {
	t.Parallel()
	for _, weight := range []int{-1 << 40, 1<<32 + 100} {
		c := New(Options[string]{TTL: time.Minute, MaxBytes: 64 << 10,
			Weigh: func(string) int { return weight }})
		ctx := context.Background()
		var calls atomic.Int32
		for range 3 {
			if got, _ := c.Get(ctx, "a", "k", value("v", &calls)); got != "v" {
				t.Fatalf("weight %d: got %q", weight, got)
			}
			c.entries.CleanUp()
		}
		if n := c.Len(); n != 0 || calls.Load() != 3 {
			t.Fatalf("weight %d: %d entries kept after %d loads; an overweight entry must not be kept",
				weight, n, calls.Load())
		}
	}
}

// TestZeroOptionsMeanDefaults: a cache made with no TTL or size still
// keeps entries, for DefaultTTL.
func TestZeroOptionsMeanDefaults(t *testing.T) {
	t.Parallel()
	c := New(Options[string]{Weigh: func(s string) int { return len(s) }})
	ctx := context.Background()
	var calls atomic.Int32
	_, _ = c.Get(ctx, "a", "k", value("v1", &calls))
	if got, _ := c.Get(ctx, "a", "k", value("v2", &calls)); got != "v1" || calls.Load() != 1 {
		t.Fatalf("got %q after %d loads; a zero TTL must mean the default", got, calls.Load())
	}
}
