// Package server assembles xyte-mcp from one Config: the metrics registry,
// the per-tenant response cache, the rate limiter, the upstream client, the
// MCP server, the REST API and the HTTP server.
//
// cmd/xyte-mcp calls it for serve and stdio, and the black-box tests call it
// too, so that what they test is exactly what the binary runs.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/xyte-mcp/xyte-mcp/internal/cache"
	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/metrics"
	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// ErrConfig marks a configuration the services cannot be built from, such as
// a base URL or REDIS_URL that does not parse. The command reports it as a
// usage error.
var ErrConfig = errors.New("invalid configuration")

// Options configures the services.
type Options struct {
	// Config is the validated configuration.
	Config config.Config
	// Logger receives every log line. Default: discard.
	Logger *slog.Logger
	// Version is announced to MCP clients and sent as the upstream
	// User-Agent. Default "dev".
	Version string
	// Tasks runs send_command_async jobs. Default: the MCP server's own
	// synchronous runner.
	Tasks tasks.Service
	// Registry receives the metrics. Default: a new registry with the Go and
	// process collectors.
	Registry *prometheus.Registry
	// Context bounds the background work (task workers, plugins): it ends
	// them when it ends. Default context.Background(); Shutdown stops them
	// either way.
	Context context.Context
}

// Services are the parts that serve and stdio share. Close releases them.
type Services struct {
	Client   *xyte.Client
	MCP      *mcpserver.Server
	Registry *prometheus.Registry
	Metrics  *metrics.Set
	// Limiter is nil when rate limits are off.
	Limiter ratelimit.Limiter
	// Tasks runs send_command_async jobs.
	Tasks tasks.Service
	// Events is the per-tenant event bus; Plugins receive its events and the
	// audit records of writes.
	Events  *events.Bus
	Plugins *plugins.Manager

	cfg     config.Config
	logger  *slog.Logger
	version string
	closers []func()
	stops   []func(context.Context) // background work, stopped by Shutdown
	redis   *redis.Client
	queue   *tasks.Queue // nil unless asynchronous tasks are on
}

// New builds the services for opts.
func New(opts Options) (*Services, error) {
	cfg := opts.Config
	sv := &Services{cfg: cfg, logger: opts.Logger, version: opts.Version,
		Registry: opts.Registry}
	if sv.logger == nil {
		sv.logger = slog.New(slog.DiscardHandler)
	}
	if sv.version == "" {
		sv.version = "dev"
	}
	if sv.Registry == nil {
		sv.Registry = metrics.NewRegistry()
	}
	m, err := metrics.New(sv.Registry, nil)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	sv.Metrics = m

	if sv.Client, err = sv.newClient(); err != nil {
		sv.Close()
		return nil, err
	}
	if sv.Limiter, err = sv.newLimiter(); err != nil {
		sv.Close()
		return nil, err
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if err := sv.newBackground(ctx, opts.Tasks); err != nil {
		sv.Shutdown(ctx)
		return nil, err
	}
	if sv.MCP, err = sv.newMCP(); err != nil {
		sv.Shutdown(ctx)
		return nil, err
	}
	return sv, nil
}

// newBackground builds the task service, the event bus and the plugins.
func (sv *Services) newBackground(ctx context.Context, ts tasks.Service) error {
	var err error
	sv.Tasks = ts
	if sv.Tasks == nil {
		if sv.Tasks, err = sv.newTasks(ctx); err != nil {
			return err
		}
	}
	return sv.newEvents(ctx)
}

// Close releases the services: the cache's goroutines and the like.
func (sv *Services) Close() {
	for i := len(sv.closers) - 1; i >= 0; i-- {
		sv.closers[i]()
	}
	sv.closers = nil
}

// newClient returns the upstream client, with a per-tenant response cache
// unless the cache is off.
func (sv *Services) newClient() (*xyte.Client, error) {
	cfg := sv.cfg
	opts := xyte.Options{
		BaseURL:    cfg.BaseURL,
		Key:        cfg.APIKey,
		PartnerKey: cfg.PartnerKey,
		Timeout:    cfg.UpstreamTimeout,
		UserAgent:  "xyte-mcp/" + sv.version,
		Observer:   sv.Metrics,
	}
	if cfg.CacheTTL > 0 {
		rc := cache.New(cache.Options[*xyte.Response]{TTL: cfg.CacheTTL,
			MaxBytes: int(cfg.CacheMaxBytes), Recorder: sv.Metrics,
			Weigh: (*xyte.Response).Weight})
		opts.Cache = rc
		sv.closers = append(sv.closers, rc.Close)
	}
	c, err := xyte.New(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return c, nil
}

// newLimiter returns the per-tenant rate limiter: none when the limit is 0,
// shared through Redis when REDIS_URL is set, else in memory.
func (sv *Services) newLimiter() (ratelimit.Limiter, error) {
	cfg := sv.cfg
	if cfg.RateLimit == 0 {
		return nil, nil
	}
	limits := ratelimit.Config{PerMinute: int(cfg.RateLimit), Burst: int(cfg.RateBurst)}
	if cfg.RedisURL == "" {
		return ratelimit.NewLocal(limits), nil
	}
	rdb, err := sv.redisClient()
	if err != nil {
		return nil, err
	}
	rl := ratelimit.NewRedis(rdb, limits, sv.logger)
	rl.OnFallback = sv.Metrics.RateLimitFallback
	return rl, nil
}

// newMCP returns the MCP server with per-tenant limits and call metrics.
func (sv *Services) newMCP() (*mcpserver.Server, error) {
	cfg := sv.cfg
	ms, err := mcpserver.New(mcpserver.Options{
		Client:           sv.Client,
		ReadOnly:         cfg.ReadOnly,
		Sessions:         cfg.Sessions,
		PresetsDir:       cfg.PresetsDir,
		ExperimentalAPIs: cfg.ExperimentalAPIs,
		Logger:           sv.logger,
		Version:          sv.version,
		ServerKey:        cfg.APIKey,
		Tasks:            sv.Tasks,
		Events:           sv.Events,
		Audit:            sv.Plugins.Audit,
	})
	if err != nil {
		return nil, fmt.Errorf("build mcp server: %w", err)
	}
	ms.Instrument(mcpserver.InstrumentOptions{Limiter: sv.Limiter,
		OnLimited: func() { sv.Metrics.RateLimited("mcp") }, Observe: sv.Metrics.ToolCall})
	return ms, nil
}

// HTTP returns the HTTP server of serve on these services: MCP at /mcp and
// /v1/mcp, REST under /v1, event intake and streams, probes and metrics.
func (sv *Services) HTTP() (*httpserver.Server, error) {
	cfg := sv.cfg
	intake, stream, err := sv.eventHandlers()
	if err != nil {
		return nil, err
	}
	api := rest.New(rest.Options{Client: sv.Client, MCP: sv.MCP.MCP(), ReadOnly: cfg.ReadOnly,
		Logger: sv.logger, Version: sv.version, Tasks: sv.Tasks, Audit: sv.Plugins.Audit})
	return httpserver.New(httpserver.Options{Config: cfg, MCP: sv.MCP.MCP(), Direct: sv.MCP, REST: api,
		Logger: sv.logger, Registry: sv.Registry, Limiter: sv.Limiter,
		OnLimited:   func() { sv.Metrics.RateLimited("http") },
		EventIntake: intake, EventStream: stream, Ready: sv.Ready})
}
