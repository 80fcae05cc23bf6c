package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// OpenTaskQueue opens the task store of cfg (PostgreSQL or SQLite), running
// its migrations. workers is how many commands this process sends at once;
// 0 makes a queue that only submits.
func OpenTaskQueue(ctx context.Context, cfg config.Config, client *xyte.Client, workers int,
	reg prometheus.Registerer, logger *slog.Logger) (*tasks.Queue, error) {
	if cfg.Mode() == config.MultiTenant && cfg.TaskSecret == "" {
		return nil, fmt.Errorf("%w: XYTE_TASK_SECRET is required for asynchronous tasks in "+
			"multi-tenant mode, to seal callers' keys (at least %d random characters)",
			ErrConfig, tasks.MinSecretLength)
	}
	return tasks.Open(ctx, tasks.Options{
		DatabaseURL: cfg.DatabaseURL,
		DataDir:     cfg.DataDir,
		Client:      client,
		ServerKey:   cfg.APIKey,
		Secret:      cfg.TaskSecret,
		Workers:     workers,
		JobTimeout:  cfg.UpstreamTimeout + time.Minute,
		Logger:      logger,
		Registerer:  reg,
	})
}

// newTasks returns the task service: synchronous when asynchronous tasks are
// off, else the queue, with workers in this process unless ServeWorkers is
// off. The queue's drain is added to the shutdown steps.
func (sv *Services) newTasks(ctx context.Context) (tasks.Service, error) {
	cfg := sv.cfg
	if !cfg.AsyncTasks {
		return tasks.NewSync(tasks.SyncOptions{Client: sv.Client})
	}
	workers := 0
	if cfg.ServeWorkers {
		workers = int(cfg.TaskWorkers)
	}
	q, err := OpenTaskQueue(ctx, cfg, sv.Client, workers, sv.Registry, sv.logger)
	if err != nil {
		return nil, err
	}
	sv.queue = q
	if err := q.Start(ctx); err != nil {
		q.Close()
		return nil, fmt.Errorf("start task workers: %w", err)
	}
	sv.stops = append(sv.stops, func(ctx context.Context) {
		if err := q.Stop(ctx); err != nil {
			sv.logger.Error("task workers did not stop cleanly", "error", err)
		}
		q.Close()
	})
	return q, nil
}

// redisClient returns the one Redis client the services share, or nil when
// REDIS_URL is not set.
func (sv *Services) redisClient() (*redis.Client, error) {
	if sv.redis != nil || sv.cfg.RedisURL == "" {
		return sv.redis, nil
	}
	ropts, err := redis.ParseURL(sv.cfg.RedisURL)
	if err != nil {
		// The URL may hold a password: say which setting, not its value.
		return nil, fmt.Errorf("%w: REDIS_URL does not parse as a Redis URL", ErrConfig)
	}
	sv.redis = redis.NewClient(ropts)
	rdb := sv.redis
	sv.closers = append(sv.closers, func() { _ = rdb.Close() })
	return rdb, nil
}

// newEvents returns the event bus (through Redis Streams when REDIS_URL is
// set, so every replica sees every event) and the plugin manager, started,
// with every published event handed to the plugins.
func (sv *Services) newEvents(ctx context.Context) error {
	cfg := sv.cfg
	rdb, err := sv.redisClient()
	if err != nil {
		return err
	}
	bopts := events.Options{Size: int(cfg.EventsBuffer), Logger: sv.logger}
	if rdb != nil {
		sv.Events = events.NewRedisBus(rdb, bopts)
	} else {
		sv.Events = events.NewMemoryBus(bopts)
	}
	bus := sv.Events
	sv.closers = append(sv.closers, func() { _ = bus.Close() })

	out := cfg.WebhookOutSecret
	if out == "" {
		out = cfg.WebhookSecret
	}
	mgr, err := plugins.NewManager(plugins.ManagerOptions{
		Names:      cfg.Plugins,
		Webhook:    plugins.WebhookOptions{URLs: cfg.WebhookURLs, Secret: []byte(out)},
		Audit:      plugins.AuditOptions{Path: cfg.AuditFile},
		Logger:     sv.logger,
		Registerer: sv.Registry,
	})
	if err != nil {
		return fmt.Errorf("%w: XYTE_PLUGINS: %w", ErrConfig, err)
	}
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("start plugins: %w", err)
	}
	sv.Plugins = mgr
	sv.stops = append(sv.stops, func(ctx context.Context) {
		if err := mgr.Stop(ctx); err != nil {
			sv.logger.Warn("plugins did not stop cleanly", "error", err)
		}
	})
	bus.OnPublish(mgr.Event)
	return nil
}

// eventHandlers returns the handlers of POST /v1/events and GET /v1/events.
func (sv *Services) eventHandlers() (*events.Intake, *events.Stream, error) {
	cfg := sv.cfg
	iopts := events.IntakeOptions{Bus: sv.Events, Secret: []byte(cfg.WebhookSecret),
		Tolerance: cfg.WebhookTolerance, Logger: sv.logger}
	if sv.redis != nil {
		iopts.Replay = events.NewRedisReplayGuard(sv.redis)
	}
	intake, err := events.NewIntake(iopts)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	stream, err := events.NewStream(events.StreamOptions{Bus: sv.Events,
		KeepAlive: cfg.EventsKeepAlive, Logger: sv.logger})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return intake, stream, nil
}

// Shutdown stops the background work (task workers drain until ctx ends,
// plugins flush) and then releases everything Close releases.
func (sv *Services) Shutdown(ctx context.Context) {
	for i := len(sv.stops) - 1; i >= 0; i-- {
		sv.stops[i](ctx)
	}
	sv.stops = nil
	sv.Close()
}

// Ready reports whether the services take new work: the task store answers,
// when there is one.
func (sv *Services) Ready(ctx context.Context) error {
	if sv.queue == nil {
		return nil
	}
	return sv.queue.Ready(ctx)
}
