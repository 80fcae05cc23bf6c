package tasks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// openSubmitter opens a submit-only queue (no workers) and closes it at
// cleanup.
func openSubmitter(t *testing.T, opts Options) *Queue {
	t.Helper()
	if opts.Secret == "" {
		opts.Secret = testSecret
	}
	q, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open queue: %v", err)
	}
	t.Cleanup(q.Close)
	return q
}

// TestQueueStoreGone: once the store is closed, every call fails with an
// error that names what it was doing, readiness says so, and the store-wide
// gauge reports the failure instead of a sample.
func TestQueueStoreGone(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			opts := st.options(t)
			opts.Registerer = reg
			q := openSubmitter(t, opts)
			ctx := context.Background()
			task, err := q.SubmitCommand(ctx, tenantA, "device-1", reboot)
			if err != nil {
				t.Fatal(err)
			}
			q.Close()

			_, err = q.SubmitCommand(ctx, tenantA, "device-1", reboot)
			wantErr(t, "submit", err, "queue task: ")
			_, err = q.Get(ctx, tenantA, task.ID)
			wantErr(t, "get", err, "get task: ")
			_, err = q.List(ctx, tenantA, 0)
			wantErr(t, "list", err, "list tasks: ")
			_, err = q.Cancel(ctx, tenantA, task.ID)
			wantErr(t, "cancel", err, "cancel task: ")
			wantErr(t, "ready", q.Ready(ctx), "task store: ")
			if n, err := testutil.GatherAndCount(reg, "xyte_mcp_tasks"); err == nil || n != 0 {
				t.Errorf("xyte_mcp_tasks: %d samples, error %v; want an error and none", n, err)
			}
		})
	}
}

func wantErr(t *testing.T, what string, err error, prefix string) {
	t.Helper()
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("%s on a closed store: %v, want an error starting %q", what, err, prefix)
	}
}

// TestQueueGaugeCountsStoreWide: xyte_mcp_tasks counts the queued tasks of
// every process on the store, while the submitted counter is this
// process's own.
func TestQueueGaugeCountsStoreWide(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			opts := st.options(t)
			reg := prometheus.NewRegistry()
			mine := opts
			mine.Registerer = reg
			other, q := openSubmitter(t, opts), openSubmitter(t, mine)
			ctx := context.Background()
			for _, sub := range []*Queue{other, other, q} {
				if _, err := sub.SubmitCommand(ctx, tenantA, "device-1", reboot); err != nil {
					t.Fatal(err)
				}
			}
			want := `
# HELP xyte_mcp_tasks Tasks in the store waiting or being sent, by state, across all processes.
# TYPE xyte_mcp_tasks gauge
xyte_mcp_tasks{status="queued"} 3
xyte_mcp_tasks{status="running"} 0
# HELP xyte_mcp_tasks_submitted_total Tasks queued by this process.
# TYPE xyte_mcp_tasks_submitted_total counter
xyte_mcp_tasks_submitted_total 1
`
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "xyte_mcp_tasks",
				"xyte_mcp_tasks_submitted_total"); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOpenRefusesStore: a store that cannot be opened or brought up to date
// fails Open with the reason, and a second queue cannot register its metrics
// where the first did.
func TestOpenRefusesStore(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	notDB := t.TempDir()
	for _, p := range []string{file, filepath.Join(notDB, sqliteFile)} {
		if err := os.WriteFile(p, []byte(strings.Repeat("not a database\n", 512)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no data directory", Options{}, "XYTE_DATA_DIR: a data directory is required"},
		{"data directory under a file", Options{DataDir: filepath.Join(file, "tasks")},
			"create data directory"},
		{"a file that is not a database", Options{DataDir: notDB}, "not a database"},
		{"schema on SQLite", Options{DataDir: t.TempDir(), Schema: "tasks"},
			"a schema applies to PostgreSQL only"},
		{"more workers than River runs", Options{DataDir: t.TempDir(), Workers: 20_000,
			Client: newUpstream(t).client}, "river client: invalid number of workers"},
		// Objects of another application in the schema, named like ours.
		{"foreign river_job table", foreignSchema(t, "CREATE TABLE %s.river_job (note TEXT)"),
			"migrate river: "},
		{"foreign task table", foreignSchema(t, "CREATE TABLE %s.xyte_task (note TEXT)"),
			"apply task migration 1: "},
		{"a type named like the migration table",
			foreignSchema(t, "CREATE DOMAIN %s.xyte_task_migration AS TEXT"),
			"create migration table: "},
		{"migration table without versions",
			foreignSchema(t, "CREATE TABLE %s.xyte_task_migration (note TEXT)"),
			"read task migrations: "},
		{"migration table with text versions", foreignSchema(t,
			"CREATE TABLE %s.xyte_task_migration (version TEXT, applied_us BIGINT)",
			"INSERT INTO %s.xyte_task_migration VALUES ('one', 0)"), "read task migrations: "},
		{"migration table without times",
			foreignSchema(t, "CREATE TABLE %s.xyte_task_migration (version BIGINT)"),
			"record task migration 1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Secret = testSecret
			q, err := Open(context.Background(), tt.opts)
			if err == nil {
				q.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to mention %q", err, tt.want)
			}
		})
	}

	t.Run("metrics registered twice", func(t *testing.T) {
		t.Parallel()
		opts := Options{DataDir: t.TempDir(), Secret: testSecret,
			Registerer: prometheus.NewRegistry()}
		openSubmitter(t, opts)
		q, err := Open(context.Background(), opts)
		if err == nil {
			q.Close()
			t.Fatal("second Open on the same registry succeeded")
		}
		if !strings.Contains(err.Error(), "register task metrics: ") {
			t.Errorf("error %q, want it to name the metrics", err)
		}
	})
}

// foreignSchema returns the options of a fresh PostgreSQL schema in which
// the statements (with %s for the schema) ran first.
func foreignSchema(t *testing.T, statements ...string) Options {
	t.Helper()
	schema := freshSchema(t)
	for i, st := range statements {
		statements[i] = fmt.Sprintf(st, pgx.Identifier{schema}.Sanitize())
	}
	pgExec(t, statements...)
	return Options{DatabaseURL: testDatabaseURL(), Schema: schema}
}

// pgExec runs statements on the test database.
func pgExec(t *testing.T, sql ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestSkipMigrateLeavesSchema: a queue opened with SkipMigrate on a fresh
// store creates no tables, so a submission fails and stores nothing; once
// Migrate ran, the same queue submits.
func TestSkipMigrateLeavesSchema(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			opts := st.options(t)
			opts.SkipMigrate = true
			q := openSubmitter(t, opts)
			ctx := context.Background()
			_, err := q.SubmitCommand(ctx, tenantA, "device-1", reboot)
			if err == nil || !strings.HasPrefix(err.Error(), "queue task: insert task: ") {
				t.Fatalf("submit before migrate: %v, want an insert error", err)
			}
			if _, err := Migrate(ctx, opts, false); err != nil {
				t.Fatal(err)
			}
			if _, err := q.SubmitCommand(ctx, tenantA, "device-1", reboot); err != nil {
				t.Fatalf("submit after migrate: %v", err)
			}
			if n := countStatus(t, q, StatusQueued); n != 1 {
				t.Errorf("%d queued tasks, want only the one after migrate", n)
			}
		})
	}
}

// TestSubmitWithoutJobStoresNothing: when River refuses the job, the task
// row inserted in the same transaction is rolled back, so no task waits
// without a job.
func TestSubmitWithoutJobStoresNothing(t *testing.T) {
	t.Parallel()
	opts := Options{DatabaseURL: testDatabaseURL(), Schema: freshSchema(t)}
	q := openSubmitter(t, opts)
	refuse(t, opts.Schema, "river_job", "BEFORE INSERT", "TRUE", 0)
	_, err := q.SubmitCommand(context.Background(), tenantA, "device-1", reboot)
	if err == nil || !strings.Contains(err.Error(), "queue task: insert job: ") {
		t.Fatalf("submit = %v, want the job insert's error", err)
	}
	if n := countStatus(t, q, StatusQueued); n != 0 {
		t.Errorf("%d queued tasks left without a job, want 0", n)
	}
}

// refusal makes the store refuse statements of one kind on a table of a
// schema: the first times of them whose rows match when (a SQL condition on
// NEW or OLD), or every one until lift when times is 0.
type refusal struct {
	t       *testing.T
	seq, on string
	trigger string
}

func refuse(t *testing.T, schema, table, event, when string, times int) *refusal {
	t.Helper()
	name := "refuse_" + table
	fn := pgx.Identifier{schema, name}.Sanitize()
	r := &refusal{t: t, seq: pgx.Identifier{schema, name}.Sanitize(),
		on: pgx.Identifier{schema, table}.Sanitize(), trigger: pgx.Identifier{name}.Sanitize()}
	limit := "TRUE"
	if times > 0 {
		limit = fmt.Sprintf("currval('%s') <= %d", r.seq, times)
	}
	pgExec(t, "CREATE SEQUENCE "+r.seq,
		"CREATE FUNCTION "+fn+"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "+
			"PERFORM nextval('"+r.seq+"'); IF "+limit+" THEN "+
			"RAISE EXCEPTION 'the store refused this statement'; END IF; RETURN NEW; END $$",
		"CREATE TRIGGER "+r.trigger+" "+event+" ON "+r.on+" FOR EACH ROW WHEN ("+when+
			") EXECUTE FUNCTION "+fn+"()")
	return r
}

// count returns how many statements reached the refusal so far.
func (r *refusal) count() int {
	r.t.Helper()
	var n int64
	var called bool
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testDatabaseURL())
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, "SELECT last_value, is_called FROM "+r.seq).Scan(&n,
		&called); err != nil {
		r.t.Fatal(err)
	}
	if !called {
		return 0
	}
	return int(n)
}

// lift lets the statements through again.
func (r *refusal) lift() { pgExec(r.t, "DROP TRIGGER "+r.trigger+" ON "+r.on) }

// TestQueueSubmitRefuses: what the hub could not run, or a caller without a
// tenant, is refused before anything is stored.
func TestQueueSubmitRefuses(t *testing.T) {
	t.Parallel()
	q := openSubmitter(t, Options{DataDir: t.TempDir()})
	ctx := context.Background()
	unencodable := xyte.SendCommandRequest{Name: "dim",
		ExtraParams: map[string]any{"level": math.NaN()}}
	var argErr *xyte.ArgumentError
	if _, err := q.SubmitCommand(ctx, tenantA, "device-1", unencodable); !errors.As(err, &argErr) ||
		argErr.Name != "extra_params" {
		t.Errorf("NaN parameter: %v, want an extra_params argument error", err)
	}
	if _, err := q.SubmitCommand(ctx, tenant.Tenant{}, "device-1", reboot); !errors.Is(err,
		ErrNoTenant) {
		t.Errorf("no tenant: %v, want ErrNoTenant", err)
	}
	if _, err := q.SubmitCommand(ctx, tenantA, "device-1", xyte.SendCommandRequest{}); !errors.Is(
		err, xyte.ErrInvalidArgument) {
		t.Errorf("no name: %v, want an invalid argument", err)
	}
	if list, err := q.List(ctx, tenant.Tenant{}, 0); err != nil || len(list) != 0 {
		t.Errorf("list without a tenant = %v (%v), want none", list, err)
	}
	if n := countStatus(t, q, StatusQueued); n != 0 {
		t.Errorf("%d tasks stored, want none", n)
	}
}

// TestUnreadableCommandIsReported: a task row whose command is not JSON
// (written by hand, or by a broken release) makes Get and List fail with an
// error naming the task, and a worker ends it unknown without sending.
func TestUnreadableCommandIsReported(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	dir := t.TempDir()
	q := openSubmitter(t, Options{DataDir: dir})
	ctx := context.Background()
	task, err := q.SubmitCommand(ctx, tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.b.db().exec(ctx, "UPDATE {t} SET command = 'reboot now' WHERE id = $1",
		task.ID); err != nil {
		t.Fatal(err)
	}
	want := "decode command of task " + task.ID
	if _, err := q.Get(ctx, tenantA, task.ID); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("get = %v, want %q", err, want)
	}
	if _, err := q.List(ctx, tenantA, 0); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("list = %v, want %q", err, want)
	}
	q.Close()

	worker := openQueue(t, Options{DataDir: dir, Client: up.client, Secret: testSecret,
		Workers: 1})
	waitFor(t, "the task to end", func() bool {
		var status string
		err := worker.b.db().queryRow(ctx, "SELECT status FROM {t} WHERE id = $1",
			task.ID).Scan(&status)
		return err == nil && status == StatusUnknown
	})
	if n := up.sends(); n != 0 {
		t.Errorf("simulator got %d sends, want none", n)
	}
}

// TestMigrateWaitsForLock: migrations of replicas starting together take
// turns: while another session holds the migration lock, Migrate waits, and
// gives up when its context ends; once the lock is free it runs.
func TestMigrateWaitsForLock(t *testing.T) {
	t.Parallel()
	opts := Options{DatabaseURL: testDatabaseURL(), Schema: freshSchema(t)}
	ctx := context.Background()
	holder, err := pgx.Connect(ctx, testDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockID)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	_, err = Migrate(short, opts, false)
	if _, uerr := holder.Exec(ctx, "SELECT pg_advisory_unlock($1)", int64(migrationLockID)); uerr != nil {
		t.Fatal(uerr)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "migration lock: ") {
		t.Fatalf("migrate while locked = %v, want a migration lock error", err)
	}
	if res, err := Migrate(ctx, opts, false); err != nil || len(res.Tasks) != len(migrations) {
		t.Errorf("migrate after the lock = %+v (%v), want every migration applied", res, err)
	}
}

// TestStartOnClosedStore: workers cannot start on a store that is gone.
func TestStartOnClosedStore(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	q, err := Open(context.Background(), Options{DataDir: t.TempDir(), Client: up.client,
		Secret: testSecret, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	if err := q.Start(context.Background()); err == nil ||
		!strings.HasPrefix(err.Error(), "start task workers: ") {
		t.Errorf("start = %v, want a start error", err)
	}
}
