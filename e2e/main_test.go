// Package e2e_test drives the built xyte-mcp binary from the outside: with the
// Go SDK client over stdio and HTTP, with the official TypeScript client
// (node), with the MCP conformance suite, and in start-up benchmarks.
package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
)

// binary is the xyte-mcp binary built once for all tests.
var binary string

// coverDir is the directory where the binary's processes write their
// coverage counters, from XYTE_E2E_COVERDIR: .ci/coverage sets it and merges
// the counters into its profile, since the processes the tests start are not
// seen by go test's own coverage. Empty, the binary is built as usual.
var coverDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xyte-mcp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "xyte-mcp")
	coverDir = os.Getenv("XYTE_E2E_COVERDIR")
	if err := buildBinary(binary, coverDir); err != nil {
		fmt.Fprintln(os.Stderr, "build xyte-mcp:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildBinary builds xyte-mcp into out. With a coverage directory the binary
// counts statements of every package the coverage gate covers, and the build
// takes none of the race or coverage flags that .ci/coverage gives go test
// through GOFLAGS: the processes run as they do under a plain go test.
func buildBinary(out, coverDir string) error {
	args := []string{"build", "-o", out}
	if coverDir != "" {
		args = append(args, "-cover", "-covermode=atomic",
			"-coverpkg=../cmd/...,../internal/...")
	}
	build := exec.Command("go", append(args, "../cmd/xyte-mcp")...)
	if coverDir != "" {
		build.Env = append(os.Environ(), "GOFLAGS="+withoutTestFlags(os.Getenv("GOFLAGS")))
	}
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	return build.Run()
}

// withoutTestFlags drops -race and the coverage flags from a GOFLAGS value.
func withoutTestFlags(goflags string) string {
	var keep []string
	for _, f := range strings.Fields(goflags) {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "race", "cover", "covermode", "coverpkg", "coverprofile":
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, " ")
}

// procEnv is the environment of an xyte-mcp process a test starts: PATH,
// GOCOVERDIR while coverage is collected, then env.
func procEnv(env ...string) []string {
	base := []string{"PATH=" + os.Getenv("PATH")}
	if coverDir != "" {
		base = append(base, "GOCOVERDIR="+coverDir)
	}
	return append(base, env...)
}

// server is a running xyte-mcp process that serves HTTP: serve or sim.
type server struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	stdout *lockedbuf.Buffer
	stderr *lockedbuf.Buffer
	exited chan struct{}

	stopOnce sync.Once
}

// startServe starts `xyte-mcp serve --demo` on a random loopback port and
// waits for its banner. The process is stopped with SIGTERM at cleanup, and
// the test fails unless it then exits 0.
func startServe(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	args = append([]string{"serve", "--demo", "--listen", "127.0.0.1:0"}, args...)
	s := startProcess(t, procEnv(append([]string{"XYTE_LOG_LEVEL=warn"}, env...)...), args...)
	s.base = s.waitLine(t, s.stdout, "the demo banner", func(line string) (string, bool) {
		_, url, ok := strings.Cut(line, "MCP (Streamable HTTP): ")
		return strings.TrimSuffix(strings.TrimSpace(url), "/mcp"), ok
	})
	return s
}

// startProcess starts the binary with args in the environment env. The
// process is stopped with SIGTERM at cleanup, and the test fails unless it
// then exits 0.
func startProcess(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	s := &server{cmd: cmd, stdout: &lockedbuf.Buffer{}, stderr: &lockedbuf.Buffer{},
		exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// startupWait bounds the wait for a process's first words; generous, since
// the machine may be busy with other test binaries.
const startupWait = 30 * time.Second

// waitLine polls out, the process's stdout or stderr, until find accepts a
// line, and returns what find made of it. The test fails if the process
// exits first or no line comes within startupWait.
func (s *server) waitLine(t testing.TB, out *lockedbuf.Buffer, what string,
	find func(line string) (string, bool)) string {
	t.Helper()
	deadline := time.After(startupWait)
	for {
		for _, line := range strings.Split(out.String(), "\n") {
			if v, ok := find(line); ok {
				return v
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("%s exited before %s: %v\nstderr:\n%s", s.cmd.Args[1], what,
				s.cmd.ProcessState, s.stderr.String())
		case <-deadline:
			t.Fatalf("no %s from %s within %s\nstderr:\n%s", what, s.cmd.Args[1], startupWait,
				s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and checks a prompt exit with status 0. It acts once,
// so a test may stop a process itself to look at what it did on the way out.
func (s *server) stop(t testing.TB) {
	t.Helper()
	s.stopOnce.Do(func() { s.terminate(t) })
}

func (s *server) terminate(t testing.TB) {
	t.Helper()
	select {
	case <-s.exited:
		t.Errorf("server exited early: %v\nstderr:\n%s", s.cmd.ProcessState, s.stderr.String())
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		t.Errorf("server did not exit within 10s of SIGTERM")
		return
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("server exit status %d after SIGTERM\nstderr:\n%s", code, s.stderr.String())
	}
}

// needNode skips the test when node is not installed, and runs `npm ci`
// once per test binary so the pinned client and suite are in node_modules.
func needNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH: install Node.js 20 or later to run the TypeScript " +
			"client and conformance tests")
	}
	npmOnce.Do(func() { errNPM = npmCI() })
	if errNPM != nil {
		t.Fatal(errNPM)
	}
}

// npmStamp records the hash of the lock file node_modules was installed
// from, so that npm ci runs again only when the lock file changes.
const npmStamp = "node_modules/.xyte-mcp-lock.sha256"

// npmCI installs exactly what package-lock.json pins, unless node_modules
// already holds it.
func npmCI() error {
	lock, err := os.ReadFile("package-lock.json")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	if got, err := os.ReadFile(npmStamp); err == nil && string(got) == want {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund",
		"--prefer-offline", "--loglevel=error")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci: %w\n%s", err, out)
	}
	return os.WriteFile(npmStamp, []byte(want), 0o644)
}

var (
	npmOnce sync.Once
	errNPM  error
)

// runNode runs a node program in this directory and returns its output.
func runNode(t *testing.T, node string, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	// client.mjs passes GOCOVERDIR on to the server it starts over stdio.
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if coverDir != "" {
		cmd.Env = append(cmd.Env, "GOCOVERDIR="+coverDir)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
