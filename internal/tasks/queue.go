package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Defaults of Options.
const (
	DefaultJobTimeout = 2 * time.Minute
	DefaultRetention  = 7 * 24 * time.Hour
)

// Options configures a Queue.
type Options struct {
	// DatabaseURL selects the store: a postgres:// or postgresql:// URL is a
	// PostgreSQL database shared by every replica and worker; empty means
	// SQLite in DataDir, for one process (or one host). Env DATABASE_URL.
	DatabaseURL string
	// DataDir holds the SQLite file (tasks.db) when DatabaseURL is empty.
	// Env XYTE_DATA_DIR.
	DataDir string
	// Schema is the PostgreSQL schema of River's tables and the task table.
	// Default: the connection's search_path.
	Schema string
	// SkipMigrate leaves the schema alone at Open; run `xyte-mcp migrate`
	// (Migrate) instead. Default false: Open applies pending migrations,
	// serialized across replicas by an advisory lock on PostgreSQL.
	SkipMigrate bool

	// Client sends the commands; each send uses the task's tenant key.
	// Required when Workers > 0.
	Client *xyte.Client
	// ServerKey is the server's own key in single-tenant mode. Tasks of that
	// key store no key at all: the worker uses ServerKey.
	ServerKey string
	// Secret seals the keys of other tenants while their tasks wait (AES-GCM
	// under a key derived from it); at least MinSecretLength bytes. Required
	// when ServerKey is empty. Env XYTE_TASK_SECRET.
	Secret string

	// Workers is how many commands this process sends at once. 0 makes a
	// submit-only queue (another process works the tasks).
	Workers int
	// JobTimeout bounds one task's run; keep it above the upstream timeout.
	// Default DefaultJobTimeout. A worker silent for JobTimeout plus a minute
	// is taken for dead and its task ends unknown.
	JobTimeout time.Duration
	// Retention is how long finished tasks are kept. Default
	// DefaultRetention.
	Retention time.Duration

	// Logger receives the queue's and River's logs. Default: discard.
	Logger *slog.Logger
	// Registerer receives the task metrics. Default: none.
	Registerer prometheus.Registerer
	// Now is the clock. Default time.Now.
	Now func() time.Time

	// Test hooks.
	afterSend   func(ctx context.Context) error // non-nil error: die before recording
	retryDelay  time.Duration                   // first retry delay; default 1s
	rescueAfter time.Duration                   // default JobTimeout + 1m
	notLeader   bool                            // never lead River's maintenance
	testOnly    bool                            // River's TestOnly: no staggered start
}

// Queue is the Service used when asynchronous tasks are on: SubmitCommand
// stores the task and its River job, and a worker (in this process or
// another) sends the command. Open it with Open; it is safe for concurrent
// use.
//
// A command is sent at most once. A worker first moves the task from queued
// to running in a committed update, and only then sends; a job that finds
// its task already running (a worker died mid-task, or River rescued a job
// it took for stuck) never sends again and ends the task as unknown.
type Queue struct {
	b       backend
	opts    Options
	sealer  *sealer
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time
}

// queueName is the River queue of task jobs, apart from any other River use
// of the same database.
const queueName = "xyte_tasks"

// maxAttempts bounds the runs of one job. Only the first run may send; the
// others resolve a task whose run was cut short, so they are safe.
const maxAttempts = 10

// Open opens the store, applies migrations unless told not to, and prepares
// the workers. Call Start to run them and Close when done.
func Open(ctx context.Context, opts Options) (*Queue, error) {
	q, err := newQueue(opts)
	if err != nil {
		return nil, err
	}
	if q.b, err = openBackend(ctx, q.opts); err != nil {
		return nil, err
	}
	if !q.opts.SkipMigrate {
		if _, err := q.b.migrate(ctx, false, q.logger); err != nil {
			q.b.close()
			return nil, err
		}
	}
	if err := q.b.newClient(q.riverConfig()); err != nil {
		q.b.close()
		return nil, err
	}
	q.metrics = newMetrics(q.b.db())
	if q.opts.Registerer != nil {
		if err := q.metrics.register(q.opts.Registerer); err != nil {
			q.b.close()
			return nil, fmt.Errorf("register task metrics: %w", err)
		}
	}
	return q, nil
}

// newQueue checks the options and applies defaults.
func newQueue(opts Options) (*Queue, error) {
	if opts.Workers > 0 && opts.Client == nil {
		return nil, errors.New("open tasks: workers need an upstream client")
	}
	q := &Queue{opts: opts, logger: opts.Logger, now: opts.Now}
	switch {
	case opts.Secret != "":
		s, err := newSealer(opts.Secret)
		if err != nil {
			return nil, fmt.Errorf("XYTE_TASK_SECRET: %w", err)
		}
		q.sealer = s
	case opts.ServerKey == "":
		return nil, fmt.Errorf("XYTE_TASK_SECRET: required for asynchronous tasks in "+
			"multi-tenant mode (at least %d random bytes), to seal callers' keys", MinSecretLength)
	}
	if q.logger == nil {
		q.logger = slog.New(slog.DiscardHandler)
	}
	if q.now == nil {
		q.now = time.Now
	}
	if q.opts.JobTimeout <= 0 {
		q.opts.JobTimeout = DefaultJobTimeout
	}
	if q.opts.Retention <= 0 {
		q.opts.Retention = DefaultRetention
	}
	if q.opts.retryDelay <= 0 {
		q.opts.retryDelay = time.Second
	}
	if q.opts.rescueAfter <= 0 {
		q.opts.rescueAfter = q.opts.JobTimeout + time.Minute
	}
	return q, nil
}

// riverConfig is the River client configuration: the command and cleanup
// workers, the queue when this process works tasks, and the retry rules.
func (q *Queue) riverConfig() *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &commandWorker{q: q})
	river.AddWorker(workers, &cleanupWorker{q: q})
	cfg := &river.Config{
		Workers:                workers,
		Logger:                 q.logger,
		MaxAttempts:            maxAttempts,
		JobTimeout:             q.opts.JobTimeout,
		RescueStuckJobsAfter:   q.opts.rescueAfter,
		RetryPolicy:            retryPolicy{base: q.opts.retryDelay},
		FetchCooldown:          20 * time.Millisecond,
		LeaderElectionDisabled: q.opts.notLeader,
		TestOnly:               q.opts.testOnly,
	}
	if q.opts.Workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{queueName: {MaxWorkers: q.opts.Workers}}
	}
	if q.opts.Workers > 0 && !q.opts.notLeader {
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return cleanupArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})}
	}
	return cfg
}

// Store names the store in use: "postgres" or "sqlite".
func (q *Queue) Store() string { return q.b.kind() }

// Start runs the workers until Stop. A submit-only queue has nothing to run.
func (q *Queue) Start(ctx context.Context) error {
	if q.opts.Workers <= 0 {
		return nil
	}
	// Stop, not ctx, ends the workers, so that a canceled request context
	// cannot cut a send short.
	if err := q.b.start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start task workers: %w", err)
	}
	return nil
}

// Stop lets running sends finish until ctx ends, then cancels them (a send
// cut short ends its task as unknown). It returns once the workers stopped.
func (q *Queue) Stop(ctx context.Context) error {
	if q.opts.Workers <= 0 {
		return nil
	}
	if err := q.b.stop(ctx); err == nil || !errors.Is(err, ctx.Err()) {
		return err
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return q.b.stopAndCancel(hard)
}

// Close closes the store. Call Stop first when workers ran.
func (q *Queue) Close() { q.b.close() }

// Ready reports whether the store answers.
func (q *Queue) Ready(ctx context.Context) error {
	var one int64
	if err := q.b.db().queryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("task store: %w", err)
	}
	return nil
}

// SubmitCommand stores the task and its job in one transaction and returns
// the queued task.
func (q *Queue) SubmitCommand(ctx context.Context, t tenant.Tenant, deviceID string,
	cmd xyte.SendCommandRequest) (Task, error) {
	if err := checkSubmit(t, deviceID, cmd); err != nil {
		return Task{}, err
	}
	id := newID()
	sealed, err := q.sealFor(id, t)
	if err != nil {
		return Task{}, err
	}
	command, err := json.Marshal(cmd)
	if err != nil {
		return Task{}, &xyte.ArgumentError{Name: "extra_params",
			Reason: "cannot be encoded as JSON"}
	}

	now := time.UnixMicro(q.now().UnixMicro()).UTC()
	err = q.b.insert(ctx, newRow{id: id, tenant: t.ID(), deviceID: deviceID,
		command: string(command), sealed: sealed, created: now, args: commandArgs{TaskID: id}})
	if err != nil {
		return Task{}, fmt.Errorf("queue task: %w", err)
	}
	q.metrics.submitted.Inc()
	return Task{ID: id, Tenant: t.ID(), DeviceID: deviceID, Command: cmd, Status: StatusQueued,
		CreatedAt: now, UpdatedAt: now}, nil
}

// sealFor returns what the task stores of the tenant's key: nothing for the
// server's own key, else the key sealed.
func (q *Queue) sealFor(id string, t tenant.Tenant) ([]byte, error) {
	if q.opts.ServerKey != "" && t.Key() == q.opts.ServerKey {
		return nil, nil
	}
	if q.sealer == nil {
		return nil, ErrNoSecret
	}
	return q.sealer.seal(id, t.ID(), t.Key()), nil
}

// Get returns one of the tenant's tasks.
func (q *Queue) Get(ctx context.Context, t tenant.Tenant, id string) (Task, error) {
	if t.IsZero() || !wellFormedID(id) {
		return Task{}, ErrNotFound
	}
	task, err := scanTask(q.b.db().queryRow(ctx, sqlGet, id, t.ID()))
	switch {
	case errors.Is(err, errNoRows):
		return Task{}, ErrNotFound
	case err != nil:
		return Task{}, fmt.Errorf("get task: %w", err)
	}
	return task, nil
}

// List returns the tenant's most recent tasks, newest first.
func (q *Queue) List(ctx context.Context, t tenant.Tenant, limit int) ([]Task, error) {
	out := []Task{}
	if t.IsZero() {
		return out, nil
	}
	rs, err := q.b.db().query(ctx, sqlList, t.ID(), int64(listLimit(limit)))
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		task, err := scanTask(rs)
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		out = append(out, task)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	return out, nil
}

// Cancel cancels a queued task. Its job still runs, finds the task
// canceled and does nothing.
func (q *Queue) Cancel(ctx context.Context, t tenant.Tenant, id string) (Task, error) {
	if t.IsZero() || !wellFormedID(id) {
		return Task{}, ErrNotFound
	}
	n, err := q.b.db().exec(ctx, sqlCancel, id, t.ID(), micros(q.now()))
	if err != nil {
		return Task{}, fmt.Errorf("cancel task: %w", err)
	}
	task, err := q.Get(ctx, t, id)
	switch {
	case err != nil:
		return Task{}, err
	case n == 0:
		return Task{}, ErrNotCancellable
	}
	q.metrics.finished(StatusCancelled, 0)
	return task, nil
}

// decodeCommand reads the stored command into t.
func decodeCommand(command string, t *Task) error {
	if err := json.Unmarshal([]byte(command), &t.Command); err != nil {
		return fmt.Errorf("decode command of task %s: %w", t.ID, err)
	}
	return nil
}

// MigrateResult lists the migrations applied, or pending with a dry run.
type MigrateResult struct {
	// Store is "postgres" or "sqlite".
	Store string
	// River lists River's migration versions.
	River []int
	// Tasks lists the task table's migration versions.
	Tasks []int
}

// Migrate brings the store that opts selects up to date (River's tables and
// the task table) and returns what it applied; with dryRun it applies
// nothing and returns what is pending. Only the store options and Logger are
// used.
func Migrate(ctx context.Context, opts Options, dryRun bool) (MigrateResult, error) {
	b, err := openBackend(ctx, opts)
	if err != nil {
		return MigrateResult{}, err
	}
	defer b.close()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return b.migrate(ctx, dryRun, logger)
}
