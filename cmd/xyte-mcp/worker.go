package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/metrics"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func init() {
	register("worker", "send queued commands (asynchronous tasks) from the shared task store",
		runWorker)
}

// taskSettings are the settings of asynchronous tasks, taken from the
// configuration.
type taskSettings struct {
	Enabled      bool
	DatabaseURL  string
	DataDir      string
	Secret       string
	Workers      int
	ServeWorkers bool
}

// taskSettingsOf returns the task settings of cfg.
func taskSettingsOf(cfg config.Config) taskSettings {
	return taskSettings{Enabled: cfg.AsyncTasks, DatabaseURL: cfg.DatabaseURL,
		DataDir: cfg.DataDir, Secret: cfg.TaskSecret, Workers: int(cfg.TaskWorkers),
		ServeWorkers: cfg.ServeWorkers}
}

// checkTaskSecret refuses multi-tenant asynchronous tasks without a secret:
// callers' keys could not be sealed.
func checkTaskSecret(cfg config.Config, ts taskSettings) error {
	if cfg.Mode() == config.MultiTenant && ts.Secret == "" {
		return fmt.Errorf("%w: XYTE_TASK_SECRET is required for asynchronous tasks in "+
			"multi-tenant mode (at least %d random characters)", errUsage, tasks.MinSecretLength)
	}
	return nil
}

// openTaskQueue opens the task store for cfg; workers is how many commands
// this process sends at once (0: it only queues).
func openTaskQueue(ctx context.Context, cfg config.Config, ts taskSettings, client *xyte.Client,
	workers int, reg prometheus.Registerer, logger *slog.Logger) (*tasks.Queue, error) {
	if err := checkTaskSecret(cfg, ts); err != nil {
		return nil, err
	}
	return tasks.Open(ctx, tasks.Options{
		DatabaseURL: ts.DatabaseURL,
		DataDir:     ts.DataDir,
		Client:      client,
		ServerKey:   cfg.APIKey,
		Secret:      ts.Secret,
		Workers:     workers,
		JobTimeout:  cfg.UpstreamTimeout + time.Minute,
		Logger:      logger,
		Registerer:  reg,
	})
}

// newTaskService returns the task service serve uses: Sync when asynchronous
// tasks are off, else the queue, working tasks in this process unless
// ts.ServeWorkers is off. stop stops the workers (draining until ctx ends)
// and closes the store; it is never nil.
func newTaskService(ctx context.Context, cfg config.Config, ts taskSettings, client *xyte.Client,
	reg prometheus.Registerer, logger *slog.Logger) (tasks.Service, func(context.Context), error) {
	if !ts.Enabled {
		s, err := tasks.NewSync(tasks.SyncOptions{Client: client})
		return s, func(context.Context) {}, err
	}
	workers := 0
	if ts.ServeWorkers {
		workers = ts.Workers
	}
	q, err := openTaskQueue(ctx, cfg, ts, client, workers, reg, logger)
	if err != nil {
		return nil, nil, err
	}
	if err := q.Start(ctx); err != nil {
		q.Close()
		return nil, nil, err
	}
	return q, func(ctx context.Context) { stopTaskQueue(ctx, q, logger) }, nil
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
	ts := taskSettingsOf(cfg)
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", cfg.Listen,
		"address of /healthz, /readyz and /metrics, host:port (env XYTE_LISTEN)")
	workers := fs.Int("workers", ts.Workers,
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
	if err := checkTaskSecret(cfg, ts); err != nil {
		return err
	}

	logger := newLogger(e.stderr, cfg.LogLevel, cfg.Secrets()...)
	return serveWorker(ctx, cfg, ts, *workers, logger)
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
func serveWorker(ctx context.Context, cfg config.Config, ts taskSettings, workers int,
	logger *slog.Logger) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(reg, nil)
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	client, err := xyte.New(xyte.Options{BaseURL: cfg.BaseURL, Key: cfg.APIKey,
		Timeout: cfg.UpstreamTimeout, UserAgent: "xyte-mcp/" + version, Observer: m})
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	q, err := openTaskQueue(ctx, cfg, ts, client, workers, reg, logger)
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
