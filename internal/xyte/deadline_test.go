package xyte

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/cache"
)

type ctxKey struct{}

// TestLazyDeadlineIsAContextWithDeadline: the lazy context reads as
// context.WithDeadline would, before and after its timer starts.
func TestLazyDeadlineIsAContextWithDeadline(t *testing.T) {
	t.Parallel()
	parent := context.WithValue(context.Background(), ctxKey{}, "v")
	before := time.Now()
	l := newLazyDeadline(parent, 50*time.Millisecond)
	defer l.stop()
	if dl, ok := l.Deadline(); !ok || dl.Before(before.Add(50*time.Millisecond)) ||
		dl.After(time.Now().Add(50*time.Millisecond)) {
		t.Fatalf("deadline %v, %v; want 50ms from now", dl, ok)
	}
	if l.Value(ctxKey{}) != "v" || l.started.Load() {
		t.Fatal("Value must pass through without starting the timer")
	}
	if l.Err() != nil || !l.started.Load() {
		t.Fatal("Err must start the timer, and be nil before the deadline")
	}
	// A context made from it follows its deadline.
	child, cancel := context.WithCancel(l)
	defer cancel()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the deadline passed and the context is not done")
	}
	if !errors.Is(l.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) ||
		l.Value(ctxKey{}) != "v" {
		t.Fatalf("err %v, child err %v", l.Err(), child.Err())
	}
}

// TestLazyDeadlineEnds: a sooner deadline of the parent wins, the parent's
// cancellation reaches it, and once stopped it reads as cancelled whether
// its timer started or not.
func TestLazyDeadlineEnds(t *testing.T) {
	t.Parallel()
	soon := time.Now().Add(time.Minute)
	parent, cancelParent := context.WithDeadline(context.Background(), soon)
	l := newLazyDeadline(parent, time.Hour)
	if dl, _ := l.Deadline(); !dl.Equal(soon) {
		t.Fatalf("deadline %v, want the parent's %v", dl, soon)
	}
	cancelParent()
	if !errors.Is(l.Err(), context.Canceled) {
		t.Fatalf("parent cancelled: err %v", l.Err())
	}
	l.stop()

	for _, started := range []bool{false, true} {
		l := newLazyDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), time.Hour)
		if started {
			_ = l.Done()
		}
		l.stop()
		select {
		case <-l.Done():
		default:
			t.Fatalf("started %v: stopped and not done", started)
		}
		if !errors.Is(l.Err(), context.Canceled) || l.Value(ctxKey{}) != "v" || l.started.Load() != started {
			t.Fatalf("started %v: err %v after stop", started, l.Err())
		}
	}
}

// recordingCache is a read cache that records the context of each Get.
type recordingCache struct {
	ReadCache
	ctxs []context.Context
}

func (r *recordingCache) Get(ctx context.Context, tenant, key string,
	load func(context.Context) (*Response, error)) (*Response, error) {
	r.ctxs = append(r.ctxs, ctx)
	return r.ReadCache.Get(ctx, tenant, key, load)
}

// TestCacheHitStartsNoTimer: a read the cache answers gets the client's
// deadline, but its timer never starts, while a miss starts it; a caller's
// sooner deadline is passed on as it is.
func TestCacheHitStartsNoTimer(t *testing.T) {
	t.Parallel()
	c, w := newCachedUpstream(t, okJSON(`{"id":"d1"}`))
	rc := &recordingCache{ReadCache: c.cache}
	c.cache = rc
	before := time.Now()
	for range 2 {
		if _, err := c.GetDevice(context.Background(), "d1"); err != nil {
			t.Fatal(err)
		}
	}
	miss, missOK := rc.ctxs[0].(*lazyDeadline)
	hit, hitOK := rc.ctxs[1].(*lazyDeadline)
	if !missOK || !hitOK || !miss.started.Load() || hit.started.Load() || w.count() != 1 {
		t.Fatalf("the cache got %T and %T; upstream saw %d requests; want a miss that started "+
			"its timer, then a hit that did not", rc.ctxs[0], rc.ctxs[1], w.count())
	}
	if dl, _ := hit.Deadline(); dl.Before(before.Add(c.timeout)) || dl.After(time.Now().Add(c.timeout)) {
		t.Fatalf("deadline %v, want the client's timeout from the call", dl)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := c.GetDevice(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if rc.ctxs[2] != ctx {
		t.Fatalf("the cache got %T, want the caller's context, whose deadline is sooner", rc.ctxs[2])
	}
}

// newCachedUpstream is newUpstream with a read cache.
func newCachedUpstream(t *testing.T, h http.HandlerFunc) (*Client, *wire) {
	t.Helper()
	c, w := newUpstream(t, h)
	rc := cache.New(cache.Options[*Response]{TTL: time.Minute, Weigh: (*Response).Weight})
	t.Cleanup(rc.Close)
	c.cache = rc
	return c, w
}

// TestCachedTimeoutAndCancel: a read that fills the cache ends at the
// client's timeout, or when the caller gives up, as an uncached one does.
func TestCachedTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	c, _ := newCachedUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c.timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := c.GetDevice(context.Background(), "d1")
	var xe *Error
	if !IsTimeout(err) || !errors.As(err, &xe) || !xe.Sent || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}

	c.timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	if _, err := c.GetDevice(ctx, "d2"); !IsTimeout(err) || time.Since(start) > 2*time.Second {
		t.Fatalf("cancel: got %v after %v", err, time.Since(start))
	}
}

// TestCachedWaitEndsAtTheWaitersTimeout: a read that waits for another
// call's fill of the same entry waits no longer than its own client's
// timeout, even when the fill may run for much longer.
func TestCachedWaitEndsAtTheWaitersTimeout(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}, 4), make(chan struct{})
	slow, w := newCachedUpstream(t, func(rw http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
			okJSON(`{"id":"d1"}`)(rw, r)
		case <-r.Context().Done():
		}
	})
	slow.timeout = time.Minute
	quick := slow.WithKey(slow.key) // the same tenant and cache
	quick.timeout = 100 * time.Millisecond

	filled := make(chan error, 1)
	go func() {
		_, err := slow.GetDevice(context.Background(), "d1")
		filled <- err
	}()
	<-arrived
	start := time.Now()
	if _, err := quick.GetDevice(context.Background(), "d1"); !IsTimeout(err) {
		t.Fatalf("got %v, want the waiter's timeout", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("waited %v for another call's fill; the timeout is 100ms", waited)
	}
	close(release)
	if err := <-filled; err != nil {
		t.Fatal(err)
	}
	if n := w.count(); n != 1 {
		t.Fatalf("upstream saw %d requests, want the one fill", n)
	}
}
