// Package httpserver is the HTTP server of `xyte-mcp serve`: one router with
// MCP Streamable HTTP at /mcp and /v1/mcp, the REST routes under /v1, and
// /healthz, /readyz and /metrics (also under /v1), behind one middleware
// chain (metrics and request log, panic recovery, CORS and origin check, body
// limit, drain gate; then tenant authentication, and on the MCP endpoints a
// JSON-RPC check of every body) and a graceful shutdown.
//
// Every request that reaches the MCP or REST handlers carries exactly one
// tenant, taken from that request alone: its own Authorization header in
// multi-tenant mode, the server's key in single-tenant mode.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	procmetrics "github.com/xyte-mcp/xyte-mcp/internal/metrics"
	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// Server timeouts and limits. There is deliberately no WriteTimeout or
// ReadTimeout: MCP answers stream over SSE for as long as a tool runs, and a
// read deadline would cancel such a stream's context.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Options configures a Server.
type Options struct {
	// Config supplies the tenancy mode (APIKey), body limit, shutdown
	// timeout, sessions switch and CORS settings. Listen is used by
	// ListenAndServe.
	Config config.Config
	// MCP is the MCP server served at /mcp and /v1/mcp. Required.
	MCP *mcp.Server
	// Direct, when set, serves plain stateless tools/call requests without
	// the SDK's per-request session (mcpserver.Server.CallDirect); the SDK
	// answers everything else. Ignored with sessions.
	Direct DirectCaller
	// REST is the API mounted under /v1. Nil mounts none.
	REST *rest.API
	// Logger receives the request log and the server's own events.
	// Default: discard.
	Logger *slog.Logger
	// Registry receives the server's metrics and is served at /metrics.
	// Default: a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Limiter, when set, limits each tenant's REST requests; over the limit
	// a request gets 429 with Retry-After. MCP tool calls are limited inside
	// the MCP server.
	Limiter ratelimit.Limiter
	// OnLimited, when set, is called for each request refused by Limiter.
	OnLimited func()
	// EventIntake, when set, takes POST /v1/events (and /v1/webhook) and
	// EventStream serves GET /v1/events; both after authentication.
	EventIntake http.Handler
	EventStream http.Handler
	// Ready, when set, is asked by /readyz as well: the server is ready only
	// when it returns nil (the task store answers, say).
	Ready func(context.Context) error
}

// Server is the HTTP server. Create it with New.
type Server struct {
	cfg       config.Config
	logger    *slog.Logger
	limiter   ratelimit.Limiter
	onLimited func()
	ready     func(context.Context) error
	direct    DirectCaller
	metrics   *metrics
	handler   http.Handler
	routes    []string // the patterns registered, in order

	// draining is set when shutdown begins: /readyz answers 503 and new
	// requests are refused. drainCtx is canceled once the calls in flight
	// have finished, which ends the long-lived streams so that the drain can
	// finish.
	draining    atomic.Bool
	drainCtx    context.Context
	cancelDrain context.CancelFunc
	// admitted counts the requests drainGate let through that are still
	// running, and streams those of them that are long-lived streams
	// (closeOnDrain). The drain keeps the listener open until both are zero.
	admitted  atomic.Int64
	streams   atomic.Int64
	serverKey tenant.Tenant // the single-tenant key; zero in multi-tenant mode
}

// New returns a Server for opts.
func New(opts Options) (*Server, error) {
	if opts.MCP == nil {
		return nil, errors.New("httpserver: an MCP server is required")
	}
	s := &Server{cfg: opts.Config, logger: opts.Logger, limiter: opts.Limiter,
		onLimited: opts.OnLimited, ready: opts.Ready, direct: opts.Direct}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.cfg.MaxBodyBytes <= 0 {
		s.cfg.MaxBodyBytes = config.Defaults().MaxBodyBytes
	}
	if s.cfg.Mode() == config.SingleTenant {
		s.serverKey = tenant.New(s.cfg.APIKey).Shared()
	}
	reg := opts.Registry
	if reg == nil {
		reg = procmetrics.NewRegistry()
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	s.metrics = m
	s.drainCtx, s.cancelDrain = context.WithCancel(context.Background())
	s.handler = s.chain(s.newMux(opts, reg))
	return s, nil
}

// Handler returns the server's whole HTTP handler, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns the ServeMux patterns the server registered.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

// Ready reports whether the server accepts new work (not draining).
func (s *Server) Ready() bool { return !s.draining.Load() }

// ListenAndServe listens on the configured address and serves until ctx is
// canceled, then drains. ready, if not nil, is called with the bound
// address once the listener is open.
func (s *Server) ListenAndServe(ctx context.Context, ready func(net.Addr)) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is canceled, then shuts down gracefully:
// /readyz turns 503 at once, new requests are refused, long-lived streams
// are closed, and in-flight requests get up to Config.ShutdownTimeout to
// finish. It returns nil after a shutdown, even one cut short by the
// timeout, and an error only if serving itself failed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logStart(ln.Addr())

	select {
	case err := <-errc:
		s.beginDrain()
		s.cancelDrain()
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(srv, errc)
}

// logStart logs how the server runs, the tenancy mode included, once. A
// single-tenant server that anyone beyond this host can reach, with the
// Authorization header optional, lets every such client act with the
// server's key: that gets a warning.
func (s *Server) logStart(addr net.Addr) {
	s.logger.Info("http server listening", "addr", addr.String(),
		"mode", string(s.cfg.Mode()), "require_auth", s.cfg.RequireAuth,
		"sessions", s.cfg.Sessions)
	if s.cfg.Mode() == config.SingleTenant && !s.cfg.RequireAuth && !loopback(addr.String()) {
		s.logger.Warn("single-tenant server listens beyond loopback with the Authorization "+
			"header optional: every client that reaches it acts with the server's Xyte key; "+
			"set XYTE_REQUIRE_AUTH=true or listen on 127.0.0.1", "addr", addr.String())
	}
}

// loopback reports whether addr, a host or host:port, names a loopback
// address. An unspecified address (":8080", "0.0.0.0") listens on every
// interface, so it is not.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = strings.Trim(addr, "[]")
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// shutdown drains srv after the serve context ended.
func (s *Server) shutdown(srv *http.Server, errc <-chan error) error {
	start := time.Now()
	s.beginDrain()
	s.logger.Info("http server draining", "timeout", s.cfg.ShutdownTimeout.String())

	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// The listener stays open while admitted requests finish, so that a new
	// request, a probe of /readyz included, gets its 503 rather than a
	// refused connection. Calls in flight finish first, with their
	// sessions' streams still open (a client may take a closed stream for a
	// lost session); then the streams end, and Shutdown closes the listener
	// and the idle connections.
	s.waitAdmitted(ctx, func() int64 { return s.admitted.Load() - s.streams.Load() })
	s.cancelDrain()
	s.waitAdmitted(ctx, s.admitted.Load)
	err := srv.Shutdown(ctx)
	if err != nil {
		s.logger.Warn("http server drain cut short", "error", err)
		_ = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", serr)
	}
	s.logger.Info("http server stopped", "drain_ms", time.Since(start).Milliseconds())
	return nil
}

// drainPoll is how often the drain looks at the admitted requests.
const drainPoll = 10 * time.Millisecond

// waitAdmitted waits until count returns zero or ctx ends.
func (s *Server) waitAdmitted(ctx context.Context, count func() int64) {
	for count() > 0 && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(drainPoll):
		}
	}
}

// beginDrain marks the server as shutting down: new requests get 503. The
// streams end later (drainCtx), once the calls in flight have finished.
func (s *Server) beginDrain() {
	s.draining.Store(true)
}
