package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
)

func init() {
	register("migrate", "create or upgrade the task store's tables (River's and the tasks')",
		runMigrate)
}

func runMigrate(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dataDir := fs.String("data-dir", cfg.DataDir,
		"directory of the SQLite task store, used when DATABASE_URL is empty (env XYTE_DATA_DIR)")
	dryRun := fs.Bool("dry-run", false, "list pending migrations without applying them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	logger := newLogger(e.stderr, slog.LevelWarn, cfg.Secrets()...)
	res, err := tasks.Migrate(ctx, tasks.Options{DatabaseURL: cfg.DatabaseURL, DataDir: *dataDir,
		Logger: logger}, *dryRun)
	if err != nil {
		return fmt.Errorf("migrate task store: %w", err)
	}
	printMigrations(e.stdout, res, *dryRun)
	return nil
}

// printMigrations tells the operator what was applied, or is pending.
func printMigrations(w io.Writer, res tasks.MigrateResult, dryRun bool) {
	verb := "applied"
	if dryRun {
		verb = "pending"
	}
	fmt.Fprintf(w, "task store: %s\n", res.Store)
	for _, part := range []struct {
		name     string
		versions []int
	}{{"river", res.River}, {"tasks", res.Tasks}} {
		if len(part.versions) == 0 {
			fmt.Fprintf(w, "  %-6s up to date\n", part.name)
			continue
		}
		fmt.Fprintf(w, "  %-6s %s %s\n", part.name, verb, joinInts(part.versions))
	}
}

func joinInts(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}
