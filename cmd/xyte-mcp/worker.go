package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/metrics"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func init() {
	register("worker", "send queued commands (asynchronous tasks) from the shared task store",
		runWorker)
}

// stopTaskQueue drains the workers until ctx ends and closes the store.
func stopTaskQueue(ctx context.Context, q *tasks.Queue, logger *slog.Logger) {
	if err := q.Stop(ctx); err != nil {
		logger.Error("task workers did not stop cleanly", "error", err)
	}
	q.Close()
}

func runWorker(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", cfg.Listen,
		"address of /healthz, /readyz and /metrics, host:port (env XYTE_LISTEN)")
	workers := fs.Int("workers", int(cfg.TaskWorkers),
		"commands sent at once, 1 to 100 (env XYTE_TASK_WORKERS)")
	baseURL := fs.String("base-url", cfg.BaseURL, "Xyte API base URL (env XYTE_BASE_URL)")
	level := fs.String("log-level", cfg.LogLevel.String(),
		"debug, info, warn or error (env XYTE_LOG_LEVEL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := applyWorkerFlags(&cfg, *listen, *baseURL, *level, *workers); err != nil {
		return err
	}
	logger := newLogger(e.stderr, cfg.LogLevel, cfg.Secrets()...)
	return serveWorker(ctx, cfg, *workers, logger)
}

// applyWorkerFlags checks the flags and copies them into cfg.
func applyWorkerFlags(cfg *config.Config, listen, baseURL, level string, workers int) error {
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return fmt.Errorf("%w: -listen must be host:port", errUsage)
	}
	if workers < 1 || workers > 100 {
		return fmt.Errorf("%w: -workers must be from 1 to 100", errUsage)
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("%w: -log-level must be debug, info, warn or error", errUsage)
	}
	cfg.Listen, cfg.BaseURL = listen, baseURL
	return nil
}

// serveWorker works tasks and serves health and metrics until ctx ends, then
// lets running sends finish for up to the shutdown timeout.
func serveWorker(ctx context.Context, cfg config.Config, workers int, logger *slog.Logger) error {
	reg := metrics.NewRegistry()
	m, err := metrics.New(reg, nil)
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	client, err := xyte.New(xyte.Options{BaseURL: cfg.BaseURL, Key: cfg.APIKey,
		Timeout: cfg.UpstreamTimeout, UserAgent: "xyte-mcp/" + version, Observer: m})
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	q, err := server.OpenTaskQueue(ctx, cfg, client, workers, reg, logger)
	if errors.Is(err, server.ErrConfig) {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err != nil {
		return err
	}
	if err := q.Start(ctx); err != nil {
		q.Close()
		return err
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		stopTaskQueue(context.WithoutCancel(ctx), q, logger)
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{Handler: workerRoutes(q, reg), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("worker started", "version", version, "store", q.Store(), "workers", workers,
		"addr", ln.Addr().String(), "config", cfg)

	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("serve worker endpoints: %w", err)
	}
	logger.Info("worker stopping")
	drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	stopTaskQueue(drain, q, logger)
	_ = srv.Shutdown(drain)
	return err
}

// workerRoutes serves the worker's probes and metrics. /readyz answers 503
// while the task store does not; it never says why, since the reason may
// name the database host.
func workerRoutes(q *tasks.Queue, reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if q.Ready(ctx) != nil {
			http.Error(w, "task store unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}
