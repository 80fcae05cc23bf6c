package tasks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The task table holds one row per task. It is ours rather than River's job
// rows with metadata, because:
//   - a task must outlive its job: River deletes finished jobs after its
//     retention period and may discard a job, while a tenant may still ask;
//   - the at-most-once rule needs one conditional update that commits
//     "running" before the send, independent of River's own job states
//     (River marks a job running when it fetches it, before our code runs);
//   - lookups are by random id and by owner, which River's tables do not
//     index, and job ids are sequential, so they cannot be the task id;
//   - the sealed key lives in one column that is set to NULL when the task
//     ends, instead of in job args that River keeps and logs.
//
// The row and its River job are inserted in one transaction, so a task is
// never queued without a job, nor a job left without its task. The job's
// args hold the task id only.
//
// Times are Unix microseconds in BIGINT columns, which read and sort the same
// way on PostgreSQL and SQLite. Every query is written once, with $N
// placeholders that both drivers bind by position.

// taskTable is the name of the task table.
const taskTable = "xyte_task"

// taskColumns are the columns scanRow reads, in order.
const taskColumns = "id, tenant, device_id, command, status, result, error, code, " +
	"created_us, updated_us, started_us, finished_us"

// Queries over the task table; {t} is its (schema-qualified) name and {m}
// that of its migration table.
const (
	sqlInsert = `INSERT INTO {t} (id, tenant, device_id, command, status, sealed_key,
		created_us, updated_us) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $6)`
	sqlGet  = `SELECT ` + taskColumns + ` FROM {t} WHERE id = $1 AND tenant = $2`
	sqlList = `SELECT ` + taskColumns + ` FROM {t} WHERE tenant = $1
		ORDER BY created_us DESC, id DESC LIMIT $2`
	sqlCancel = `UPDATE {t} SET status = '` + StatusCancelled + `', sealed_key = NULL,
		updated_us = $3, finished_us = $3 WHERE id = $1 AND tenant = $2 AND status = 'queued'`
	// sqlClaim is the commit point of at-most-once: only one caller can move
	// a task from queued to running, and it does so before sending.
	sqlClaim = `UPDATE {t} SET status = 'running', updated_us = $2, started_us = $2
		WHERE id = $1 AND status = 'queued'
		RETURNING tenant, device_id, command, sealed_key, created_us`
	sqlFinish = `UPDATE {t} SET status = $2, result = $3, error = $4, code = $5,
		sealed_key = NULL, updated_us = $6, finished_us = $6
		WHERE id = $1 AND status = 'running'`
	sqlStatus = `SELECT status FROM {t} WHERE id = $1`
	sqlCount  = `SELECT status, COUNT(*) FROM {t} WHERE status IN ('queued', 'running')
		GROUP BY status`
	sqlCleanup = `DELETE FROM {t} WHERE finished_us > 0 AND finished_us < $1`
)

// migration is one step of the task table's schema. {blob} is the dialect's
// binary type.
type migration struct {
	version int
	sql     []string
}

// migrations are applied in order, each once, recorded in the migration table.
var migrations = []migration{
	{version: 1, sql: []string{
		`CREATE TABLE IF NOT EXISTS {t} (
			id TEXT PRIMARY KEY,
			tenant TEXT NOT NULL,
			device_id TEXT NOT NULL,
			command TEXT NOT NULL,
			status TEXT NOT NULL,
			result TEXT NOT NULL DEFAULT '',
			error TEXT NOT NULL DEFAULT '',
			code TEXT NOT NULL DEFAULT '',
			sealed_key {blob},
			created_us BIGINT NOT NULL,
			updated_us BIGINT NOT NULL,
			started_us BIGINT NOT NULL DEFAULT 0,
			finished_us BIGINT NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX IF NOT EXISTS xyte_task_tenant_created ON {t} (tenant, created_us)`,
		`CREATE INDEX IF NOT EXISTS xyte_task_status_finished ON {t} (status, finished_us)`,
	}},
}

const (
	sqlMigrationTable = `CREATE TABLE IF NOT EXISTS {m} (
		version BIGINT PRIMARY KEY, applied_us BIGINT NOT NULL)`
	sqlMigrationVersions = `SELECT version FROM {m}`
	sqlMigrationRecord   = `INSERT INTO {m} (version, applied_us) VALUES ($1, $2)`
)

// db is the little the task table needs from a connection pool or a
// transaction, over pgx and database/sql alike.
type db interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	queryRow(ctx context.Context, query string, args ...any) scanner
	query(ctx context.Context, query string, args ...any) (rows, error)
}

type scanner interface{ Scan(dest ...any) error }

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// errNoRows is what both drivers' no-rows errors become.
var errNoRows = errors.New("no rows")

// pgxDB is a db over a pgx pool or transaction.
type pgxDB struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
	names *strings.Replacer
}

func (d pgxDB) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := d.q.Exec(ctx, d.sql(query), args...)
	return tag.RowsAffected(), err
}

func (d pgxDB) queryRow(ctx context.Context, query string, args ...any) scanner {
	return pgxRow{d.q.QueryRow(ctx, d.sql(query), args...)}
}

func (d pgxDB) query(ctx context.Context, query string, args ...any) (rows, error) {
	return d.q.Query(ctx, d.sql(query), args...) //nolint:sqlclosecheck // the caller closes them
}

func (d pgxDB) sql(query string) string { return d.names.Replace(query) }

type pgxRow struct{ row pgx.Row }

func (r pgxRow) Scan(dest ...any) error {
	if err := r.row.Scan(dest...); errors.Is(err, pgx.ErrNoRows) {
		return errNoRows
	} else if err != nil {
		return err
	}
	return nil
}

// sqlDB is a db over a database/sql pool or transaction.
type sqlDB struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	names *strings.Replacer
}

func (d sqlDB) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := d.q.ExecContext(ctx, d.sql(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d sqlDB) queryRow(ctx context.Context, query string, args ...any) scanner {
	return sqlRow{d.q.QueryRowContext(ctx, d.sql(query), args...)}
}

func (d sqlDB) query(ctx context.Context, query string, args ...any) (rows, error) {
	//nolint:rowserrcheck // the caller checks Err
	r, err := d.q.QueryContext(ctx, d.sql(query), args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (d sqlDB) sql(query string) string { return d.names.Replace(query) }

// tableNames returns the replacer of {t} and {m} by the task and migration
// tables' names, quoted and qualified by schema when there is one.
func tableNames(schema string) *strings.Replacer {
	if schema == "" {
		return strings.NewReplacer("{t}", taskTable, "{m}", taskTable+"_migration")
	}
	return strings.NewReplacer(
		"{t}", pgx.Identifier{schema, taskTable}.Sanitize(),
		"{m}", pgx.Identifier{schema, taskTable + "_migration"}.Sanitize())
}

type sqlRow struct{ row *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	if err := r.row.Scan(dest...); errors.Is(err, sql.ErrNoRows) {
		return errNoRows
	} else if err != nil {
		return err
	}
	return nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// micros and fromMicros convert times to and from the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// scanTask reads one row of taskColumns.
func scanTask(s scanner) (Task, error) {
	var (
		t                 Task
		command, result   string
		created, updated  int64
		started, finished int64
	)
	err := s.Scan(&t.ID, &t.Tenant, &t.DeviceID, &command, &t.Status, &result, &t.Error,
		&t.Code, &created, &updated, &started, &finished)
	if err != nil {
		return Task{}, err
	}
	if err := decodeCommand(command, &t); err != nil {
		return Task{}, err
	}
	if result != "" {
		t.Result = []byte(result)
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	t.StartedAt, t.FinishedAt = fromMicros(started), fromMicros(finished)
	return t, nil
}

// migrate applies the task table's pending migrations through d, a
// transaction that the caller holds the migration lock for, and returns the
// versions applied.
func migrate(ctx context.Context, d db, blob string, now time.Time) ([]int, error) {
	if _, err := d.exec(ctx, sqlMigrationTable); err != nil {
		return nil, fmt.Errorf("create migration table: %w", err)
	}
	done, err := appliedVersions(ctx, d)
	if err != nil {
		return nil, err
	}
	todo := pending(done)
	for _, m := range todo {
		for _, stmt := range m.sql {
			if _, err := d.exec(ctx, strings.ReplaceAll(stmt, "{blob}", blob)); err != nil {
				return nil, fmt.Errorf("apply task migration %d: %w", m.version, err)
			}
		}
		if _, err := d.exec(ctx, sqlMigrationRecord, m.version, micros(now)); err != nil {
			return nil, fmt.Errorf("record task migration %d: %w", m.version, err)
		}
	}
	return versions(todo), nil
}

// pending returns the migrations not in done, in order.
func pending(done map[int]bool) []migration {
	var out []migration
	for _, m := range migrations {
		if !done[m.version] {
			out = append(out, m)
		}
	}
	return out
}

func versions(ms []migration) []int {
	var out []int
	for _, m := range ms {
		out = append(out, m.version)
	}
	return out
}

func appliedVersions(ctx context.Context, d db) (map[int]bool, error) {
	rs, err := d.query(ctx, sqlMigrationVersions)
	if err != nil {
		return nil, fmt.Errorf("read task migrations: %w", err)
	}
	defer rs.Close()
	done := map[int]bool{}
	for rs.Next() {
		var v int64
		if err := rs.Scan(&v); err != nil {
			return nil, fmt.Errorf("read task migrations: %w", err)
		}
		done[int(v)] = true
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read task migrations: %w", err)
	}
	return done, nil
}
