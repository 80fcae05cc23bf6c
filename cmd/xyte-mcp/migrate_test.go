package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMigrateCommandPostgres: migrate creates River's and the tasks' tables
// in the database DATABASE_URL names (here a schema of its own, through
// search_path), says which versions it applied, and then that both are up
// to date; --dry-run before lists the same versions as pending and creates
// nothing.
func TestMigrateCommandPostgres(t *testing.T) {
	t.Parallel()
	schema := freshSchema(t)
	vars := map[string]string{"DATABASE_URL": testDatabaseURL() + "&search_path=" + schema}

	code, dry, stderr := runCmd(t, vars, "migrate", "--dry-run")
	if code != 0 || !strings.Contains(dry, "task store: postgres\n") ||
		!strings.Contains(dry, "  river  pending 1, ") || !strings.Contains(dry, "  tasks  pending 1\n") {
		t.Fatalf("migrate --dry-run: exit %d, stdout %q, stderr %q", code, dry, stderr)
	}
	if n := pgCount(t, "SELECT count(*) FROM information_schema.tables "+
		"WHERE table_schema = $1", schema); n != 0 {
		t.Errorf("migrate --dry-run created %d tables", n)
	}

	code, applied, stderr := runCmd(t, vars, "migrate")
	if code != 0 || strings.ReplaceAll(applied, "applied", "pending") != dry {
		t.Fatalf("migrate: exit %d, stdout %q (want the dry run's versions applied), stderr %q",
			code, applied, stderr)
	}
	for _, table := range []string{"river_job", "river_migration", "xyte_task",
		"xyte_task_migration"} {
		if pgCount(t, "SELECT count(*) FROM information_schema.tables "+
			"WHERE table_schema = $1 AND table_name = $2", schema, table) != 1 {
			t.Errorf("no table %s.%s after migrate", schema, table)
		}
	}

	code, again, _ := runCmd(t, vars, "migrate")
	if want := "task store: postgres\n  river  up to date\n  tasks  up to date\n"; code != 0 ||
		again != want {
		t.Errorf("second migrate: exit %d, stdout %q, want %q", code, again, want)
	}
}

// TestMigrateCommandSQLiteDryRun: --dry-run on an empty data directory lists
// every version as pending; the real run then applies exactly those.
func TestMigrateCommandSQLiteDryRun(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"XYTE_DATA_DIR": t.TempDir()}
	code, dry, stderr := runCmd(t, vars, "migrate", "-dry-run")
	if code != 0 || !strings.Contains(dry, "task store: sqlite\n") ||
		!strings.Contains(dry, "  tasks  pending 1\n") {
		t.Fatalf("migrate -dry-run: exit %d, stdout %q, stderr %q", code, dry, stderr)
	}
	code, applied, _ := runCmd(t, vars, "migrate")
	if code != 0 || strings.ReplaceAll(applied, "applied", "pending") != dry {
		t.Errorf("migrate: exit %d, stdout %q, want the dry run's %q applied", code, applied, dry)
	}
}

// TestMigrateCommandUnreachableDatabase: a database that cannot be reached
// fails the command with exit 1 and says so, without the URL's password.
func TestMigrateCommandUnreachableDatabase(t *testing.T) {
	t.Parallel()
	const password = "Vq3-migrate-test-password"
	vars := map[string]string{"DATABASE_URL": "postgres://xyte:" + password +
		"@127.0.0.1:1/tasks?sslmode=disable&connect_timeout=5"}
	code, stdout, stderr := runCmd(t, vars, "migrate")
	if code != 1 || stdout != "" ||
		!strings.Contains(stderr, "xyte-mcp migrate: migrate task store: connect to postgres") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and a connect error", code, stdout, stderr)
	}
	if strings.Contains(stderr, password) {
		t.Errorf("the password is in the error: %q", stderr)
	}
}

// testDatabaseURL is the PostgreSQL the tests use: trust auth on loopback.
func testDatabaseURL() string {
	if u := os.Getenv("XYTE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// freshSchema creates a PostgreSQL schema for one test and drops it after.
func freshSchema(t *testing.T) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xyte_cmd_test_" + hex.EncodeToString(b[:])
	pgExec(t, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { pgExec(t, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE") })
	return name
}

// pgConn connects to the test database for one statement.
func pgConn(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), testDatabaseURL())
	if err != nil {
		t.Fatalf("PostgreSQL at %s is required: %v", testDatabaseURL(), err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func pgExec(t *testing.T, sql string) {
	t.Helper()
	if _, err := pgConn(t).Exec(context.Background(), sql); err != nil {
		t.Errorf("%s: %v", sql, err)
	}
}

func pgCount(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pgConn(t).QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
