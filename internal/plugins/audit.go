package plugins

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
)

// AuditOptions configures the audit plugin.
type AuditOptions struct {
	// Path is the file that receives the audit lines, appended to and
	// created with mode 0600 if missing (env XYTE_AUDIT_FILE). Empty:
	// standard error.
	Path string
}

// audit writes one JSON line per write action.
type audit struct {
	opts AuditOptions
	w    io.Writer
	file *os.File
}

// auditLine is one line of the audit log: "kind":"audit" first, so that
// the lines stand out among the JSON logs on standard error.
type auditLine struct {
	Kind string `json:"kind"`
	AuditRecord
}

func newAudit(env Env) (Plugin, error) {
	return &audit{opts: env.Audit}, nil
}

func (a *audit) Start(context.Context) error {
	if a.opts.Path == "" {
		a.w = os.Stderr
		return nil
	}
	f, err := os.OpenFile(a.opts.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("XYTE_AUDIT_FILE: open: %w", err)
	}
	a.file, a.w = f, f
	return nil
}

func (a *audit) Stop(context.Context) error {
	if a.file == nil {
		return nil
	}
	err := a.file.Close()
	a.file = nil
	return err
}

func (a *audit) HandleEvent(context.Context, string, events.Event) error { return nil }

// HandleAudit writes the record as one line in a single write, so that
// processes appending to one local file do not split each other's lines.
func (a *audit) HandleAudit(_ context.Context, rec AuditRecord) error {
	line, err := json.Marshal(auditLine{Kind: "audit", AuditRecord: rec})
	if err != nil {
		return fmt.Errorf("encode audit record: %w", err)
	}
	if _, err := a.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write audit record: %w", err)
	}
	return nil
}
