package tasks

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
)

// TestWorkerWithoutKeyForTask: a worker that cannot act for a task's
// organization ends the task in error with no_key and sends nothing.
func TestWorkerWithoutKeyForTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		queued, worker  Options
		want            string
		submitterTenant bool // tenant A, the submitter's own key; else tenant B
	}{
		{"another organization's server key", Options{ServerKey: keyA},
			Options{ServerKey: keyB, Secret: testSecret},
			"this worker has no key for the task's organization; nothing was sent", true},
		{"no secret for a sealed key", Options{Secret: testSecret}, Options{ServerKey: keyA},
			"this worker has no XYTE_TASK_SECRET to open the task's sealed key; nothing was sent",
			false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			dir := t.TempDir()
			tt.queued.DataDir, tt.worker.DataDir = dir, dir
			tn, device := tenantB, up.sim.DeviceIDs(keyB)[0]
			if tt.submitterTenant {
				tn, device = tenantA, up.device
			}
			submitter := openQueue(t, tt.queued)
			task, err := submitter.SubmitCommand(context.Background(), tn, device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			stopQueue(t, submitter)

			tt.worker.Client, tt.worker.Workers = up.client, 1
			got := waitFinal(t, openQueue(t, tt.worker), tn, task.ID)
			if got.Status != StatusError || got.Code != CodeNoKey || got.Error != tt.want {
				t.Errorf("task = %+v, want error/%s %q", got, CodeNoKey, tt.want)
			}
			if n := up.sends(); n != 0 {
				t.Errorf("simulator got %d sends, want none", n)
			}
		})
	}
}

// TestWorkerJobWithoutTask: a job whose task does not exist (deleted, or
// written by something else) is dropped with a warning, and nothing is sent.
func TestWorkerJobWithoutTask(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	logs := &lockedbuf.Buffer{}
	q := openQueue(t, Options{DataDir: t.TempDir(), Client: up.client, Secret: testSecret,
		Workers: 1, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	id := newID()
	rb, ok := q.b.(*riverBackend[*sql.Tx])
	if !ok {
		t.Fatalf("backend %T, want SQLite's", q.b)
	}
	if _, err := rb.client.Insert(context.Background(), commandArgs{TaskID: id}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the warning", func() bool {
		return strings.Contains(logs.String(), `"msg":"task job without task","task_id":"`+id+`"`)
	})
	if n := up.sends(); n != 0 {
		t.Errorf("simulator got %d sends, want none", n)
	}
}

// TestWorkerDeletesOldTasks: the cleanup job that a leading worker runs at
// start deletes tasks that finished longer than the retention ago; when the
// store refuses the deletion, the job runs again later.
func TestWorkerDeletesOldTasks(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			opts := st.options(t)
			opts.Client, opts.ServerKey, opts.Workers, opts.testOnly = up.client, keyA, 1, true
			first := openQueue(t, opts)
			task, err := first.SubmitCommand(context.Background(), tenantA, up.device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			waitFinal(t, first, tenantA, task.ID)
			stopQueue(t, first)

			var refused *refusal
			if st.name == "postgres" {
				refused = refuse(t, opts.Schema, taskTable, "BEFORE DELETE", "TRUE", 0)
			}
			logs := &lockedbuf.Buffer{}
			later := opts
			later.Retention = time.Hour
			later.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
			later.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			q := openQueue(t, later)
			if refused != nil {
				waitFor(t, "a refused cleanup", func() bool { return refused.count() >= 1 })
				if _, err := q.Get(context.Background(), tenantA, task.ID); err != nil {
					t.Fatalf("task after a refused cleanup: %v, want it kept", err)
				}
				refused.lift()
			}
			waitFor(t, "the cleanup's log line", func() bool {
				return strings.Contains(logs.String(), `"msg":"old tasks deleted","count":1`)
			})
			if _, err := q.Get(context.Background(), tenantA, task.ID); !errors.Is(err,
				ErrNotFound) {
				t.Errorf("task after the cleanup: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestFinishOutlivesStoreBlinks: when the store refuses the write of an
// outcome a few times, the worker tries again and records it: a known
// outcome does not turn unknown because the store blinked.
func TestFinishOutlivesStoreBlinks(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	opts := Options{DatabaseURL: testDatabaseURL(), Schema: freshSchema(t), Client: up.client,
		Secret: testSecret, Workers: 1}
	q := openQueue(t, opts)
	blink := refuse(t, opts.Schema, taskTable, "BEFORE UPDATE", "NEW.status <> 'running'", 2)
	task, err := q.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	if got := waitFinal(t, q, tenantA, task.ID); got.Status != StatusDone {
		t.Errorf("task = %+v, want done", got)
	}
	if n := blink.count(); n != 3 {
		t.Errorf("%d writes of the outcome, want 3 (two refused)", n)
	}
	if n := up.sends(); n != 1 {
		t.Errorf("simulator got %d sends, want 1", n)
	}
}

// TestUnrecordedOutcomeEndsUnknown: when the store keeps refusing the
// outcome, the run gives up and leaves the task running; a later run finds
// it so and ends it unknown without sending again.
func TestUnrecordedOutcomeEndsUnknown(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	opts := Options{DatabaseURL: testDatabaseURL(), Schema: freshSchema(t), Client: up.client,
		Secret: testSecret, Workers: 1}
	q := openQueue(t, opts)
	down := refuse(t, opts.Schema, taskTable, "BEFORE UPDATE", "NEW.status <> 'running'", 0)
	task, err := q.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	// One run writes its outcome four times (at 0, 0.1, 0.5 and 2.1 s)
	// before it gives up.
	waitFor(t, "the first run to give up", func() bool { return down.count() >= 4 })
	down.lift()

	got := waitFinal(t, q, tenantA, task.ID)
	if got.Status != StatusUnknown || got.Code != CodeInterrupted {
		t.Errorf("task = %+v, want unknown/%s", got, CodeInterrupted)
	}
	if n := up.sends(); n != 1 {
		t.Errorf("simulator got %d sends, want exactly 1", n)
	}
}

// TestRefusedClaimSendsNothing: while the store refuses to mark a task
// running, nothing is sent; once it accepts, the next run sends once.
func TestRefusedClaimSendsNothing(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	opts := Options{DatabaseURL: testDatabaseURL(), Schema: freshSchema(t), Client: up.client,
		Secret: testSecret, Workers: 1}
	q := openQueue(t, opts)
	refused := refuse(t, opts.Schema, taskTable, "BEFORE UPDATE", "NEW.status = 'running'", 0)
	task, err := q.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a refused claim", func() bool { return refused.count() >= 1 })
	if n := up.sends(); n != 0 {
		t.Fatalf("simulator got %d sends before any claim held, want none", n)
	}
	refused.lift()
	if got := waitFinal(t, q, tenantA, task.ID); got.Status != StatusDone {
		t.Errorf("task = %+v, want done", got)
	}
	if n := up.sends(); n != 1 {
		t.Errorf("simulator got %d sends, want 1", n)
	}
}

// TestLateOutcomeKeepsResolution: a run whose task another run already
// resolved (it took this one for dead) does not overwrite that resolution
// with its late outcome; it logs that it did not record it.
func TestLateOutcomeKeepsResolution(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	logs := &lockedbuf.Buffer{}
	var q *Queue
	opts := Options{DataDir: t.TempDir(), Client: up.client, ServerKey: keyA, Workers: 1,
		Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	// Between the send and its record, the task is resolved as the
	// rescuing run would resolve it.
	opts.afterSend = func(ctx context.Context) error {
		_, err := q.b.db().exec(ctx, `UPDATE {t} SET status = 'unknown', code = 'interrupted',
			updated_us = $1, finished_us = $1 WHERE status = 'running'`, micros(time.Now()))
		return err
	}
	q = openQueue(t, opts)
	task, err := q.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the warning", func() bool {
		return strings.Contains(logs.String(), `"msg":"task outcome not recorded: task already `+
			`resolved","task_id":"`+task.ID+`","status":"done"`)
	})
	got, err := q.Get(context.Background(), tenantA, task.ID)
	if err != nil || got.Status != StatusUnknown || got.Code != CodeInterrupted {
		t.Errorf("task = %+v (%v), want the resolution unknown/%s kept", got, err, CodeInterrupted)
	}
	if n := testutil.ToFloat64(q.metrics.done.WithLabelValues(StatusDone)); n != 0 {
		t.Errorf("finished{done} = %v, want 0: the late outcome was not recorded", n)
	}
}
