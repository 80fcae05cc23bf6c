// Package ratelimit limits requests per tenant with a token bucket: in memory
// by default, or shared by every replica through Redis.
//
// The Redis limiter falls back to the in-memory one while Redis is away, so
// that an outage of the limiter's store never stops the server; it logs the
// change once each way and counts each fallback decision.
package ratelimit

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/maypok86/otter/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Defaults.
const (
	DefaultPerMinute = 120
	DefaultBurst     = 60
)

// Decision is the answer for one request.
type Decision struct {
	Allowed bool
	// RetryAfter is how long to wait before the next request is allowed,
	// when Allowed is false.
	RetryAfter time.Duration
	// Remaining is how many more requests the tenant may make right now.
	Remaining int
}

// Limiter decides whether a tenant may make one more request.
type Limiter interface {
	Allow(ctx context.Context, tenant string) Decision
}

// Config is a limit: PerMinute requests a minute on average, with bursts of
// up to Burst requests.
type Config struct {
	PerMinute int
	Burst     int
}

func (c Config) burst() int {
	if c.Burst <= 0 {
		return max(1, c.PerMinute/2)
	}
	return c.Burst
}

// Local keeps one token bucket per tenant in this process. Buckets of tenants
// not seen for a while are dropped, so memory stays bounded.
type Local struct {
	cfg     Config
	buckets *otter.Cache[string, *rate.Limiter]
}

// NewLocal returns an in-memory limiter.
func NewLocal(cfg Config) *Local {
	idle := time.Duration(float64(time.Minute) * float64(cfg.burst()) / float64(max(cfg.PerMinute, 1)))
	return &Local{cfg: cfg, buckets: otter.Must(&otter.Options[string, *rate.Limiter]{
		MaximumSize:      100_000,
		ExpiryCalculator: otter.ExpiryAccessing[string, *rate.Limiter](max(idle, time.Minute)),
	})}
}

// Allow implements Limiter.
func (l *Local) Allow(_ context.Context, tenant string) Decision {
	b, _ := l.buckets.Get(context.Background(), tenant, otter.LoaderFunc[string, *rate.Limiter](
		func(context.Context, string) (*rate.Limiter, error) {
			return rate.NewLimiter(rate.Limit(float64(l.cfg.PerMinute)/60), l.cfg.burst()), nil
		}))
	now := time.Now()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return Decision{RetryAfter: d}
	}
	return Decision{Allowed: true, Remaining: int(math.Floor(b.TokensAt(now)))}
}

// Redis shares one token bucket per tenant between every replica that uses
// the same Redis. While Redis fails, it decides with a Local limiter.
type Redis struct {
	cfg      Config
	limiter  *redis_rate.Limiter
	fallback *Local
	logger   *slog.Logger
	degraded atomic.Bool
	// OnFallback, when set, is called for each decision made locally
	// because Redis failed.
	OnFallback func()
}

// NewRedis returns a limiter over the Redis at the given client.
func NewRedis(rdb *redis.Client, cfg Config, logger *slog.Logger) *Redis {
	return &Redis{cfg: cfg, limiter: redis_rate.NewLimiter(rdb), fallback: NewLocal(cfg), logger: logger}
}

// Allow implements Limiter.
func (l *Redis) Allow(ctx context.Context, tenant string) Decision {
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	limit := redis_rate.Limit{Rate: l.cfg.PerMinute, Burst: l.cfg.burst(), Period: time.Minute}
	res, err := l.limiter.Allow(ctx, "xyte-mcp:rl:"+tenant, limit)
	if err != nil {
		if !l.degraded.Swap(true) {
			l.logger.Warn("rate limit store unavailable; limiting per replica", "error", err)
		}
		if l.OnFallback != nil {
			l.OnFallback()
		}
		return l.fallback.Allow(ctx, tenant)
	}
	if l.degraded.Swap(false) {
		l.logger.Info("rate limit store available again")
	}
	if res.Allowed == 0 {
		return Decision{RetryAfter: res.RetryAfter}
	}
	return Decision{Allowed: true, Remaining: res.Remaining}
}
