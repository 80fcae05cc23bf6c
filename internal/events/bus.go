package events

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultSize       = 1000
	DefaultMaxTenants = 10_000
	DefaultMaxBytes   = 64 << 20
	DefaultTTL        = 24 * time.Hour
	DefaultLimit      = 100
	MaxLimit          = 1000
)

// fetchTimeout bounds one read of the store made while a subscriber waits.
const fetchTimeout = 5 * time.Second

// Options configures a Bus.
type Options struct {
	// Size is how many recent events are kept per tenant. Default 1,000.
	// Redis trims approximately, so it may keep a few more.
	Size int
	// MaxTenants bounds the tenants kept in memory; the tenant whose events
	// were touched least recently is dropped first. Memory only. Default
	// 10,000.
	MaxTenants int
	// MaxBytes bounds the memory all kept events take, roughly; past it the
	// least recently used tenants are dropped first. Memory only. Default
	// 64 MiB.
	MaxBytes int64
	// TTL drops a tenant's Redis stream once no event arrived for this long.
	// Redis only. Default 24h.
	TTL time.Duration
	// Logger receives the bus's failures, each kind logged once. Default:
	// discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Size <= 0 {
		o.Size = DefaultSize
	}
	if o.MaxTenants <= 0 {
		o.MaxTenants = DefaultMaxTenants
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// PublishFunc is called with each event a Bus stored, after it is stored,
// on the publisher's goroutine: it must return at once (hand the event to a
// queue, as the plugin manager does). It runs on the replica that published
// the event only, so each event reaches each hook once.
type PublishFunc func(tenantID string, e Event)

// store keeps events; a Bus adds validation, hooks and waiting on top.
// Every method reads or writes the one tenant it is given.
type store interface {
	// append stores e under a new, increasing id and returns it.
	append(ctx context.Context, tenantID string, e Event) (Event, error)
	// after returns up to limit events with ids after p, oldest first.
	after(ctx context.Context, tenantID string, p position, limit int) ([]Event, error)
	// latest returns the newest limit events, oldest first.
	latest(ctx context.Context, tenantID string, limit int) ([]Event, error)
	// last returns the id of the tenant's newest event, zero if none.
	last(ctx context.Context, tenantID string) (position, error)
	// watch registers interest in the tenant's new events.
	watch(ctx context.Context, tenantID string) (watcher, error)
	close() error
}

// watcher tells a subscriber that the tenant may have new events.
type watcher interface {
	// changed returns a channel closed at the next change, or ErrClosed.
	// Take it before reading the store, so that no event slips between the
	// read and the wait.
	changed() (<-chan struct{}, error)
	release()
}

// Bus keeps recent events per tenant and hands them to subscribers. Create
// it with NewMemoryBus or NewRedisBus; it is safe for concurrent use.
type Bus struct {
	store  store
	logger *slog.Logger
	now    func() time.Time

	mu         sync.RWMutex
	hooks      []PublishFunc
	hookFailed atomic.Bool
}

func newBus(s store, opts Options) *Bus {
	return &Bus{store: s, logger: opts.Logger, now: time.Now}
}

// OnPublish adds f to the hooks called with each stored event.
func (b *Bus) OnPublish(f PublishFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hooks = append(b.hooks, f)
}

// Close stops the bus's background work and wakes no one further.
func (b *Bus) Close() error { return b.store.close() }

// Publish stores e for the tenant and returns it as stored: with its new ID,
// compact Data ({} if none), ReceivedAt set to now if zero and OccurredAt
// to ReceivedAt if zero. Any ID in e is ignored. A bad type or data is
// ErrInvalidEvent.
func (b *Bus) Publish(ctx context.Context, tenantID string, e Event) (Event, error) {
	if !validTenant(tenantID) {
		return Event{}, ErrInvalidTenant
	}
	e, err := normalize(e, b.now())
	if err != nil {
		return Event{}, err
	}
	stored, err := b.store.append(ctx, tenantID, e)
	if err != nil {
		return Event{}, fmt.Errorf("store event: %w", err)
	}
	b.runHooks(tenantID, stored)
	return stored, nil
}

// runHooks calls each hook; a panicking hook is logged once and skipped, so
// that a faulty hook never fails a publish.
func (b *Bus) runHooks(tenantID string, e Event) {
	b.mu.RLock()
	hooks := b.hooks
	b.mu.RUnlock()
	for _, h := range hooks {
		func() {
			defer func() {
				if recover() != nil && !b.hookFailed.Swap(true) {
					b.logger.Error("event publish hook panicked")
				}
			}()
			h(tenantID, e)
		}()
	}
}

// Since returns up to limit of the tenant's events with ids after afterID,
// oldest first. afterID "" or "0" starts at the oldest event kept. limit
// <= 0 means DefaultLimit; it is capped at MaxLimit.
func (b *Bus) Since(ctx context.Context, tenantID, afterID string, limit int) ([]Event, error) {
	if !validTenant(tenantID) {
		return nil, ErrInvalidTenant
	}
	p := position{}
	if afterID != "" {
		var err error
		if p, err = parsePosition(afterID); err != nil {
			return nil, err
		}
	}
	return b.store.after(ctx, tenantID, p, clampLimit(limit))
}

// Recent returns the tenant's newest limit events, oldest first. limit <= 0
// means DefaultLimit; it is capped at MaxLimit.
func (b *Bus) Recent(ctx context.Context, tenantID string, limit int) ([]Event, error) {
	if !validTenant(tenantID) {
		return nil, ErrInvalidTenant
	}
	return b.store.latest(ctx, tenantID, clampLimit(limit))
}

func clampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// Wait returns the tenant's first event after afterID whose type passes
// typeFilter (see ValidFilter), blocking until there is one or ctx ends.
// afterID "" waits for an event published after the call; "0" also takes
// the events already kept. Pass the returned ID as the next afterID to miss
// nothing between calls.
func (b *Bus) Wait(ctx context.Context, tenantID, afterID, typeFilter string) (Event, error) {
	sub, err := b.Subscribe(ctx, tenantID, afterID, typeFilter)
	if err != nil {
		return Event{}, err
	}
	defer sub.Close()
	return sub.Next(ctx)
}

// Subscribe starts reading the tenant's events after afterID whose type
// passes typeFilter, in order, including those published later. afterID ""
// (or an id past the newest event) starts after the newest event kept now;
// "0" at the oldest kept. Close the subscription when done.
func (b *Bus) Subscribe(ctx context.Context, tenantID, afterID, typeFilter string) (
	*Subscription, error,
) {
	if !validTenant(tenantID) {
		return nil, ErrInvalidTenant
	}
	if !ValidFilter(typeFilter) {
		return nil, invalidEventError("type filter must be a type, a type prefix and '*', or '*'")
	}
	var start position
	if afterID != "" {
		var err error
		if start, err = parsePosition(afterID); err != nil {
			return nil, err
		}
	}
	w, err := b.store.watch(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("watch events: %w", err)
	}
	// Resolve "now" after watching, so that an event stored in between is
	// either after the start or announced by the watcher. A start past the
	// newest event (an id from before the store was emptied) becomes "now".
	last, err := b.store.last(ctx, tenantID)
	if err != nil {
		w.release()
		return nil, fmt.Errorf("find newest event: %w", err)
	}
	if afterID == "" || start.after(last) {
		start = last
	}
	return &Subscription{bus: b, tenant: tenantID, filter: typeFilter, cursor: start, w: w}, nil
}

// Subscription reads one tenant's events in order. It is not safe for
// concurrent use.
type Subscription struct {
	bus     *Bus
	tenant  string
	filter  string
	cursor  position
	pending []Event
	w       watcher
	closed  bool
}

// Next returns the next matching event, blocking until there is one or ctx
// ends (then it returns ctx's error).
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	for {
		if s.closed {
			return Event{}, ErrClosed
		}
		if e, ok := s.pop(); ok {
			return e, nil
		}
		if err := ctx.Err(); err != nil {
			return Event{}, err
		}
		changed, err := s.w.changed()
		if err != nil {
			return Event{}, err
		}
		evs, err := s.fetch(ctx)
		if err != nil {
			return Event{}, err
		}
		if len(evs) > 0 {
			s.pending = evs
			continue
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// pop returns the first pending event that passes the filter, moving the
// cursor past every event it looks at.
func (s *Subscription) pop() (Event, bool) {
	for len(s.pending) > 0 {
		e := s.pending[0]
		s.pending = s.pending[1:]
		if p, err := parsePosition(e.ID); err == nil {
			s.cursor = p
		}
		if Match(s.filter, e.Type) {
			return e, true
		}
	}
	return Event{}, false
}

// fetch reads the events after the cursor. The read is not cut short by
// ctx's deadline, which callers use as a keep-alive timer: abandoning a
// Redis reply midway would cost the connection.
func (s *Subscription) fetch(ctx context.Context) ([]Event, error) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	evs, err := s.bus.store.after(fctx, s.tenant, s.cursor, DefaultLimit)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return evs, nil
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	if !s.closed {
		s.closed = true
		s.w.release()
	}
}
