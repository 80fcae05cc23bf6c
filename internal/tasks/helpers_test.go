package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// Keys of the simulated organizations: long and distinctive, so that a scan
// of the store for them cannot match by chance.
const (
	keyA = "org-key-alpha-5c1e0b7d9a3f4e62"
	keyB = "org-key-bravo-0d8f3a6e2b7c4911"
)

// testSecret is the task secret of the tests.
const testSecret = "test-task-secret-0123456789abcdef0123456789"

var (
	tenantA = tenant.New(keyA)
	tenantB = tenant.New(keyB)
)

// testDatabaseURL is the PostgreSQL the tests use: trust auth on loopback.
func testDatabaseURL() string {
	if u := os.Getenv("XYTE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// upstream is the simulated Xyte API of one test.
type upstream struct {
	sim     *xytesim.Server
	baseURL string
	client  *xyte.Client
	device  string // a device of tenant A
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	sim := xytesim.New(xytesim.Config{
		Orgs:         []xytesim.Org{{Key: keyA}, {Key: keyB}},
		CommandDelay: time.Nanosecond,
	})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := xyte.New(xyte.Options{BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &upstream{sim: sim, baseURL: srv.URL, client: client, device: sim.DeviceIDs(keyA)[0]}
}

// sends returns how many send-command requests reached the simulator.
func (u *upstream) sends() int {
	n := 0
	for _, r := range u.sim.Requests() {
		if r.Endpoint == "commands.sendCommand" {
			n++
		}
	}
	return n
}

// store is one kind of task store the tests run against.
type store struct {
	name string
	// options returns fresh, empty store options for one test.
	options func(t *testing.T) Options
}

var stores = []store{
	{name: "sqlite", options: func(t *testing.T) Options {
		return Options{DataDir: t.TempDir()}
	}},
	{name: "postgres", options: func(t *testing.T) Options {
		return Options{DatabaseURL: testDatabaseURL(), Schema: freshSchema(t)}
	}},
}

// freshSchema creates a PostgreSQL schema for one test and drops it after.
func freshSchema(t *testing.T) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xyte_tasks_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testDatabaseURL())
	if err != nil {
		t.Fatalf("PostgreSQL at %s is required: %v", testDatabaseURL(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, testDatabaseURL())
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+
			" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// testLogger returns a debug logger whose output is checked for keys when the
// test ends.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	logs := &lockedbuf.Buffer{}
	t.Cleanup(func() {
		for _, k := range []string{keyA, keyB, testSecret} {
			if strings.Contains(logs.String(), k) {
				t.Errorf("a key or the secret appears in the logs")
			}
		}
	})
	return slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// openQueue opens and starts a queue, stopping and closing it at cleanup.
func openQueue(t *testing.T, opts Options) *Queue {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	if opts.retryDelay == 0 {
		opts.retryDelay = 20 * time.Millisecond
	}
	q, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open queue: %v", err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopQueue(t, q) })
	return q
}

// stopQueue stops the workers, canceling sends after a second, and closes
// the store. It may be called more than once.
func stopQueue(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Errorf("stop queue: %v", err)
	}
	q.Close()
}

// waitFinal polls a task until it reaches a final state.
func waitFinal(t *testing.T, q Service, tn tenant.Tenant, id string) Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		task, err := q.Get(context.Background(), tn, id)
		if err != nil {
			t.Fatalf("get task: %v", err)
		}
		if task.Final() {
			return task
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still %s", id, task.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFor polls cond until it holds, for up to 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitUntil(t, what, 30*time.Second, cond)
}

// waitUntil polls cond until it holds.
func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countStatus counts the store's tasks in a state.
func countStatus(t *testing.T, q *Queue, status string) int {
	t.Helper()
	var n int64
	err := q.b.db().queryRow(context.Background(),
		"SELECT COUNT(*) FROM {t} WHERE status = $1", status).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// sealedKeys counts the task rows that hold a sealed key.
func sealedKeys(t *testing.T, q *Queue) int {
	t.Helper()
	var n int64
	err := q.b.db().queryRow(context.Background(),
		"SELECT COUNT(*) FROM {t} WHERE sealed_key IS NOT NULL").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// storeText returns everything the store holds as text: for SQLite the
// database files' bytes, for PostgreSQL every row of every table in the
// schema.
func storeText(t *testing.T, opts Options) string {
	t.Helper()
	if opts.DatabaseURL == "" {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(filepath.Join(opts.DataDir, sqliteFile+suffix))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return checkDump(t, string(all))
	}
	return checkDump(t, postgresText(t, opts.Schema))
}

// checkDump makes sure a dump holds a task job, so that a scan of it is
// not vacuous.
func checkDump(t *testing.T, text string) string {
	t.Helper()
	if !strings.Contains(text, "xyte_send_command") {
		t.Fatal("the dump of the store has no task job: the scan reads the wrong data")
	}
	return text
}

func postgresText(t *testing.T, schema string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.tables "+
		"WHERE table_schema = $1", schema)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, table := range tables {
		q := fmt.Sprintf("SELECT CAST(x AS text) FROM %s AS x",
			pgx.Identifier{schema, table}.Sanitize())
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(texts, "\n"))
	}
	return b.String()
}

// assertNoKey fails if a tenant key appears in text, plain or hex-encoded.
func assertNoKey(t *testing.T, where, text string) {
	t.Helper()
	for _, k := range []string{keyA, keyB} {
		if strings.Contains(text, k) || strings.Contains(text, hex.EncodeToString([]byte(k))) {
			t.Errorf("%s holds a tenant key", where)
		}
	}
}
