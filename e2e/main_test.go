// Package e2e_test drives the built xyte-mcp binary from the outside: with the
// Go SDK client over stdio and HTTP, with the official TypeScript client
// (node), with the MCP conformance suite, and in start-up benchmarks.
package e2e_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the xyte-mcp binary built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xyte-mcp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "xyte-mcp")
	build := exec.Command("go", "build", "-o", binary, "../cmd/xyte-mcp")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build xyte-mcp:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `xyte-mcp serve` process.
type server struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	stderr *lockedBuffer
	exited chan struct{}
}

// startServe starts `xyte-mcp serve --demo` on a random loopback port and
// waits for its banner. The process is stopped with SIGTERM at cleanup, and
// the test fails unless it then exits 0.
func startServe(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	args = append([]string{"serve", "--demo", "--listen", "127.0.0.1:0"}, args...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "XYTE_LOG_LEVEL=warn"}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { s.stop(t) })

	base, err := readBanner(stdout, 10*time.Second)
	if err != nil {
		t.Fatalf("serve --demo did not start: %v\nstderr:\n%s", err, s.stderr.String())
	}
	s.base = base
	return s
}

// readBanner returns the base URL from the demo banner's MCP line.
func readBanner(r io.Reader, timeout time.Duration) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "MCP (Streamable HTTP): "); ok {
				found <- strings.TrimSuffix(strings.TrimSpace(url), "/mcp")
				break
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case base := <-found:
		return base, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("no banner after %s", timeout)
	}
}

// stop sends SIGTERM and checks a prompt exit with status 0.
func (s *server) stop(t testing.TB) {
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

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
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
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
