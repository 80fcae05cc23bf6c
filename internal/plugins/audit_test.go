package plugins

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
