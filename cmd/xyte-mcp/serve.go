package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/xyte-mcp/xyte-mcp/internal/cache"
	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/metrics"
	"github.com/xyte-mcp/xyte-mcp/internal/ratelimit"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func init() {
	register("serve", "serve MCP over Streamable HTTP, REST under /v1, health and metrics",
		runServe)
}

// demoListen is where serve --demo listens unless told otherwise: the demo
// has a published key, so it stays on loopback by default.
const demoListen = "127.0.0.1:8080"

// commonFlags are the flags serve and stdio share. Each defaults to the
// value from the environment, so a flag overrides its variable.
type commonFlags struct {
	demo     *bool
	readOnly *bool
	baseURL  *string
	logLevel *string
}

func addCommonFlags(fs *flag.FlagSet, cfg config.Config) commonFlags {
	return commonFlags{
		demo: fs.Bool("demo", false, "run against a simulated Xyte API started in this "+
			"process on loopback, with its demo key (no account or network needed)"),
		readOnly: fs.Bool("read-only", cfg.ReadOnly, "refuse every write (env XYTE_READ_ONLY)"),
		baseURL:  fs.String("base-url", cfg.BaseURL, "Xyte API base URL (env XYTE_BASE_URL)"),
		logLevel: fs.String("log-level", cfg.LogLevel.String(),
			"debug, info, warn or error (env XYTE_LOG_LEVEL)"),
	}
}

// apply copies the flags into cfg.
func (f commonFlags) apply(cfg *config.Config) error {
	cfg.ReadOnly = *f.readOnly
	cfg.BaseURL = *f.baseURL
	if err := cfg.LogLevel.UnmarshalText([]byte(*f.logLevel)); err != nil {
		return fmt.Errorf("%w: -log-level must be debug, info, warn or error", errUsage)
	}
	return nil
}

// loadConfig reads the environment, reporting a bad variable as a usage error.
func loadConfig(e env) (config.Config, error) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	return cfg, nil
}

// withDemo starts the in-process simulator when --demo is set and points cfg
// at it, single-tenant with the simulator's demo key. The returned stop
// function is never nil.
func withDemo(ctx context.Context, on bool, cfg *config.Config,
	logger *slog.Logger) (func(), error) {
	if !on {
		return func() {}, nil
	}
	d, err := startDemo(ctx, logger)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = d.baseURL
	cfg.APIKey = d.key
	return d.stop, nil
}

// services are the parts serve and stdio share.
type services struct {
	client   *xyte.Client
	mcp      *mcpserver.Server
	registry *prometheus.Registry
	metrics  *metrics.Set
	limiter  ratelimit.Limiter
	close    func()
}

// newServices builds the metrics, the response cache, the rate limiter, the
// upstream client and the MCP server for cfg.
func newServices(cfg config.Config, logger *slog.Logger) (*services, error) {
	sv := &services{registry: prometheus.NewRegistry(), close: func() {}}
	sv.registry.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(sv.registry, nil)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	sv.metrics = m

	opts := xyte.Options{
		BaseURL:    cfg.BaseURL,
		Key:        cfg.APIKey,
		PartnerKey: cfg.PartnerKey,
		Timeout:    cfg.UpstreamTimeout,
		UserAgent:  "xyte-mcp/" + version,
		Observer:   m,
	}
	if cfg.CacheTTL > 0 {
		rc := cache.New(cache.Options[*xyte.Response]{TTL: cfg.CacheTTL,
			MaxBytes: int(cfg.CacheMaxBytes), Recorder: m,
			Weigh: func(r *xyte.Response) int { return len(r.Body) }})
		opts.Cache = rc
		sv.close = rc.Close
	}
	if sv.client, err = xyte.New(opts); err != nil {
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	if sv.limiter, err = newLimiter(cfg, logger, m); err != nil {
		return nil, err
	}

	sv.mcp, err = mcpserver.New(mcpserver.Options{
		Client:           sv.client,
		ReadOnly:         cfg.ReadOnly,
		Sessions:         cfg.Sessions,
		PresetsDir:       cfg.PresetsDir,
		ExperimentalAPIs: cfg.ExperimentalAPIs,
		Logger:           logger,
		Version:          version,
	})
	if err != nil {
		return nil, fmt.Errorf("build mcp server: %w", err)
	}
	sv.mcp.Instrument(mcpserver.InstrumentOptions{Limiter: sv.limiter,
		OnLimited: func() { m.RateLimited("mcp") }, Observe: m.ToolCall})
	return sv, nil
}

// newLimiter returns the per-tenant rate limiter: none when the limit is 0,
// shared through Redis when REDIS_URL is set, else in memory.
func newLimiter(cfg config.Config, logger *slog.Logger, m *metrics.Set) (ratelimit.Limiter, error) {
	if cfg.RateLimit == 0 {
		return nil, nil
	}
	limits := ratelimit.Config{PerMinute: int(cfg.RateLimit), Burst: int(cfg.RateBurst)}
	if cfg.RedisURL == "" {
		return ratelimit.NewLocal(limits), nil
	}
	ropts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("%w: REDIS_URL does not parse as a Redis URL", errUsage)
	}
	rl := ratelimit.NewRedis(redis.NewClient(ropts), limits, logger)
	rl.OnFallback = m.RateLimitFallback
	return rl, nil
}

func runServe(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	common := addCommonFlags(fs, cfg)
	listen := fs.String("listen", cfg.Listen, "HTTP address, host:port (env XYTE_LISTEN)")
	sessions := fs.Bool("sessions", cfg.Sessions,
		"stateful MCP sessions; replicas then need sticky routing (env XYTE_MCP_SESSIONS)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := common.apply(&cfg); err != nil {
		return err
	}
	cfg.Listen, cfg.Sessions = *listen, *sessions
	if *common.demo && !flagSet(fs, "listen") && e.getenv("XYTE_LISTEN") == "" {
		cfg.Listen = demoListen
	}
	if _, _, err := net.SplitHostPort(cfg.Listen); err != nil {
		return fmt.Errorf("%w: -listen must be host:port", errUsage)
	}

	logger := newLogger(e.stderr, cfg.LogLevel, cfg.APIKey, cfg.PartnerKey)
	stopDemo, err := withDemo(ctx, *common.demo, &cfg, logger)
	if err != nil {
		return err
	}
	defer stopDemo()
	return serveHTTP(ctx, e, cfg, *common.demo, logger)
}

// serveHTTP builds the server for cfg and serves until ctx ends.
func serveHTTP(ctx context.Context, e env, cfg config.Config, demo bool,
	logger *slog.Logger) error {
	sv, err := newServices(cfg, logger)
	if err != nil {
		return err
	}
	defer sv.close()
	api := rest.New(rest.Options{Client: sv.client, MCP: sv.mcp.MCP(), ReadOnly: cfg.ReadOnly,
		Logger: logger, Version: version})
	srv, err := httpserver.New(httpserver.Options{Config: cfg, MCP: sv.mcp.MCP(), REST: api,
		Logger: logger, Registry: sv.registry, Limiter: sv.limiter,
		OnLimited: func() { sv.metrics.RateLimited("http") }})
	if err != nil {
		return err
	}
	logger.Info("starting", "version", version, "config", cfg)
	return srv.ListenAndServe(ctx, func(addr net.Addr) {
		if demo {
			printServeBanner(e.stdout, addr)
		}
	})
}

// printServeBanner tells a demo user how to connect.
func printServeBanner(w io.Writer, addr net.Addr) {
	base := "http://" + addr.String()
	fmt.Fprintf(w, "xyte-mcp demo: serving a simulated Xyte organization (no key needed)\n")
	fmt.Fprintf(w, "  MCP (Streamable HTTP): %s/mcp\n", base)
	fmt.Fprintf(w, "  REST:                  %s/v1/devices\n", base)
	fmt.Fprintf(w, "  OpenAPI:               %s/v1/openapi.json\n", base)
	fmt.Fprintf(w, "Try: curl %s/v1/devices\n", base)
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}
