package events

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// KeyPrefix starts the Redis key of each tenant's stream:
// KeyPrefix + tenant id.
const KeyPrefix = "xyte-mcp:events:"

// wakePrefix starts the key of a Bus's own wake-up stream (see watchLoop).
const wakePrefix = "xyte-mcp:events-wake:"

// Timing of the Redis watcher. A blocking read cannot be interrupted
// through its context, so block also bounds how long Close waits.
const (
	defaultBlock   = 2 * time.Second
	retryBackoff   = 500 * time.Millisecond
	wakeTTL        = 10 * time.Minute
	watchReadCount = 64
)

// NewRedisBus returns a Bus that keeps each tenant's events in the Redis
// stream KeyPrefix+tenant (trimmed to about opts.Size entries, dropped after
// opts.TTL without events), so that every replica using the same Redis sees
// every event. One goroutine per Bus watches the streams that local
// subscribers wait on; Close stops it. It needs a single Redis server (or a
// primary), not Redis Cluster.
func NewRedisBus(rdb *redis.Client, opts Options) *Bus {
	opts = opts.withDefaults()
	s := &redisStore{
		rdb:        rdb,
		maxLen:     int64(opts.Size),
		ttl:        opts.TTL,
		block:      defaultBlock,
		logger:     opts.Logger,
		wakeKey:    wakePrefix + rand.Text(),
		wakeCursor: "0-0",
		watches:    make(map[string]*redisWatch),
		kick:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.watchLoop()
	return newBus(s, opts)
}

// redisStore keeps events in Redis streams.
//
// Subscribers do not each block on Redis: that would hold one pooled
// connection per open SSE stream. One watch loop blocks on the streams of
// every tenant that has local subscribers and closes a tenant's notify
// channel when its stream grows; subscribers then read with XRANGE.
type redisStore struct {
	rdb    *redis.Client
	maxLen int64
	ttl    time.Duration
	block  time.Duration
	logger *slog.Logger

	wakeKey string // a stream the loop also reads, written to interrupt it
	ctx     context.Context
	cancel  context.CancelFunc
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
	logged  sync.Map // messages already logged

	mu         sync.Mutex
	watches    map[string]*redisWatch
	wakeCursor string
}

// redisWatch is the loop's state for one tenant with local subscribers.
type redisWatch struct {
	cursor string // the newest id the loop has seen (or looked up)
	notify chan struct{}
	refs   int
}

func streamKey(tenantID string) string { return KeyPrefix + tenantID }

func (s *redisStore) append(ctx context.Context, tenantID string, e Event) (Event, error) {
	key := streamKey(tenantID)
	var add *redis.StringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		add = p.XAdd(ctx, &redis.XAddArgs{
			Stream: key, MaxLen: s.maxLen, Approx: true, ID: "*",
			Values: []any{
				"type", e.Type,
				"data", string(e.Data),
				"occurred_at", e.OccurredAt.Format(time.RFC3339Nano),
				"received_at", e.ReceivedAt.Format(time.RFC3339Nano),
			},
		})
		p.PExpire(ctx, key, s.ttl)
		return nil
	})
	if err != nil {
		return Event{}, err
	}
	e.ID = add.Val()
	return e, nil
}

// after reads a page of entries after p; a full page of entries that are
// not events is stepped over, so that it cannot stall a subscriber.
func (s *redisStore) after(ctx context.Context, tenantID string, p position, limit int) (
	[]Event, error,
) {
	for {
		msgs, err := s.rdb.XRangeN(ctx, streamKey(tenantID), "("+p.String(), "+",
			int64(limit)).Result()
		if err != nil {
			return nil, err
		}
		evs := s.decodeAll(msgs)
		if len(evs) > 0 || len(msgs) < limit {
			return evs, nil
		}
		if p, err = parsePosition(msgs[len(msgs)-1].ID); err != nil {
			return nil, err
		}
	}
}

func (s *redisStore) latest(ctx context.Context, tenantID string, limit int) ([]Event, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, streamKey(tenantID), "+", "-", int64(limit)).Result()
	if err != nil {
		return nil, err
	}
	evs := s.decodeAll(msgs)
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs, nil
}

func (s *redisStore) last(ctx context.Context, tenantID string) (position, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, streamKey(tenantID), "+", "-", 1).Result()
	if err != nil || len(msgs) == 0 {
		return position{}, err
	}
	return parsePosition(msgs[0].ID)
}

// decodeAll turns stream entries into events, skipping any entry that this
// package did not write: its type or data could break an SSE frame.
func (s *redisStore) decodeAll(msgs []redis.XMessage) []Event {
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		e, ok := decodeEntry(m)
		if !ok {
			s.logOnce("event stream holds an entry that is not an event; skipped")
			continue
		}
		out = append(out, e)
	}
	return out
}

func decodeEntry(m redis.XMessage) (Event, bool) {
	field := func(name string) string { v, _ := m.Values[name].(string); return v }
	e := Event{ID: m.ID, Type: field("type"), Data: json.RawMessage(field("data"))}
	var err1, err2 error
	e.OccurredAt, err1 = time.Parse(time.RFC3339Nano, field("occurred_at"))
	e.ReceivedAt, err2 = time.Parse(time.RFC3339Nano, field("received_at"))
	ok := ValidType(e.Type) && json.Valid(e.Data) && err1 == nil && err2 == nil
	return e, ok
}

// watch registers a local subscriber of the tenant. A tenant new to the
// loop starts at its stream's newest id, looked up before the subscriber
// reads: every later event is then announced.
func (s *redisStore) watch(ctx context.Context, tenantID string) (watcher, error) {
	if s.stopped() {
		return nil, ErrClosed
	}
	s.mu.Lock()
	if w, ok := s.watches[tenantID]; ok {
		w.refs++
		s.mu.Unlock()
		return &redisWatcher{store: s, tenant: tenantID}, nil
	}
	s.mu.Unlock()

	p, err := s.last(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if w, ok := s.watches[tenantID]; ok {
		w.refs++
	} else {
		s.watches[tenantID] = &redisWatch{cursor: p.String(), notify: make(chan struct{}), refs: 1}
	}
	s.mu.Unlock()
	s.wake(ctx)
	return &redisWatcher{store: s, tenant: tenantID}, nil
}

// wake makes the loop read again with the new set of streams: it may be
// idle (kick) or blocked on the old set (the wake stream).
func (s *redisStore) wake(ctx context.Context) {
	select {
	case s.kick <- struct{}{}:
	default:
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: s.wakeKey, MaxLen: 1, ID: "*", Values: []any{"w", "1"}})
		p.PExpire(ctx, s.wakeKey, wakeTTL)
		return nil
	})
	if err != nil {
		// The loop still picks the tenant up when its current read ends.
		s.logOnce("event watcher wake-up failed", "error", err)
	}
}

// watchLoop blocks on the streams of watched tenants and announces growth.
func (s *redisStore) watchLoop() {
	defer close(s.done)
	for {
		streams := s.snapshot()
		if len(streams) == 2 { // only the wake stream: nobody waits
			select {
			case <-s.kick:
				continue
			case <-s.stop:
				return
			}
		}
		res, err := s.rdb.XRead(s.ctx, &redis.XReadArgs{
			Streams: streams, Count: watchReadCount, Block: s.block,
		}).Result()
		select {
		case <-s.stop:
			return
		default:
		}
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			s.logOnce("event watcher cannot read Redis; retrying", "error", err)
			s.pause(retryBackoff)
		default:
			s.announce(res)
		}
	}
}

// snapshot returns XREAD's stream arguments: keys, then ids.
func (s *redisStore) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.watches)+1)
	ids := make([]string, 0, len(s.watches)+1)
	keys, ids = append(keys, s.wakeKey), append(ids, s.wakeCursor)
	for tenantID, w := range s.watches {
		keys, ids = append(keys, streamKey(tenantID)), append(ids, w.cursor)
	}
	return append(keys, ids...)
}

// announce moves the cursors past what was read and wakes the subscribers
// of each stream that grew.
func (s *redisStore) announce(res []redis.XStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range res {
		if len(st.Messages) == 0 {
			continue
		}
		newest := st.Messages[len(st.Messages)-1].ID
		if st.Stream == s.wakeKey {
			s.wakeCursor = newest
			continue
		}
		w, ok := s.watches[strings.TrimPrefix(st.Stream, KeyPrefix)]
		if !ok {
			continue
		}
		if later(newest, w.cursor) {
			w.cursor = newest
		}
		close(w.notify)
		w.notify = make(chan struct{})
	}
}

// later reports whether id a is after id b.
func later(a, b string) bool {
	pa, err1 := parsePosition(a)
	pb, err2 := parsePosition(b)
	return err1 == nil && err2 == nil && pa.after(pb)
}

func (s *redisStore) pause(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.stop:
	}
}

// logOnce logs each kind of failure once: a Redis outage must not flood
// the log.
func (s *redisStore) logOnce(msg string, args ...any) {
	if _, seen := s.logged.LoadOrStore(msg, true); !seen {
		s.logger.Warn(msg, args...)
	}
}

// close stops the loop, interrupting its blocking read through the wake
// stream, wakes every subscriber (their next wait fails with ErrClosed) and
// removes the wake stream.
func (s *redisStore) close() error {
	s.closing.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		close(s.stop)
		s.wake(ctx)
		s.cancel()
		<-s.done
		s.mu.Lock()
		for _, w := range s.watches {
			close(w.notify)
		}
		clear(s.watches)
		s.mu.Unlock()
		_ = s.rdb.Del(ctx, s.wakeKey).Err()
	})
	return nil
}

func (s *redisStore) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// redisWatcher is one subscriber's registration.
type redisWatcher struct {
	store    *redisStore
	tenant   string
	released bool
}

func (w *redisWatcher) changed() (<-chan struct{}, error) {
	s := w.store
	s.mu.Lock()
	defer s.mu.Unlock()
	rw, ok := s.watches[w.tenant]
	if !ok || w.released || s.stopped() {
		return nil, ErrClosed
	}
	return rw.notify, nil
}

func (w *redisWatcher) release() {
	s := w.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.released {
		return
	}
	w.released = true
	if rw, ok := s.watches[w.tenant]; ok {
		if rw.refs--; rw.refs == 0 {
			delete(s.watches, w.tenant)
		}
	}
}
