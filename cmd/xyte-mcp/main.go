// Command xyte-mcp is an MCP server for the Xyte device-fleet API.
//
// It turns flags and the environment into one configuration, builds the
// logger, turns SIGINT and SIGTERM into a canceled context, runs one
// subcommand and maps its error to an exit code. Nothing below main exits or
// handles signals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/xyte-mcp/xyte-mcp/internal/logging"
)

// env is what a subcommand receives from the process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// process is set by main: the command owns the process and may tune its
	// runtime. Tests run commands inside their own process and leave it off.
	process bool
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands lists the subcommands by name. Each lives in its own file.
var commands = map[string]command{}

func register(name, summary string, run func(context.Context, env, []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// errUsage marks a wrong invocation; it exits with status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{os.Stdin, os.Stdout, os.Stderr, os.Getenv, true})
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "xyte-mcp: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "xyte-mcp %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "xyte-mcp %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: xyte-mcp <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'xyte-mcp <command> -h' for a command's flags.")
}

// newLogger returns the JSON logger every subcommand uses, on stderr. It
// scrubs the given secrets and every per-request key from all output.
func newLogger(w io.Writer, level slog.Level, secrets ...string) *slog.Logger {
	return logging.New(w, level, secrets...)
}

// parseFlags parses a subcommand's flags, mapping errors to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}
