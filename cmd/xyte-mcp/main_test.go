package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// runCmd runs the command line args with the environment vars and returns
// the exit code, stdout and stderr. A command that is meant to fail before
// serving gets a deadline, so that a regression fails instead of hanging.
func runCmd(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, testEnv(vars, &stdout, &stderr))
	return code, stdout.String(), stderr.String()
}

// TestRunWithoutCommandPrintsUsage: the command list goes to stderr; asking
// for it exits 0, a missing or unknown command exits 2.
func TestRunWithoutCommandPrintsUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage: xyte-mcp <command> [flags]"},
		{[]string{"help"}, 0, "Usage: xyte-mcp <command> [flags]"},
		{[]string{"-h"}, 0, "Run 'xyte-mcp <command> -h' for a command's flags."},
		{[]string{"--help"}, 0, "Usage: xyte-mcp <command> [flags]"},
		{[]string{"serv"}, 2, `xyte-mcp: unknown command "serv"`},
	}
	for _, tc := range tests {
		code, stdout, stderr := runCmd(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("xyte-mcp %q: exit %d, stdout %q, stderr %q; want %d with %q on stderr",
				tc.args, code, stdout, stderr, tc.code, tc.want)
		}
		for name, c := range commands {
			if !strings.Contains(stderr, "  "+name+" ") || !strings.Contains(stderr, c.summary) {
				t.Errorf("xyte-mcp %q: usage does not list %s: %q", tc.args, name, stderr)
			}
		}
	}
}

// TestCommandHelpListsFlags: -h prints a command's flags, with the
// environment variable each one overrides, and exits 0.
func TestCommandHelpListsFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		command string
		want    []string
	}{
		{"serve", []string{"-listen", "(env XYTE_LISTEN)", "-demo", "-sessions"}},
		{"stdio", []string{"-read-only", "(env XYTE_READ_ONLY)", "-base-url"}},
		{"worker", []string{"-workers", "(env XYTE_TASK_WORKERS)"}},
		{"migrate", []string{"-dry-run", "(env XYTE_DATA_DIR)"}},
		{"sim", []string{"-key", "(default demo-key)", "-partner-key", "-admin-listen"}},
		{"version", []string{"Usage of version"}},
	}
	for _, tc := range tests {
		code, _, stderr := runCmd(t, nil, tc.command, "-h")
		if code != 0 {
			t.Errorf("%s -h: exit %d, want 0", tc.command, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s -h does not mention %q: %s", tc.command, w, stderr)
			}
		}
	}
}

// TestBadInvocationExitsTwo: a wrong flag, argument or flag value is a
// usage error: exit 2 and a message that names what is wrong, after the
// command's name.
func TestBadInvocationExitsTwo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"serve", "-log-level", "loud"}, "-log-level must be debug, info, warn or error"},
		{[]string{"serve", "-listen", "8080"}, "-listen must be host:port"},
		{[]string{"stdio", "extra"}, `unexpected argument "extra"`},
		{[]string{"stdio", "-log-level", "loud"}, "-log-level must be debug, info, warn or error"},
		{[]string{"version", "--short"}, "flag provided but not defined: -short"},
		{[]string{"migrate", "now"}, `unexpected argument "now"`},
		{[]string{"worker", "-workers", "0"}, "-workers must be from 1 to 100"},
		{[]string{"worker", "-workers", "101"}, "-workers must be from 1 to 100"},
		{[]string{"worker", "-listen", "9090"}, "-listen must be host:port"},
		{[]string{"worker", "-log-level", "loud"}, "-log-level must be debug, info, warn or error"},
		{[]string{"worker", "-threads", "2"}, "flag provided but not defined: -threads"},
		{[]string{"sim", "-log-level", "loud"}, "-log-level must be debug, info, warn or error"},
		{[]string{"sim", "-key", " "}, `invalid value " " for flag -key: empty key`},
		{[]string{"sim", "-key", "k1", "-key", "k1=Other"}, "org 1: key is used twice"},
		{[]string{"sim", "-command-delay", "-1s"}, "command delay must not be negative"},
	}
	for _, tc := range tests {
		code, _, stderr := runCmd(t, nil, tc.args...)
		prefix := "xyte-mcp " + tc.args[0] + ": usage: "
		if code != 2 || !strings.Contains(stderr, prefix) || !strings.Contains(stderr, tc.want) {
			t.Errorf("xyte-mcp %q: exit %d, stderr %q; want 2 with %q and %q", tc.args, code,
				stderr, prefix, tc.want)
		}
	}
}

// TestConfigErrorsNameTheSetting: a bad environment variable stops every
// command that reads the configuration with exit 2 and a message naming the
// variable, never quoting a secret's value.
func TestConfigErrorsNameTheSetting(t *testing.T) {
	t.Parallel()
	const shortSecret = "Zq81-short-task-secret"
	tests := []struct {
		command string
		vars    map[string]string
		want    string
	}{
		{"serve", map[string]string{"XYTE_CACHE_TTL": "forever"}, "XYTE_CACHE_TTL: must be a duration"},
		{"serve", map[string]string{"XYTE_LISTEN": "8080"}, "XYTE_LISTEN: must be host:port"},
		{"stdio", map[string]string{"XYTE_RATE_LIMIT": "-1"}, "XYTE_RATE_LIMIT"},
		{"worker", map[string]string{"XYTE_TASK_WORKERS": "1000"}, "XYTE_TASK_WORKERS"},
		{"worker", map[string]string{"XYTE_TASK_SECRET": shortSecret},
			"XYTE_TASK_SECRET: must be at least 32 characters"},
		{"migrate", map[string]string{"DATABASE_URL": "mysql://db/tasks"},
			"DATABASE_URL: must be a postgres:// or postgresql:// URL"},
		// Settings that parse but that the services cannot be built from.
		{"serve", map[string]string{"ENABLE_ASYNC_TASKS": "true", "XYTE_DATA_DIR": t.TempDir()},
			"XYTE_TASK_SECRET is required for asynchronous tasks in multi-tenant mode"},
		{"stdio", map[string]string{"XYTE_API_KEY": "org-key", "XYTE_PLUGINS": "telepathy"},
			`XYTE_PLUGINS: unknown plugin "telepathy"`},
		{"worker", map[string]string{"XYTE_BASE_URL": "ftp://hub.example", "XYTE_TASK_SECRET": workerTestSecret,
			"XYTE_DATA_DIR": t.TempDir()}, "xyte base URL must be an absolute http or https URL"},
		// stdio has no request header to take a key from.
		{"stdio", nil, "set XYTE_API_KEY to the organization's Xyte API key (or use --demo)"},
	}
	for _, tc := range tests {
		code, _, stderr := runCmd(t, tc.vars, tc.command)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s with %v: exit %d, stderr %q; want 2 with %q", tc.command, tc.vars, code,
				stderr, tc.want)
		}
		if strings.Contains(stderr, shortSecret) {
			t.Errorf("%s: the secret's value is in the message: %q", tc.command, stderr)
		}
	}
}
