package plugins

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// failures reads xyte_mcp_plugin_failures_total{plugin,kind} from reg.
func failures(t *testing.T, reg *prometheus.Registry, plugin, kind string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "xyte_mcp_plugin_failures_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["plugin"] == plugin && labels["kind"] == kind {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// eventually polls cond for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncBuffer is a buffer a logger and a test share, counting lines.
type syncBuffer struct{ lockedbuf.Buffer }

// count returns how many lines of b contain s.
func (b *syncBuffer) count(s string) int {
	n := 0
	for line := range strings.Lines(b.String()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// funcPlugin is a plugin made of functions, for tests.
type funcPlugin struct {
	event func(ctx context.Context, tenantID string, e events.Event) error
	audit func(ctx context.Context, rec AuditRecord) error
	start func(ctx context.Context) error
	stop  func(ctx context.Context) error
}

func (p *funcPlugin) Start(ctx context.Context) error {
	if p.start != nil {
		return p.start(ctx)
	}
	return nil
}

func (p *funcPlugin) Stop(ctx context.Context) error {
	if p.stop != nil {
		return p.stop(ctx)
	}
	return nil
}

func (p *funcPlugin) HandleEvent(ctx context.Context, tenantID string, e events.Event) error {
	if p.event != nil {
		return p.event(ctx, tenantID, e)
	}
	return nil
}

func (p *funcPlugin) HandleAudit(ctx context.Context, rec AuditRecord) error {
	if p.audit != nil {
		return p.audit(ctx, rec)
	}
	return nil
}

// register adds p under name to r.
func register(t *testing.T, r *Registry, name string, p Plugin) {
	t.Helper()
	err := r.Register(Registration{Name: name, APIVersion: APIVersion,
		NewFunc: func(Env) (Plugin, error) { return p, nil }})
	if err != nil {
		t.Fatal(err)
	}
}
