package plugins

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func TestAuditWritesOneLinePerAction(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	m, err := NewManager(ManagerOptions{Names: []string{"audit"}, Audit: AuditOptions{Path: path}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	key := "secret-xyte-key-1234"
	who := tenant.New(key)
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	m.Audit(AuditRecord{Time: at, Tenant: who.ID(), Action: "send_command",
		Targets: []string{"dev-1"}, Outcome: OutcomeSuccess, RequestID: "req-1"})
	m.Audit(AuditRecord{Time: at, Tenant: who.ID(), Action: "delete_device",
		Targets: []string{"dev-2"}, Outcome: OutcomeUnknown, DryRun: true})
	m.Event(who.ID(), events.Event{ID: "1-0", Type: "device.offline"}) // not an action: no line
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), key) {
		t.Fatal("the audit log holds the key")
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), raw)
	}
	want := `{"kind":"audit","time":"2026-05-06T07:08:09Z","tenant":"` + who.ID() +
		`","action":"send_command","targets":["dev-1"],"outcome":"success",` +
		`"dry_run":false,"request_id":"req-1"}`
	if lines[0] != want {
		t.Fatalf("line 1:\n got %s\nwant %s", lines[0], want)
	}
	var second map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil || second["dry_run"] != true {
		t.Fatalf("line 2: %s (%v)", lines[1], err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("audit file mode %v", info.Mode().Perm())
	}
}

// TestAuditDefaultsToStandardError: without XYTE_AUDIT_FILE the lines go to
// standard error. Not parallel: it swaps os.Stderr.
func TestAuditDefaultsToStandardError(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	t.Cleanup(func() { os.Stderr = saved })

	m, err := NewManager(ManagerOptions{Names: []string{"audit"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Audit(AuditRecord{Tenant: "t1", Action: "resolve_ticket", Outcome: OutcomeFailure})
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.Stderr = saved
	_ = w.Close()
	out, _ := io.ReadAll(r)
	line := string(out)
	if !strings.HasPrefix(line, `{"kind":"audit",`) || !strings.Contains(line, `"action":"resolve_ticket"`) ||
		strings.Count(line, "\n") != 1 {
		t.Fatalf("standard error got %q, want one audit line", out)
	}
}

// TestAuditWriteFailuresCounted: a full disk fails each record; the failures
// are counted and logged once, and publishing goes on.
func TestAuditWriteFailuresCounted(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs /dev/full (Linux): %v", err)
	}
	reg := prometheus.NewRegistry()
	var logs syncBuffer
	m, err := NewManager(ManagerOptions{Names: []string{"audit"}, Audit: AuditOptions{Path: "/dev/full"},
		Registerer: reg, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m.Audit(AuditRecord{Tenant: "t1", Action: "send_command", Outcome: OutcomeSuccess})
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := failures(t, reg, "audit", KindError); got != 3 {
		t.Fatalf("%v failures counted, want 3", got)
	}
	if n := logs.count("write audit record"); n != 1 {
		t.Fatalf("logged %d times, want once: %s", n, logs.String())
	}
}
