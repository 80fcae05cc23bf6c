// Package cache is the per-tenant response cache: a bounded TTL cache whose
// keys always include the tenant, so that no answer made for one tenant is
// ever served to another.
//
// Concurrent misses of the same key make one load; a failed load stores
// nothing; Invalidate drops every entry of one tenant in O(1), by moving the
// tenant to a new generation that old keys no longer match.
package cache

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"
)

// Defaults.
const (
	DefaultTTL      = 60 * time.Second
	DefaultMaxBytes = 64 << 20
)

// Recorder is told about hits, misses and evictions, for metrics.
type Recorder interface {
	Hit()
	Miss()
	Eviction()
}

// Options configures a Cache.
type Options[V any] struct {
	// TTL is how long an entry lives after it was stored. Default DefaultTTL.
	TTL time.Duration
	// MaxBytes bounds the summed Weigh of the entries. Default DefaultMaxBytes.
	MaxBytes int
	// Weigh returns the approximate size of a value in bytes. Required.
	Weigh func(V) int
	// Recorder receives hit, miss and eviction events. Optional.
	Recorder Recorder
}

// Cache maps (tenant, key) to a value for a while.
type Cache[V any] struct {
	entries *otter.Cache[string, V]
	gens    sync.Map // tenant -> *atomic.Uint64
}

// New returns an empty cache.
func New[V any](opts Options[V]) *Cache[V] {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	weigh := opts.Weigh
	o := &otter.Options[string, V]{
		MaximumWeight: uint64(max(opts.MaxBytes, 0)),
		Weigher: func(key string, v V) uint32 {
			return entryWeight(len(key) + weigh(v) + 64)
		},
		ExpiryCalculator: otter.ExpiryWriting[string, V](opts.TTL),
	}
	if opts.Recorder != nil {
		o.StatsRecorder = recorder{opts.Recorder}
	}
	return &Cache[V]{entries: otter.Must(o)}
}

// maxEntryWeight caps the weight of one entry, so that it fits otter's uint32.
const maxEntryWeight = 1 << 31

// entryWeight is the weight of an entry of n bytes (key, value and overhead),
// at most maxEntryWeight. A negative n, which only a broken Weigh gives,
// weighs the most.
func entryWeight(n int) uint32 {
	if n < 0 || n > maxEntryWeight {
		return maxEntryWeight
	}
	return uint32(n)
}

// Get returns the tenant's value for key, loading and storing it on a miss.
// Concurrent misses of one key share a single load. An error from load is
// returned and nothing is stored.
func (c *Cache[V]) Get(ctx context.Context, tenant, key string, load func(context.Context) (V, error)) (V, error) {
	full := c.fullKey(tenant, key)
	return c.entries.Get(ctx, full, otter.LoaderFunc[string, V](func(ctx context.Context, _ string) (V, error) {
		return load(ctx)
	}))
}

// Invalidate drops every entry of the tenant.
func (c *Cache[V]) Invalidate(tenant string) {
	c.generation(tenant).Add(1)
}

// Len returns the approximate number of entries, expired ones included until
// they are cleaned up.
func (c *Cache[V]) Len() int { return c.entries.EstimatedSize() }

// Close stops the cache's background work.
func (c *Cache[V]) Close() { c.entries.StopAllGoroutines() }

func (c *Cache[V]) fullKey(tenant, key string) string {
	gen := c.generation(tenant).Load()
	return tenant + "\x00" + strconv.FormatUint(gen, 36) + "\x00" + key
}

func (c *Cache[V]) generation(tenant string) *atomic.Uint64 {
	if g, ok := c.gens.Load(tenant); ok {
		return g.(*atomic.Uint64)
	}
	g, _ := c.gens.LoadOrStore(tenant, new(atomic.Uint64))
	return g.(*atomic.Uint64)
}

// recorder adapts a Recorder to otter's stats recorder.
type recorder struct{ r Recorder }

func (r recorder) RecordHits(n int) {
	for range n {
		r.r.Hit()
	}
}

func (r recorder) RecordMisses(n int) {
	for range n {
		r.r.Miss()
	}
}

func (r recorder) RecordEviction(uint32)           { r.r.Eviction() }
func (r recorder) RecordLoadFailure(time.Duration) {}
func (r recorder) RecordLoadSuccess(time.Duration) {}

var _ stats.Recorder = recorder{}
