package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Task states.
const (
	TaskQueued  = "queued"
	TaskRunning = "running"
	TaskDone    = "done"
	TaskFailed  = "failed"
)

// CommandJob is a command to send to a device on a tenant's behalf.
type CommandJob struct {
	DeviceID string
	Command  xyte.SendCommandRequest
}

// Task is the state of a command job.
type Task struct {
	ID        string   `json:"task_id"`
	Status    string   `json:"status" jsonschema:"queued, running, done or failed"`
	DeviceID  string   `json:"device_id"`
	Result    *Command `json:"result,omitempty" jsonschema:"the command as the hub recorded it, once done"`
	Error     string   `json:"error,omitempty" jsonschema:"code and message, once failed"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

// Tasks runs command jobs and answers for their state. Every task belongs to
// the tenant that started it: Task answers only for that tenant's ids.
type Tasks interface {
	// Start runs or queues a job for a tenant, using c (which carries that
	// tenant's key), and returns the task.
	Start(ctx context.Context, c *xyte.Client, tenantID string, job CommandJob) (*Task, error)
	// Task returns a task of the tenant; an id unknown to the tenant is a
	// *NotFoundError.
	Task(ctx context.Context, tenantID, id string) (*Task, error)
}

// Default bounds of SyncTasks.
const (
	DefaultTasksPerTenant = 200
	DefaultTasksTotal     = 10000
)

// SyncTasks runs each job at once, in the caller's goroutine, and remembers
// recent tasks in memory: at most perTenant per tenant and total overall,
// dropping the oldest first. It is safe for concurrent use.
type SyncTasks struct {
	perTenant, total int

	mu    sync.Mutex
	tasks map[taskKey]*Task
	order []taskKey // oldest first
	count map[string]int
}

type taskKey struct{ tenant, id string }

// NewSyncTasks returns an empty store; bounds of 0 or less take the defaults.
func NewSyncTasks(perTenant, total int) *SyncTasks {
	if perTenant <= 0 {
		perTenant = DefaultTasksPerTenant
	}
	if total <= 0 {
		total = DefaultTasksTotal
	}
	return &SyncTasks{perTenant: perTenant, total: total, tasks: map[taskKey]*Task{},
		count: map[string]int{}}
}

// Start sends the command now. A send that fails returns its error and
// leaves no task behind.
func (s *SyncTasks) Start(ctx context.Context, c *xyte.Client, tenantID string,
	job CommandJob) (*Task, error) {
	cmd, err := SendCommand(ctx, c, job.DeviceID, job.Command)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	t := &Task{ID: newTaskID(), Status: TaskDone, DeviceID: job.DeviceID, Result: cmd,
		CreatedAt: now, UpdatedAt: now}
	s.remember(tenantID, t)
	cp := *t
	return &cp, nil
}

// Task returns a task the tenant started.
func (s *SyncTasks) Task(_ context.Context, tenantID, id string) (*Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[taskKey{tenantID, id}]
	if !ok {
		return nil, notFound("task_id", fmt.Sprintf("no task %q for this tenant", id))
	}
	cp := *t
	return &cp, nil
}

func (s *SyncTasks) remember(tenantID string, t *Task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.count[tenantID] >= s.perTenant {
		s.dropOldest(func(k taskKey) bool { return k.tenant == tenantID })
	}
	if len(s.tasks) >= s.total {
		s.dropOldest(func(taskKey) bool { return true })
	}
	k := taskKey{tenantID, t.ID}
	s.tasks[k] = t
	s.order = append(s.order, k)
	s.count[tenantID]++
}

// dropOldest forgets the oldest task that match selects.
func (s *SyncTasks) dropOldest(match func(taskKey) bool) {
	for i, k := range s.order {
		if match(k) {
			s.order = append(s.order[:i], s.order[i+1:]...)
			delete(s.tasks, k)
			if s.count[k.tenant]--; s.count[k.tenant] == 0 {
				delete(s.count, k.tenant)
			}
			return
		}
	}
}

// newTaskID returns 128 random bits in hex: ids cannot be guessed.
func newTaskID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
