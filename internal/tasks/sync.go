package tasks

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Default bounds of Sync's memory.
const (
	DefaultSyncPerTenant = 200
	DefaultSyncTotal     = 10_000
)

// SyncOptions configures a Sync.
type SyncOptions struct {
	// Client sends the commands; each send uses the tenant's own key.
	Client *xyte.Client
	// PerTenant is how many tasks Sync remembers per tenant, oldest dropped
	// first. 0 or less means DefaultSyncPerTenant.
	PerTenant int
	// Total is how many tasks Sync remembers in all. 0 or less means
	// DefaultSyncTotal.
	Total int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Sync is the Service used when asynchronous tasks are off: SubmitCommand
// sends the command in the caller's goroutine and returns the final task.
// Recent tasks are remembered in memory, within bounds, so Get and List
// answer for them; a task never outlives the process. Nothing can be
// canceled, since nothing waits. It is safe for concurrent use.
type Sync struct {
	client    *xyte.Client
	perTenant int
	total     int
	now       func() time.Time

	mu      sync.Mutex
	tasks   map[syncKey]Task
	order   []syncKey // oldest first
	counted map[string]int
}

type syncKey struct{ tenant, id string }

// NewSync returns a Sync with no tasks.
func NewSync(opts SyncOptions) (*Sync, error) {
	if opts.Client == nil {
		return nil, fmt.Errorf("new sync tasks: an upstream client is required")
	}
	s := &Sync{client: opts.Client, perTenant: opts.PerTenant, total: opts.Total, now: opts.Now,
		tasks: map[syncKey]Task{}, counted: map[string]int{}}
	if s.perTenant <= 0 {
		s.perTenant = DefaultSyncPerTenant
	}
	if s.total <= 0 {
		s.total = DefaultSyncTotal
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// SubmitCommand sends the command now and returns the finished task.
func (s *Sync) SubmitCommand(ctx context.Context, t tenant.Tenant, deviceID string,
	cmd xyte.SendCommandRequest) (Task, error) {
	if err := checkSubmit(t, deviceID, cmd); err != nil {
		return Task{}, err
	}
	start := s.now().UTC()
	sent, err := s.client.WithKey(t.Key()).SendCommand(ctx, deviceID, cmd)
	out := sendOutcome(sent, err)

	end := s.now().UTC()
	task := Task{ID: newID(), Tenant: t.ID(), DeviceID: deviceID, Command: cmd,
		Status: out.status, Result: out.result, Error: out.err, Code: out.code,
		CreatedAt: start, UpdatedAt: end, StartedAt: start, FinishedAt: end}
	s.remember(task)
	return task, nil
}

// Get returns a task the tenant submitted, while it is remembered.
func (s *Sync) Get(_ context.Context, t tenant.Tenant, id string) (Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	task, ok := s.tasks[syncKey{t.ID(), id}]
	if !ok || t.IsZero() {
		return Task{}, ErrNotFound
	}
	return task, nil
}

// List returns the tenant's remembered tasks, newest first.
func (s *Sync) List(_ context.Context, t tenant.Tenant, limit int) ([]Task, error) {
	limit = listLimit(limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Task{}
	for _, k := range slices.Backward(s.order) {
		if len(out) == limit {
			break
		}
		if k.tenant == t.ID() && !t.IsZero() {
			out = append(out, s.tasks[k])
		}
	}
	return out, nil
}

// Cancel always fails: a synchronous task has finished before anyone can
// name it.
func (s *Sync) Cancel(ctx context.Context, t tenant.Tenant, id string) (Task, error) {
	if _, err := s.Get(ctx, t, id); err != nil {
		return Task{}, err
	}
	return Task{}, ErrNotCancellable
}

// remember keeps a task, dropping the oldest of the tenant, then the oldest
// overall, when a bound is reached.
func (s *Sync) remember(task Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counted[task.Tenant] >= s.perTenant {
		s.dropOldest(func(k syncKey) bool { return k.tenant == task.Tenant })
	}
	if len(s.tasks) >= s.total {
		s.dropOldest(func(syncKey) bool { return true })
	}
	k := syncKey{task.Tenant, task.ID}
	s.tasks[k] = task
	s.order = append(s.order, k)
	s.counted[task.Tenant]++
}

// dropOldest forgets the oldest task that match selects.
func (s *Sync) dropOldest(match func(syncKey) bool) {
	i := slices.IndexFunc(s.order, match)
	if i < 0 {
		return
	}
	k := s.order[i]
	s.order = slices.Delete(s.order, i, i+1)
	delete(s.tasks, k)
	if s.counted[k.tenant]--; s.counted[k.tenant] == 0 {
		delete(s.counted, k.tenant)
	}
}
