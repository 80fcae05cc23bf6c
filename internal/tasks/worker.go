package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// commandArgs is the River job of one task. It holds the task id only: the
// command and the sealed key stay in the task table.
type commandArgs struct {
	TaskID string `json:"task_id"`
}

// Kind implements river.JobArgs.
func (commandArgs) Kind() string { return "xyte_send_command" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (commandArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueName, MaxAttempts: maxAttempts}
}

// commandWorker runs task jobs.
type commandWorker struct {
	river.WorkerDefaults[commandArgs]
	q *Queue
}

// Work implements river.Worker.
func (w *commandWorker) Work(ctx context.Context, job *river.Job[commandArgs]) error {
	return w.q.run(ctx, job.Args.TaskID)
}

// Timeout implements river.Worker.
func (w *commandWorker) Timeout(*river.Job[commandArgs]) time.Duration {
	return w.q.opts.JobTimeout
}

// claimed is what a worker reads of the task it took.
type claimed struct {
	tenant, deviceID string
	command          xyte.SendCommandRequest
	sealed           []byte
	created          time.Time
}

// finishTimeout bounds the write of a task's outcome, which must not depend
// on the job's context: a send cut short by shutdown is still recorded.
const finishTimeout = 10 * time.Second

// run takes a task, sends its command once and records the outcome. An error
// makes River run the job again later; that is safe at every return below,
// because no error is returned after the task was claimed except when its
// outcome could not be written, and the next run then finds it running.
func (q *Queue) run(ctx context.Context, id string) error {
	started := q.now()
	c, err := q.claim(ctx, id, started)
	switch {
	case errors.Is(err, errNoRows):
		return q.resolve(ctx, id)
	case err != nil:
		return fmt.Errorf("claim task %s: %w", id, err)
	}
	q.metrics.started(started.Sub(c.created))
	defer q.metrics.running.Dec()

	key, out := q.keyFor(id, c)
	if out.status == "" {
		sent, err := q.opts.Client.WithKey(key).SendCommand(ctx, c.deviceID, c.command)
		if q.opts.afterSend != nil {
			if err := q.opts.afterSend(ctx); err != nil {
				return err // the test's stand-in for a worker that dies here
			}
		}
		out = sendOutcome(sent, err)
	}
	return q.finish(ctx, id, out, started)
}

// claim moves the task from queued to running, committed before any send.
// errNoRows means it is not queued.
func (q *Queue) claim(ctx context.Context, id string, now time.Time) (claimed, error) {
	var (
		c       claimed
		command string
		created int64
	)
	err := q.b.db().queryRow(ctx, sqlClaim, id, micros(now)).
		Scan(&c.tenant, &c.deviceID, &command, &c.sealed, &created)
	if err != nil {
		return claimed{}, err
	}
	if err := json.Unmarshal([]byte(command), &c.command); err != nil {
		return claimed{}, fmt.Errorf("decode command: %w", err)
	}
	c.created = fromMicros(created)
	return c, nil
}

// resolve handles a job whose task was not queued. A running task means an
// earlier run stopped after claiming it, before recording what happened: the
// command may have been sent, so it is never sent again.
func (q *Queue) resolve(ctx context.Context, id string) error {
	var status string
	err := q.b.db().queryRow(ctx, sqlStatus, id).Scan(&status)
	switch {
	case errors.Is(err, errNoRows):
		q.logger.Warn("task job without task", "task_id", id)
		return nil
	case err != nil:
		return fmt.Errorf("read task %s: %w", id, err)
	case status != StatusRunning:
		return nil // canceled, or finished by an earlier run
	}
	q.logger.Warn("task interrupted", "task_id", id)
	return q.finish(ctx, id, outcome{status: StatusUnknown, code: CodeInterrupted,
		err: "a worker stopped while sending this command, before its result was recorded; " +
			"it may have reached the device: check the device's commands before sending it again"},
		time.Time{})
}

// keyFor returns the key to send the task with. When there is none, the
// returned outcome ends the task in error instead: nothing was sent.
func (q *Queue) keyFor(id string, c claimed) (string, outcome) {
	noKey := func(msg string) (string, outcome) {
		return "", outcome{status: StatusError, code: CodeNoKey, err: msg + "; nothing was sent"}
	}
	if c.sealed == nil {
		if q.opts.ServerKey != "" && tenant.Hash(q.opts.ServerKey) == c.tenant {
			return q.opts.ServerKey, outcome{}
		}
		return noKey("this worker has no key for the task's organization")
	}
	if q.sealer == nil {
		return noKey("this worker has no XYTE_TASK_SECRET to open the task's sealed key")
	}
	key, err := q.sealer.open(id, c.tenant, c.sealed)
	if err != nil || tenant.Hash(key) != c.tenant {
		return noKey("the task's sealed key does not open with this worker's XYTE_TASK_SECRET")
	}
	return key, outcome{}
}

// finish records the outcome of a running task and drops its sealed key.
// started is zero when this run did not start the send.
func (q *Queue) finish(ctx context.Context, id string, out outcome, started time.Time) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	now := q.now()
	var n int64
	var err error
	// A store that blinks must not turn a known outcome into unknown: try a
	// few times before leaving the task to the next run.
	for wait := 100 * time.Millisecond; ; wait *= 4 {
		n, err = q.b.db().exec(ctx, sqlFinish, id, out.status, string(out.result), out.err,
			out.code, micros(now))
		if err == nil || wait > 2*time.Second || sleep(ctx, wait) != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("record task %s: %w", id, err)
	}
	if n == 0 {
		// Another run resolved the task first (it took this one for dead).
		q.logger.Warn("task outcome not recorded: task already resolved", "task_id", id,
			"status", out.status)
		return nil
	}
	var took time.Duration
	if !started.IsZero() {
		took = now.Sub(started)
	}
	q.metrics.finished(out.status, took)
	return nil
}

// cleanupArgs is the periodic job that deletes old finished tasks.
type cleanupArgs struct{}

// Kind implements river.JobArgs.
func (cleanupArgs) Kind() string { return "xyte_task_cleanup" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (cleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueName, MaxAttempts: 3}
}

// cleanupWorker deletes tasks finished longer than the retention ago.
type cleanupWorker struct {
	river.WorkerDefaults[cleanupArgs]
	q *Queue
}

// Work implements river.Worker.
func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[cleanupArgs]) error {
	cutoff := w.q.now().Add(-w.q.opts.Retention)
	n, err := w.q.b.db().exec(ctx, sqlCleanup, micros(cutoff))
	if err != nil {
		return fmt.Errorf("delete old tasks: %w", err)
	}
	if n > 0 {
		w.q.logger.Info("old tasks deleted", "count", n)
	}
	return nil
}

// retryPolicy spaces the runs of a job: base, then doubling, at most five
// minutes. A rerun only resolves state, so it need not wait long.
type retryPolicy struct{ base time.Duration }

// NextRetry implements river.ClientRetryPolicy.
func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	d := p.base << min(max(job.Attempt-1, 0), 16)
	return time.Now().Add(min(d, 5*time.Minute))
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
