package tasks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// backend is one database holding the task table and River's tables, and
// the River client over it. riverBackend is the only implementation; the
// interface hides its transaction type.
type backend interface {
	kind() string
	db() db
	// insert stores a new task row and its River job in one transaction.
	insert(ctx context.Context, r newRow) error
	migrate(ctx context.Context, dryRun bool, logger *slog.Logger) (MigrateResult, error)
	newClient(cfg *river.Config) error
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	close()
}

// newRow is a task as it enters the store.
type newRow struct {
	id, tenant, deviceID, command string
	sealed                        []byte
	created                       time.Time
	args                          river.JobArgs
}

// riverBackend is a backend over one River driver.
type riverBackend[TTx any] struct {
	name   string
	driver riverdriver.Driver[TTx]
	client *river.Client[TTx]
	pool   db
	schema string
	blob   string
	// inTx runs fn in a transaction, committing when it returns nil.
	inTx func(ctx context.Context, fn func(tx TTx, d db) error) error
	// lock serializes migrations across processes; it returns the unlock.
	lock    func(ctx context.Context) (func(), error)
	closeDB func()
}

func (b *riverBackend[TTx]) kind() string { return b.name }
func (b *riverBackend[TTx]) db() db       { return b.pool }

func (b *riverBackend[TTx]) insert(ctx context.Context, r newRow) error {
	return b.inTx(ctx, func(tx TTx, d db) error {
		_, err := d.exec(ctx, sqlInsert, r.id, r.tenant, r.deviceID, r.command, r.sealed,
			micros(r.created))
		if err != nil {
			return fmt.Errorf("insert task: %w", err)
		}
		if _, err := b.client.InsertTx(ctx, tx, r.args, nil); err != nil {
			return fmt.Errorf("insert job: %w", err)
		}
		return nil
	})
}

func (b *riverBackend[TTx]) migrate(ctx context.Context, dryRun bool,
	logger *slog.Logger) (MigrateResult, error) {
	unlock, err := b.lock(ctx)
	if err != nil {
		return MigrateResult{}, err
	}
	defer unlock()

	m, err := rivermigrate.New(b.driver, &rivermigrate.Config{Schema: b.schema, Logger: logger})
	if err != nil {
		return MigrateResult{}, fmt.Errorf("river migrator: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{DryRun: dryRun})
	if err != nil {
		return MigrateResult{}, fmt.Errorf("migrate river: %w", err)
	}
	out := MigrateResult{Store: b.name}
	for _, v := range res.Versions {
		out.River = append(out.River, v.Version)
	}
	// Like River's migrator, run no DDL when nothing is pending, so that a
	// role without DDL rights can start once an operator has migrated.
	done, err := appliedVersions(ctx, b.pool)
	if err != nil {
		done = map[int]bool{} // no migration table yet
	}
	if todo := pending(done); dryRun || len(todo) == 0 {
		out.Tasks = versions(todo)
		return out, nil
	}
	err = b.inTx(ctx, func(_ TTx, d db) error {
		out.Tasks, err = migrate(ctx, d, b.blob, time.Now())
		return err
	})
	return out, err
}

func (b *riverBackend[TTx]) newClient(cfg *river.Config) error {
	cfg.Schema = b.schema
	c, err := river.NewClient(b.driver, cfg)
	if err != nil {
		return fmt.Errorf("river client: %w", err)
	}
	b.client = c
	return nil
}

func (b *riverBackend[TTx]) start(ctx context.Context) error { return b.client.Start(ctx) }
func (b *riverBackend[TTx]) stop(ctx context.Context) error  { return b.client.Stop(ctx) }

func (b *riverBackend[TTx]) stopAndCancel(ctx context.Context) error {
	return b.client.StopAndCancel(ctx)
}

func (b *riverBackend[TTx]) close() { b.closeDB() }

// isPostgresURL reports whether u names a PostgreSQL database.
func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// openBackend opens the store the options select: PostgreSQL for a
// postgres:// URL, else SQLite in the data directory.
func openBackend(ctx context.Context, opts Options) (backend, error) {
	switch {
	case isPostgresURL(opts.DatabaseURL):
		return openPostgres(ctx, opts.DatabaseURL, opts.Schema)
	case opts.DatabaseURL != "":
		return nil, errors.New("DATABASE_URL: only postgres:// and postgresql:// URLs are " +
			"supported; leave it empty to keep tasks in SQLite under XYTE_DATA_DIR")
	case opts.Schema != "":
		return nil, errors.New("a schema applies to PostgreSQL only")
	}
	return openSQLite(ctx, opts.DataDir)
}

// migrationLockID is the PostgreSQL advisory lock that serializes
// migrations of replicas starting together. Any fixed number works; this is
// the first 8 bytes of "xyte-mcp" read as an integer.
const migrationLockID = 0x787974652d6d6370

// openPostgres connects a pgx pool. The password never reaches an error: pgx
// redacts it when it quotes the URL.
func openPostgres(ctx context.Context, dsn, schema string) (*riverBackend[pgx.Tx], error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	names := tableNames(schema)
	b := &riverBackend[pgx.Tx]{
		name:   "postgres",
		driver: riverpgxv5.New(pool),
		pool:   pgxDB{q: pool, names: names},
		schema: schema,
		blob:   "BYTEA",
		inTx: func(ctx context.Context, fn func(pgx.Tx, db) error) error {
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				return fn(tx, pgxDB{q: tx, names: names})
			})
		},
		closeDB: pool.Close,
	}
	b.lock = func(ctx context.Context) (func(), error) { return advisoryLock(ctx, pool) }
	return b, nil
}

// advisoryLock holds the migration lock on a connection of its own.
func advisoryLock(ctx context.Context, pool *pgxpool.Pool) (func(), error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockID)); err != nil {
		conn.Release()
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return func() {
		// A failed unlock ends with the session: drop the connection then.
		_, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)",
			int64(migrationLockID))
		if err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
		conn.Release()
	}, nil
}

// sqliteFile is the database file in the data directory.
const sqliteFile = "tasks.db"

// openSQLite opens the database file in dir, creating both if needed. One
// connection serializes every statement, as the River SQLite driver asks;
// WAL and a busy timeout let another process (a separate worker on the same
// host) wait for its turn instead of failing.
func openSQLite(ctx context.Context, dir string) (*riverBackend[*sql.Tx], error) {
	if dir == "" {
		return nil, errors.New("XYTE_DATA_DIR: a data directory is required for SQLite tasks")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	// secure_delete zeroes deleted content, so a sealed key set to NULL
	// does not linger in a free page of the file.
	u := url.URL{Scheme: "file", Path: filepath.Join(dir, sqliteFile), RawQuery: "" +
		"_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)" +
		"&_pragma=secure_delete(ON)&_txlock=immediate"}
	pool, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	pool.SetMaxOpenConns(1)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	names := tableNames("")
	return &riverBackend[*sql.Tx]{
		name:   "sqlite",
		driver: riversqlite.New(pool),
		pool:   sqlDB{q: pool, names: names},
		blob:   "BLOB",
		inTx: func(ctx context.Context, fn func(*sql.Tx, db) error) error {
			tx, err := pool.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if err := fn(tx, sqlDB{q: tx, names: names}); err != nil {
				_ = tx.Rollback()
				return err
			}
			return tx.Commit()
		},
		lock:    func(context.Context) (func(), error) { return func() {}, nil },
		closeDB: func() { _ = pool.Close() },
	}, nil
}
