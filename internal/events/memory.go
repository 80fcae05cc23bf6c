package events

import (
	"container/list"
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// NewMemoryBus returns a Bus that keeps the last opts.Size events of each of
// up to opts.MaxTenants tenants in this process, in at most opts.MaxBytes.
// Events are lost on restart and are not shared with other replicas.
func NewMemoryBus(opts Options) *Bus {
	opts = opts.withDefaults()
	return newBus(&memoryStore{
		size:       opts.Size,
		maxTenants: opts.MaxTenants,
		maxBytes:   opts.MaxBytes,
		tenants:    make(map[string]*list.Element),
		lru:        list.New(),
		now:        time.Now,
	}, opts)
}

// memoryStore keeps one ring per tenant, in a map bounded by a
// least-recently-used list and a byte budget.
type memoryStore struct {
	size       int
	maxTenants int
	maxBytes   int64
	now        func() time.Time

	mu      sync.Mutex
	tenants map[string]*list.Element // values are *memoryTenant
	lru     *list.List               // front: touched most recently
	bytes   int64                    // the size of every kept event
}

// memoryTenant is one tenant's ring of recent events. The ring grows up to
// the store's size as events come, so that a tenant with few events costs
// little.
type memoryTenant struct {
	id     string
	ring   []storedEvent
	start  int // index of the oldest event in ring
	n      int // number of events in ring
	bytes  int64
	last   position
	notify chan struct{} // closed and replaced on each change
}

type storedEvent struct {
	pos position
	ev  Event
}

// size approximates the memory an event holds.
func (se storedEvent) size() int64 {
	return int64(len(se.ev.ID)+len(se.ev.Type)+len(se.ev.Data)) + 128
}

func (t *memoryTenant) at(i int) storedEvent { return t.ring[(t.start+i)%len(t.ring)] }

// push adds se as the newest event. Past size events, it overwrites the
// oldest and returns it.
func (t *memoryTenant) push(se storedEvent, size int) (storedEvent, bool) {
	switch {
	case t.n < len(t.ring):
		t.ring[(t.start+t.n)%len(t.ring)] = se
		t.n++
	case len(t.ring) < size:
		if t.start != 0 {
			t.ring, t.start = slices.Concat(t.ring[t.start:], t.ring[:t.start]), 0
		}
		t.ring = append(t.ring, se)
		t.n++
	default:
		old := t.ring[t.start]
		t.ring[t.start] = se
		t.start = (t.start + 1) % len(t.ring)
		return old, true
	}
	return storedEvent{}, false
}

// popOldest removes the oldest event. Call only with n > 0.
func (t *memoryTenant) popOldest() storedEvent {
	old := t.ring[t.start]
	t.ring[t.start] = storedEvent{}
	t.start = (t.start + 1) % len(t.ring)
	t.n--
	return old
}

// tenant returns the tenant's ring, creating it (and dropping the least
// recently used one past the bound) if create is set. Call with mu held.
func (s *memoryStore) tenant(id string, create bool) *memoryTenant {
	if el, ok := s.tenants[id]; ok {
		s.lru.MoveToFront(el)
		return el.Value.(*memoryTenant)
	}
	if !create {
		return nil
	}
	t := &memoryTenant{id: id, notify: make(chan struct{})}
	s.tenants[id] = s.lru.PushFront(t)
	for s.lru.Len() > s.maxTenants {
		s.drop(s.lru.Back().Value.(*memoryTenant))
	}
	return t
}

// drop forgets a tenant. Its waiters wake and look the tenant up again.
func (s *memoryStore) drop(t *memoryTenant) {
	s.lru.Remove(s.tenants[t.id])
	delete(s.tenants, t.id)
	s.bytes -= t.bytes
	close(t.notify)
}

func (s *memoryStore) append(_ context.Context, tenantID string, e Event) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(tenantID, true)
	t.last = t.last.next(uint64(max(s.now().UnixMilli(), 0)))
	e.ID = t.last.String()
	se := storedEvent{pos: t.last, ev: e}
	if old, overwritten := t.push(se, s.size); overwritten {
		t.bytes, s.bytes = t.bytes-old.size(), s.bytes-old.size()
	}
	t.bytes, s.bytes = t.bytes+se.size(), s.bytes+se.size()
	s.fitBudget(t)
	close(t.notify)
	t.notify = make(chan struct{})
	return e, nil
}

// fitBudget drops the least recently used tenants, then the oldest events
// of t itself, until the store fits its byte budget. t keeps its newest
// event.
func (s *memoryStore) fitBudget(t *memoryTenant) {
	for s.bytes > s.maxBytes {
		if back := s.lru.Back().Value.(*memoryTenant); back != t {
			s.drop(back)
			continue
		}
		if t.n <= 1 {
			return
		}
		old := t.popOldest()
		t.bytes, s.bytes = t.bytes-old.size(), s.bytes-old.size()
	}
}

func (s *memoryStore) after(_ context.Context, tenantID string, p position, limit int) (
	[]Event, error,
) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(tenantID, false)
	if t == nil {
		return nil, nil
	}
	first := sort.Search(t.n, func(i int) bool { return t.at(i).pos.after(p) })
	return t.copy(first, min(t.n, first+limit)), nil
}

func (s *memoryStore) latest(_ context.Context, tenantID string, limit int) ([]Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(tenantID, false)
	if t == nil {
		return nil, nil
	}
	return t.copy(max(0, t.n-limit), t.n), nil
}

// copy returns the events from logical index i to j.
func (t *memoryTenant) copy(i, j int) []Event {
	if i >= j {
		return nil
	}
	out := make([]Event, 0, j-i)
	for ; i < j; i++ {
		out = append(out, t.at(i).ev)
	}
	return out
}

func (s *memoryStore) last(_ context.Context, tenantID string) (position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tenant(tenantID, false); t != nil {
		return t.last, nil
	}
	return position{}, nil
}

func (s *memoryStore) watch(_ context.Context, tenantID string) (watcher, error) {
	return &memoryWatcher{store: s, tenant: tenantID}, nil
}

func (s *memoryStore) close() error { return nil }

// memoryWatcher looks its tenant up on each call, so that it follows the
// tenant's ring even after the ring was dropped and made anew.
type memoryWatcher struct {
	store  *memoryStore
	tenant string
}

func (w *memoryWatcher) changed() (<-chan struct{}, error) {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	return w.store.tenant(w.tenant, true).notify, nil
}

func (w *memoryWatcher) release() {}
