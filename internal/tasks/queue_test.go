package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river/rivertype"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

var reboot = xyte.SendCommandRequest{Name: "reboot", ExtraParams: map[string]any{"delay": 5}}

// hangSend makes the simulator hold every send without an answer.
var hangSend = xytesim.Fault{Route: "commands.sendCommand", Hang: true}

func TestQueueSendsOnce(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			reg := prometheus.NewRegistry()
			opts := st.options(t)
			opts.Client, opts.Secret, opts.Workers, opts.Registerer = up.client, testSecret, 2, reg
			q := openQueue(t, opts)

			task, err := q.SubmitCommand(context.Background(), tenantA, up.device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			if task.Status != StatusQueued || !wellFormedID(task.ID) ||
				task.Tenant != tenantA.ID() {
				t.Fatalf("submitted task = %+v", task)
			}
			done := waitFinal(t, q, tenantA, task.ID)
			if done.Status != StatusDone || done.Error != "" {
				t.Fatalf("task = %+v, want done", done)
			}
			var cmd xyte.Command
			if err := json.Unmarshal(done.Result, &cmd); err != nil || cmd.ID == "" ||
				cmd.Name != "reboot" || cmd.DeviceID != up.device {
				t.Errorf("result = %s (%v)", done.Result, err)
			}
			if done.StartedAt.IsZero() || done.FinishedAt.Before(done.StartedAt) ||
				!done.CreatedAt.Equal(task.CreatedAt) {
				t.Errorf("times: %+v", done)
			}
			if got := up.sends(); got != 1 {
				t.Errorf("simulator got %d sends, want 1", got)
			}
			// The worker counts the task just after it records it.
			waitFor(t, "finished{done} = 1", func() bool {
				return testutil.ToFloat64(q.metrics.done.WithLabelValues(StatusDone)) == 1
			})
			if n, err := testutil.GatherAndCount(reg, "xyte_mcp_tasks"); err != nil || n != 2 {
				t.Errorf("xyte_mcp_tasks has %d series (%v), want 2", n, err)
			}
		})
	}
}

func TestQueueTenantsApart(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			opts := st.options(t)
			opts.Secret = testSecret // no workers: the task stays queued
			q := openQueue(t, opts)
			ctx := context.Background()

			task, err := q.SubmitCommand(ctx, tenantA, up.device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			missing := newID()
			for _, id := range []string{task.ID, missing, "not-an-id"} {
				if _, err := q.Get(ctx, tenantB, id); !errors.Is(err, ErrNotFound) {
					t.Errorf("B gets %s: %v, want ErrNotFound", id, err)
				}
				if _, err := q.Cancel(ctx, tenantB, id); !errors.Is(err, ErrNotFound) {
					t.Errorf("B cancels %s: %v, want ErrNotFound", id, err)
				}
			}
			if list, err := q.List(ctx, tenantB, 0); err != nil || len(list) != 0 {
				t.Errorf("B lists %d tasks (%v), want none", len(list), err)
			}
			list, err := q.List(ctx, tenantA, 0)
			if err != nil || len(list) != 1 || list[0].ID != task.ID {
				t.Fatalf("A lists %+v (%v)", list, err)
			}
			if got, err := q.Get(ctx, tenantA, task.ID); err != nil || got.Status != StatusQueued {
				t.Errorf("A gets %+v (%v), want it still queued", got, err)
			}
		})
	}
}

func TestQueueCancel(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			opts := st.options(t)
			opts.Secret = testSecret
			submitter := openQueue(t, opts)
			ctx := context.Background()

			task, err := submitter.SubmitCommand(ctx, tenantA, up.device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			stopped, err := submitter.Cancel(ctx, tenantA, task.ID)
			if err != nil || stopped.Status != StatusCancelled || stopped.FinishedAt.IsZero() {
				t.Fatalf("cancel = %+v (%v)", stopped, err)
			}
			_, err = submitter.Cancel(ctx, tenantA, task.ID)
			if !errors.Is(err, ErrNotCancellable) {
				t.Errorf("second cancel: %v, want ErrNotCancellable", err)
			}
			if n := sealedKeys(t, submitter); n != 0 {
				t.Errorf("%d sealed keys left after cancel", n)
			}
			stopQueue(t, submitter)

			// A worker now runs the job: it must find the task canceled.
			opts.Client, opts.Workers = up.client, 1
			worker := openQueue(t, opts)
			waitFor(t, "the job of the canceled task", func() bool {
				return jobsLeft(t, worker) == 0
			})
			if got := waitFinal(t, worker, tenantA, task.ID); got.Status != StatusCancelled {
				t.Errorf("task = %+v, want %s", got, StatusCancelled)
			}
			if n := up.sends(); n != 0 {
				t.Errorf("simulator got %d sends for a canceled task", n)
			}
		})
	}
}

// jobsLeft counts the task jobs River has not finished.
func jobsLeft(t *testing.T, q *Queue) int {
	t.Helper()
	var n int64
	table := "river_job"
	if q.opts.Schema != "" {
		table = `"` + q.opts.Schema + `".river_job`
	}
	err := q.b.db().queryRow(context.Background(), "SELECT COUNT(*) FROM "+table+
		" WHERE kind = 'xyte_send_command'"+
		" AND state NOT IN ('completed', 'discarded', '"+string(rivertype.JobStateCancelled)+"')",
	).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestQueueWorkerDiesMidTask stops a worker while its send is in flight, then
// starts another on the same store: the task ends unknown, nothing is lost
// and the command reached the hub exactly once.
func TestQueueWorkerDiesMidTask(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name+"/hung_send", func(t *testing.T) {
			t.Parallel()
			testHungSend(t, st)
		})
		t.Run(st.name+"/died_before_recording", func(t *testing.T) {
			t.Parallel()
			testDiedBeforeRecording(t, st)
		})
	}
}

// testHungSend: the hub never answers; the worker is stopped, which cuts the
// send short. The outcome is unknown and recorded by the stopping worker.
func testHungSend(t *testing.T, st store) {
	up := newUpstream(t)
	if err := up.sim.SetFaults(hangSend); err != nil {
		t.Fatal(err)
	}
	opts := st.options(t)
	opts.Client, opts.Secret, opts.Workers = up.client, testSecret, 1
	first := openQueue(t, opts)
	task, err := first.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the send", func() bool { return up.sends() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close()

	up.sim.ClearFaults()
	second := openQueue(t, opts)
	got := waitFinal(t, second, tenantA, task.ID)
	if got.Status != StatusUnknown || !strings.Contains(got.Error, "outcome unknown") {
		t.Errorf("task = %+v, want unknown", got)
	}
	assertOneSendNoKeys(t, up, second, opts)
}

// testDiedBeforeRecording: the worker dies after the send, before it records
// the outcome; the next worker finds the task running and must not resend.
func testDiedBeforeRecording(t *testing.T, st store) {
	up := newUpstream(t)
	opts := st.options(t)
	opts.Client, opts.Secret, opts.Workers = up.client, testSecret, 1
	died := make(chan struct{})
	dying := opts
	dying.afterSend = func(ctx context.Context) error {
		close(died)
		<-ctx.Done() // frozen until killed
		return errors.New("worker killed")
	}
	first := openQueue(t, dying)
	task, err := first.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	<-died
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close()

	second := openQueue(t, opts)
	got := waitFinal(t, second, tenantA, task.ID)
	if got.Status != StatusUnknown || got.Code != CodeInterrupted {
		t.Errorf("task = %+v, want unknown/%s", got, CodeInterrupted)
	}
	assertOneSendNoKeys(t, up, second, opts)
}

func assertOneSendNoKeys(t *testing.T, up *upstream, q *Queue, opts Options) {
	t.Helper()
	if n := up.sends(); n != 1 {
		t.Errorf("simulator got %d sends, want exactly 1", n)
	}
	if n := sealedKeys(t, q); n != 0 {
		t.Errorf("%d sealed keys left after the task ended", n)
	}
	assertNoKey(t, "the store", storeText(t, opts))
}

// TestQueueSealsKeys checks that the store never holds a key in the clear,
// holds it sealed only while the task waits, and that the worker can use it.
func TestQueueSealsKeys(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			opts := st.options(t)
			opts.Secret = testSecret
			submitter := openQueue(t, opts)
			ctx := context.Background()
			ok, err := submitter.SubmitCommand(ctx, tenantA, up.device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			// B's device id is unknown to A's key: the hub refuses, 404.
			refused, err := submitter.SubmitCommand(ctx, tenantA, up.sim.DeviceIDs(keyB)[0], reboot)
			if err != nil {
				t.Fatal(err)
			}
			if n := sealedKeys(t, submitter); n != 2 {
				t.Fatalf("%d sealed keys while queued, want 2", n)
			}
			assertNoKey(t, "the store", storeText(t, opts))
			stopQueue(t, submitter)

			opts.Client, opts.Workers = up.client, 2
			worker := openQueue(t, opts)
			if got := waitFinal(t, worker, tenantA, ok.ID); got.Status != StatusDone {
				t.Errorf("task = %+v, want done", got)
			}
			got := waitFinal(t, worker, tenantA, refused.ID)
			if got.Status != StatusError || got.Code != string(xyte.CodeNotFound) {
				t.Errorf("task = %+v, want error/not_found", got)
			}
			assertNoKey(t, "the task error", got.Error)
			if n := sealedKeys(t, worker); n != 0 {
				t.Errorf("%d sealed keys left after the tasks ended", n)
			}
			assertNoKey(t, "the store", storeText(t, opts))
		})
	}
}

// TestQueueKeyRules covers the worker's key choice: the server's own key in
// single-tenant mode (nothing stored), and a secret that does not open.
func TestQueueKeyRules(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	opts := Options{DataDir: t.TempDir(), Client: up.client, ServerKey: keyA, Workers: 1}
	q := openQueue(t, opts)
	ctx := context.Background()
	task, err := q.SubmitCommand(ctx, tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	if got := waitFinal(t, q, tenantA, task.ID); got.Status != StatusDone {
		t.Errorf("single-tenant task = %+v, want done", got)
	}
	if _, err := q.SubmitCommand(ctx, tenantB, up.device, reboot); !errors.Is(err, ErrNoSecret) {
		t.Errorf("another key without a secret: %v, want ErrNoSecret", err)
	}
	stopQueue(t, q)

	// Queued under one secret, worked under another: refused, not sent.
	queued := Options{DataDir: opts.DataDir, Secret: testSecret}
	submitter := openQueue(t, queued)
	task, err = submitter.SubmitCommand(ctx, tenantB, up.sim.DeviceIDs(keyB)[0], reboot)
	if err != nil {
		t.Fatal(err)
	}
	stopQueue(t, submitter)
	other := Options{DataDir: opts.DataDir, Client: up.client, Workers: 1,
		Secret: strings.Repeat("x", MinSecretLength)}
	worker := openQueue(t, other)
	got := waitFinal(t, worker, tenantB, task.ID)
	if got.Status != StatusError || got.Code != CodeNoKey {
		t.Errorf("task = %+v, want error/%s", got, CodeNoKey)
	}
	if n := up.sends(); n != 1 {
		t.Errorf("simulator got %d sends, want 1", n)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no secret in multi-tenant mode", Options{DataDir: t.TempDir()}, "XYTE_TASK_SECRET"},
		{"short secret", Options{DataDir: t.TempDir(), Secret: "short"}, "at least 32"},
		{"workers without client", Options{DataDir: t.TempDir(), Secret: testSecret, Workers: 1},
			"upstream client"},
		{"unknown database", Options{DatabaseURL: "mysql://u:hunter2@db/x", Secret: testSecret},
			"only postgres"},
		{"bad postgres url", Options{DatabaseURL: "postgres://u:hunter2@[::1/x",
			Secret: testSecret}, "DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := Open(context.Background(), tt.opts)
			if err == nil {
				q.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q: want it to mention %q and no password", err, tt.want)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			opts := st.options(t)
			ctx := context.Background()
			dry, err := Migrate(ctx, opts, true)
			if err != nil || len(dry.River) == 0 || len(dry.Tasks) != len(migrations) {
				t.Fatalf("dry run = %+v (%v)", dry, err)
			}
			first, err := Migrate(ctx, opts, false)
			if err != nil || len(first.River) != len(dry.River) ||
				len(first.Tasks) != len(migrations) || first.Store != st.name {
				t.Fatalf("first = %+v (%v), want %+v", first, err, dry)
			}
			again, err := Migrate(ctx, opts, false)
			if err != nil || len(again.River) != 0 || len(again.Tasks) != 0 {
				t.Errorf("second = %+v (%v), want nothing applied", again, err)
			}
		})
	}
}
