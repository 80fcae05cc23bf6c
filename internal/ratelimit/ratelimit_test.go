package ratelimit

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestLocalBurstThenRefuse(t *testing.T) {
	t.Parallel()
	l := NewLocal(Config{PerMinute: 60, Burst: 3})
	ctx := context.Background()
	for i := range 3 {
		if d := l.Allow(ctx, "a"); !d.Allowed {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	d := l.Allow(ctx, "a")
	if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > time.Second+100*time.Millisecond {
		t.Fatalf("over the burst: %+v", d)
	}
	if !l.Allow(ctx, "b").Allowed {
		t.Fatal("tenant b was limited by tenant a's use")
	}
}

// redisClient returns a client for the real Redis at 127.0.0.1:6379.
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis at 127.0.0.1:6379 is required: %v", err)
	}
	return rdb
}

func uniqueTenant() string { return "test-" + rand.Text() }

func TestRedisSharedBetweenReplicas(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := Config{PerMinute: 60, Burst: 4}
	replica1 := NewRedis(redisClient(t), cfg, logger)
	replica2 := NewRedis(redisClient(t), cfg, logger)
	ctx := context.Background()
	a, b := uniqueTenant(), uniqueTenant()
	allowed := 0
	for i := range 8 {
		r := replica1
		if i%2 == 1 {
			r = replica2
		}
		if r.Allow(ctx, a).Allowed {
			allowed++
		}
	}
	if allowed != 4 {
		t.Fatalf("two replicas allowed %d of 8 requests; the shared burst is 4", allowed)
	}
	if d := replica2.Allow(ctx, b); !d.Allowed {
		t.Fatalf("tenant b limited by tenant a: %+v", d)
	}
}

func TestRedisDownFallsBackToLocal(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	l := NewRedis(rdb, Config{PerMinute: 60, Burst: 2}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var fallbacks atomic.Int32
	l.OnFallback = func() { fallbacks.Add(1) }
	ctx := context.Background()
	got := []bool{l.Allow(ctx, "a").Allowed, l.Allow(ctx, "a").Allowed, l.Allow(ctx, "a").Allowed}
	if !got[0] || !got[1] || got[2] {
		t.Fatalf("local fallback decisions %v, want allow, allow, refuse", got)
	}
	if fallbacks.Load() != 3 {
		t.Fatalf("%d fallbacks counted", fallbacks.Load())
	}
}

// TestDefaultBurstIsHalfAMinute: without a burst, a tenant may make half a
// minute's requests at once, and at least one.
func TestDefaultBurstIsHalfAMinute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for perMinute, burst := range map[int]int{6: 3, 1: 1} {
		l := NewLocal(Config{PerMinute: perMinute})
		for i := range burst {
			if !l.Allow(ctx, "a").Allowed {
				t.Fatalf("%d/min: request %d refused within the burst of %d", perMinute, i, burst)
			}
		}
		if l.Allow(ctx, "a").Allowed {
			t.Fatalf("%d/min: request %d allowed past the burst", perMinute, burst+1)
		}
	}
}

// TestRedisOutageLoggedOnceAndRecovery: the switch to local limits is
// logged once however long Redis is away, and its return is logged too.
func TestRedisOutageLoggedOnceAndRecovery(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // Redis is "down": nothing listens there
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	l := NewRedis(rdb, Config{PerMinute: 600, Burst: 100}, logger)
	ctx := context.Background()
	tenant := uniqueTenant()
	for range 3 {
		l.Allow(ctx, tenant)
	}

	// Redis comes back at the same address.
	up, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = up.Close() })
	go forwardToRedis(up)
	if d := l.Allow(ctx, tenant); !d.Allowed {
		t.Fatalf("after Redis returned: %+v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	text := logs.String()
	if n := strings.Count(text, "rate limit store unavailable"); n != 1 {
		t.Fatalf("outage logged %d times:\n%s", n, text)
	}
	if !strings.Contains(text, "rate limit store available again") {
		t.Fatalf("recovery not logged:\n%s", text)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// forwardToRedis pipes each connection accepted on ln to the test Redis.
func forwardToRedis(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		r, err := net.Dial("tcp", "127.0.0.1:6379")
		if err != nil {
			c.Close()
			continue
		}
		go func() { _, _ = io.Copy(r, c); r.Close() }()
		go func() { _, _ = io.Copy(c, r); c.Close() }()
	}
}
