package plugins

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func TestUnknownPluginName(t *testing.T) {
	t.Parallel()
	_, err := NewManager(ManagerOptions{Names: []string{"audit", "slack"}})
	if err == nil {
		t.Fatal("an unknown plugin name was accepted")
	}
	for _, want := range []string{"XYTE_PLUGINS", `"slack"`, "audit, webhook"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	_, err = NewManager(ManagerOptions{Names: []string{"audit", " audit"}})
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a repeated name: %v", err)
	}
	// XYTE_PLUGINS=",audit," and the like: blank entries are skipped.
	if _, err := NewManager(ManagerOptions{Names: []string{"", " audit ", "  "}}); err != nil {
		t.Errorf("blank entries: %v", err)
	}
}

// TestManagersShareFailureCounter: managers built on one registry (a
// restart within the process) share xyte_mcp_plugin_failures_total; a
// different metric of that name is refused.
func TestManagersShareFailureCounter(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	register(t, r, "failing", &funcPlugin{
		event: func(context.Context, string, events.Event) error { return errors.New("refused") },
	})
	reg := prometheus.NewRegistry()
	for range 2 {
		m, err := NewManager(ManagerOptions{Names: []string{"failing"}, Registry: r, Registerer: reg})
		if err != nil {
			t.Fatalf("a second manager on the registry: %v", err)
		}
		if err := m.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		m.Event("t", events.Event{Type: "x"})
		if err := m.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := failures(t, reg, "failing", KindError); got != 2 {
		t.Fatalf("counted %v failures over two managers, want 2", got)
	}

	other := prometheus.NewRegistry()
	other.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "xyte_mcp_plugin_failures_total",
		Help: "something else"}))
	_, err := NewManager(ManagerOptions{Names: []string{"failing"}, Registry: r, Registerer: other})
	if err == nil || !strings.Contains(err.Error(), "register plugin metrics") {
		t.Fatalf("a clashing metric: %v", err)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	newNop := func(Env) (Plugin, error) { return &funcPlugin{}, nil }
	cases := []struct {
		name string
		reg  Registration
		want string // in the error; "" for success
	}{
		{"ok", Registration{Name: "nop", APIVersion: APIVersion, NewFunc: newNop}, ""},
		{"old API", Registration{Name: "old", APIVersion: APIVersion - 1, NewFunc: newNop},
			"plugin API version"},
		{"new API", Registration{Name: "new", APIVersion: APIVersion + 1, NewFunc: newNop},
			"plugin API version"},
		{"bad name", Registration{Name: "My Plugin", APIVersion: APIVersion, NewFunc: newNop},
			"name must be"},
		{"long name", Registration{Name: strings.Repeat("p", 33), APIVersion: APIVersion, NewFunc: newNop},
			"name must be"},
		{"no constructor", Registration{Name: "empty", APIVersion: APIVersion},
			"no constructor"},
		{"taken", Registration{Name: "webhook", APIVersion: APIVersion, NewFunc: newNop}, "taken"},
	}
	r := Builtin()
	for _, tc := range cases {
		err := r.Register(tc.reg)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil ||
			!strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if got := strings.Join(r.Names(), ","); got != "audit,nop,webhook" {
		t.Fatalf("Names = %s", got)
	}
}

// TestFaultyPluginsIsolated: a panicking and a hanging plugin leave
// publishing and requests fast; a healthy plugin beside them gets every
// event; each failure kind is counted, and each plugin logged once.
func TestFaultyPluginsIsolated(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var healthy atomic.Int64
	r := NewRegistry()
	register(t, r, "panicky", &funcPlugin{
		event: func(context.Context, string, events.Event) error { panic("boom") },
		audit: func(context.Context, AuditRecord) error { return errors.New("refused") },
	})
	register(t, r, "hanging", &funcPlugin{
		// Ignores its context on purpose, the worst case.
		event: func(context.Context, string, events.Event) error { <-release; return nil },
	})
	register(t, r, "healthy", &funcPlugin{
		event: func(context.Context, string, events.Event) error { healthy.Add(1); return nil },
	})
	// n events and n audit records, through queues of 32: the hanging plugin
	// must drop some; the others, which keep up, none.
	const n, queue = 20, 32
	reg := prometheus.NewRegistry()
	var logs syncBuffer
	m, err := NewManager(ManagerOptions{
		Names: []string{"panicky", "hanging", "healthy"}, Registry: r, QueueSize: queue,
		Timeout: 50 * time.Millisecond, Registerer: reg,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(release)
		if err := m.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	}()

	bus := events.NewMemoryBus(events.Options{})
	bus.OnPublish(m.Event)
	intake, _ := events.NewIntake(events.IntakeOptions{Bus: bus})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		intake.ServeHTTP(w, r.WithContext(tenant.NewContext(r.Context(), tenant.New("k"))))
	}))
	defer srv.Close()

	// Requests are timed one by one; between them the test waits for the
	// healthy plugin to catch up, so that a slow machine cannot fill its
	// queue and turn "keeps up" into a race.
	var took time.Duration
	for i := range n {
		start := time.Now()
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"type":"x"}`))
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("intake request: %v %v", resp, err)
		}
		resp.Body.Close()
		m.Audit(AuditRecord{Tenant: tenant.Hash("k"), Action: "send_command"})
		took += time.Since(start)
		eventually(t, "the healthy plugin's event", func() bool { return healthy.Load() == int64(i+1) })
	}
	if took > time.Second {
		t.Fatalf("%d requests with faulty plugins took %s", n, took)
	}

	eventually(t, "the healthy plugin's events", func() bool { return healthy.Load() == n })
	// The hanging plugin holds its worker from the first call on: its queue
	// fills and the other 2n-1-queue deliveries are dropped. Every delivery
	// to the panicky plugin fails one way or another.
	eventually(t, "every failure counted", func() bool {
		panicky := failures(t, reg, "panicky", KindPanic) +
			failures(t, reg, "panicky", KindError) + failures(t, reg, "panicky", KindDropped)
		return panicky == 2*n &&
			failures(t, reg, "panicky", KindPanic) > 0 &&
			failures(t, reg, "panicky", KindError) > 0 &&
			failures(t, reg, "hanging", KindTimeout) == 1 &&
			failures(t, reg, "hanging", KindDropped) == 2*n-1-queue
	})
	if failures(t, reg, "healthy", KindDropped) != 0 {
		t.Error("the healthy plugin lost deliveries")
	}
	for _, name := range []string{"panicky", "hanging"} {
		if got := logs.count(`"plugin":"` + name + `"`); got != 1 {
			t.Errorf("plugin %s logged %d times, want once", name, got)
		}
	}
	if strings.Contains(logs.String(), "boom") {
		t.Error("a panic value reached the log")
	}
}

// TestPluginStartFailure: a plugin that cannot start stops the start, and
// the plugins already started are stopped.
func TestPluginStartFailure(t *testing.T) {
	t.Parallel()
	var stopped atomic.Bool
	r := Builtin()
	register(t, r, "first", &funcPlugin{stop: func(context.Context) error {
		stopped.Store(true)
		return nil
	}})
	m, err := NewManager(ManagerOptions{
		Names: []string{"first", "audit"}, Registry: r,
		Audit: AuditOptions{Path: t.TempDir() + "/no/such/dir/audit.log"},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `start plugin "audit"`) ||
		!strings.Contains(err.Error(), "XYTE_AUDIT_FILE") {
		t.Fatalf("Start: %v", err)
	}
	if !stopped.Load() {
		t.Fatal("the plugin started before the failing one was not stopped")
	}
	m.Event("t", events.Event{}) // not running: a no-op, not a panic
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err == nil {
		t.Fatal("a stopped manager started again")
	}
}

func TestManagerStartsOnce(t *testing.T) {
	t.Parallel()
	m, err := NewManager(ManagerOptions{Names: []string{"audit"},
		Audit: AuditOptions{Path: t.TempDir() + "/audit.log"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Stop(context.Background()) }()
	if err := m.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Fatalf("second Start: %v", err)
	}
}

// TestManagerStopGivesUpAtDeadline: Stop returns when its context ends even
// if a plugin still has deliveries queued, says so, and still stops each
// plugin.
func TestManagerStopGivesUpAtDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	var stopped atomic.Bool
	r := NewRegistry()
	register(t, r, "stuck", &funcPlugin{
		event: func(ctx context.Context, _ string, _ events.Event) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		},
		stop: func(context.Context) error { stopped.Store(true); return errors.New("still busy") },
	})
	m, err := NewManager(ManagerOptions{Names: []string{"stuck"}, Registry: r, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m.Event("t", events.Event{Type: "x"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = m.Stop(ctx)
	if err == nil || !strings.Contains(err.Error(), "plugin deliveries still queued at shutdown") ||
		!strings.Contains(err.Error(), `stop plugin "stuck": still busy`) {
		t.Fatalf("Stop: %v", err)
	}
	if !stopped.Load() {
		t.Fatal("the plugin was not stopped")
	}
}

// TestManagerStopDrains: queued deliveries are delivered before Stop
// returns, and none is accepted after.
func TestManagerStopDrains(t *testing.T) {
	t.Parallel()
	var got atomic.Int64
	r := NewRegistry()
	register(t, r, "slow", &funcPlugin{event: func(context.Context, string, events.Event) error {
		time.Sleep(time.Millisecond)
		got.Add(1)
		return nil
	}})
	m, _ := NewManager(ManagerOptions{Names: []string{"slow"}, Registry: r})
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		m.Event("t", events.Event{Type: "x"})
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Event("t", events.Event{Type: "late"})
	if got.Load() != 50 {
		t.Fatalf("delivered %d of 50 before Stop returned", got.Load())
	}
}
