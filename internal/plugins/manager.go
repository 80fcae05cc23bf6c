package plugins

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
)

// Failure kinds, the "kind" label of xyte_mcp_plugin_failures_total.
const (
	KindPanic    = "panic"    // a Handle call panicked
	KindError    = "error"    // a Handle call returned an error
	KindTimeout  = "timeout"  // a Handle call outlived the Manager's timeout
	KindDropped  = "dropped"  // a delivery found the plugin's queue full
	KindDelivery = "delivery" // a plugin's own delivery failed (Env.FailFunc)
)

// Defaults of ManagerOptions.
const (
	DefaultQueueSize = 1024
	DefaultTimeout   = 5 * time.Second
)

// ManagerOptions configures a Manager.
type ManagerOptions struct {
	// Names are the plugins to run, from XYTE_PLUGINS. Empty runs none.
	Names []string
	// Registry holds the plugins that can run. Default Builtin().
	Registry *Registry
	// Webhook and Audit are the built-in plugins' options (see Env).
	Webhook WebhookOptions
	Audit   AuditOptions
	// QueueSize bounds each plugin's queue of deliveries. Default 1,024.
	QueueSize int
	// Timeout bounds each Handle call. Default 5s.
	Timeout time.Duration
	// Logger receives one line per failing plugin. Default: discard.
	Logger *slog.Logger
	// Registerer takes xyte_mcp_plugin_failures_total. Nil: not exported.
	Registerer prometheus.Registerer
}

// Manager delivers events and audit records to the running plugins. Event
// and Audit never block: each plugin has its own bounded queue and worker.
type Manager struct {
	runners  []*runner
	failures *prometheus.CounterVec
	logger   *slog.Logger
	timeout  time.Duration

	ctx    context.Context // parent of every Handle call; canceled by Stop
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.RWMutex
	running bool // between Start and Stop; guards sends on the queues
	stopped bool
}

// runner is one plugin with its queue.
type runner struct {
	name   string
	plugin Plugin
	queue  chan delivery
	failed atomic.Bool // a failure was logged
	m      *Manager
	logger *slog.Logger
}

// delivery is one event or one audit record.
type delivery struct {
	tenantID string
	event    events.Event
	audit    *AuditRecord
}

// NewManager makes the plugins opts.Names lists. An unknown name, or a
// plugin whose options are wrong, is an error naming it.
func NewManager(opts ManagerOptions) (*Manager, error) {
	if opts.Registry == nil {
		opts.Registry = Builtin()
	}
	regs, err := opts.Registry.lookup(opts.Names)
	if err != nil {
		return nil, err
	}
	m := &Manager{logger: opts.Logger, timeout: opts.Timeout}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	if m.timeout <= 0 {
		m.timeout = DefaultTimeout
	}
	if m.failures, err = failureCounter(opts.Registerer); err != nil {
		return nil, err
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	for _, reg := range regs {
		r, err := m.newRunner(reg, opts)
		if err != nil {
			return nil, err
		}
		m.runners = append(m.runners, r)
	}
	return m, nil
}

func failureCounter(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "xyte_mcp_plugin_failures_total",
		Help: "Plugin deliveries that failed, by plugin and kind " +
			"(panic, error, timeout, dropped, delivery).",
	}, []string{"plugin", "kind"})
	if reg == nil {
		return c, nil
	}
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
			return existing, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("register plugin metrics: %w", err)
	}
	return c, nil
}

func (m *Manager) newRunner(reg Registration, opts ManagerOptions) (*runner, error) {
	r := &runner{name: reg.Name, m: m, logger: m.logger.With("plugin", reg.Name)}
	size := opts.QueueSize
	if size <= 0 {
		size = DefaultQueueSize
	}
	r.queue = make(chan delivery, size)
	for _, kind := range []string{KindPanic, KindError, KindTimeout, KindDropped} {
		m.failures.WithLabelValues(reg.Name, kind) // export zeros from the start
	}
	registerer := opts.Registerer
	if registerer == nil {
		registerer = prometheus.NewRegistry()
	}
	labels := prometheus.Labels{"plugin": reg.Name}
	p, err := reg.NewFunc(Env{
		Logger:     r.logger,
		Registerer: prometheus.WrapRegistererWith(labels, registerer),
		FailFunc:   r.fail,
		Webhook:    opts.Webhook,
		Audit:      opts.Audit,
	})
	if err != nil {
		return nil, fmt.Errorf("plugin %q: %w", reg.Name, err)
	}
	r.plugin = p
	return r, nil
}

// Start starts each plugin, then its worker. If a plugin fails to start,
// the ones started are stopped and the error names the plugin.
func (m *Manager) Start(ctx context.Context) error {
	m.mu.RLock()
	again := m.running || m.stopped
	m.mu.RUnlock()
	if again {
		return errors.New("start plugins: already started")
	}
	for i, r := range m.runners {
		if err := guard(func() error { return r.plugin.Start(ctx) }); err != nil {
			for _, started := range m.runners[:i] {
				_ = guard(func() error { return started.plugin.Stop(ctx) })
			}
			return fmt.Errorf("start plugin %q: %w", r.name, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.runners {
		m.wg.Add(1)
		go r.work()
	}
	m.running = true
	return nil
}

// Event hands an event to every plugin's queue, dropping it for a plugin
// whose queue is full. It never blocks. Its signature is an
// events.PublishFunc: pass it to Bus.OnPublish.
func (m *Manager) Event(tenantID string, e events.Event) {
	m.offer(delivery{tenantID: tenantID, event: e})
}

// Audit hands an audit record to every plugin's queue, like Event.
func (m *Manager) Audit(rec AuditRecord) {
	m.offer(delivery{tenantID: rec.Tenant, audit: &rec})
}

func (m *Manager) offer(d delivery) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.running {
		return
	}
	for _, r := range m.runners {
		select {
		case r.queue <- d:
		default:
			r.fail(KindDropped, ErrDropped)
		}
	}
}

// Stop lets the workers finish the queued deliveries until ctx ends, then
// cancels what is still running and stops each plugin. A plugin still busy
// when ctx ends is abandoned (its goroutine ends whenever its call returns).
func (m *Manager) Stop(ctx context.Context) error {
	m.mu.Lock()
	if !m.running {
		m.mu.Unlock()
		return nil
	}
	m.running, m.stopped = false, true
	for _, r := range m.runners {
		close(r.queue)
	}
	m.mu.Unlock()

	var errs []error
	drained := make(chan struct{})
	go func() { m.wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("plugin deliveries still queued at shutdown: %w",
			ctx.Err()))
	}
	m.cancel()
	for _, r := range m.runners {
		if err := guard(func() error { return r.plugin.Stop(ctx) }); err != nil {
			errs = append(errs, fmt.Errorf("stop plugin %q: %w", r.name, err))
		}
	}
	return errors.Join(errs...)
}

// work delivers the queue one by one until Stop closes it.
func (r *runner) work() {
	defer r.m.wg.Done()
	for d := range r.queue {
		r.deliver(d)
	}
}

// deliver makes one Handle call in its own goroutine, so that a plugin that
// ignores its context is still cut off at the timeout. The worker then
// waits for the call to return before the next one: a hung plugin holds one
// goroutine, and its queue fills (each drop counted) instead of goroutines
// piling up.
func (r *runner) deliver(d delivery) {
	ctx, cancel := context.WithTimeout(r.m.ctx, r.m.timeout)
	defer cancel()
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = guard(func() error { return r.call(ctx, d) })
	}()
	select {
	case <-done:
		r.report(err)
	case <-ctx.Done():
		if r.m.ctx.Err() == nil {
			r.fail(KindTimeout, fmt.Errorf("call took longer than %s", r.m.timeout))
		}
		<-done
	}
}

func (r *runner) call(ctx context.Context, d delivery) error {
	if d.audit != nil {
		return r.plugin.HandleAudit(ctx, *d.audit)
	}
	return r.plugin.HandleEvent(ctx, d.tenantID, d.event)
}

// report counts a failed call by kind.
func (r *runner) report(err error) {
	var pe panicError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		r.fail(KindPanic, err)
	case errors.Is(err, ErrDropped):
		r.fail(KindDropped, err)
	default:
		r.fail(KindError, err)
	}
}

// fail counts a failure and logs the plugin's first one only: a broken
// plugin must not flood the log. It is also the plugins' Env.FailFunc.
func (r *runner) fail(kind string, err error) {
	r.m.failures.WithLabelValues(r.name, kind).Inc()
	if !r.failed.Swap(true) {
		r.logger.Warn("plugin failing; further failures are counted in "+
			"xyte_mcp_plugin_failures_total only", "kind", kind, "error", err)
	}
}

// panicError stands for a recovered panic. The panic value is not kept: it
// may hold request data.
type panicError struct{}

func (panicError) Error() string { return "plugin panicked" }

// guard runs f, turning a panic into panicError.
func guard(f func() error) (err error) {
	defer func() {
		if recover() != nil {
			err = panicError{}
		}
	}()
	return f()
}
