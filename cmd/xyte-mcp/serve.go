package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
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

// newServices builds the services serve and stdio share, reporting a
// configuration they cannot be built from as a usage error.
func newServices(ctx context.Context, cfg config.Config,
	logger *slog.Logger) (*server.Services, error) {
	sv, err := server.New(server.Options{Config: cfg, Logger: logger, Version: version,
		Context: ctx})
	if errors.Is(err, server.ErrConfig) {
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	return sv, err
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
	cfg.Listen, cfg.Sessions = listenAddr(fs, *listen, *common.demo, e.getenv), *sessions
	if _, _, err := net.SplitHostPort(cfg.Listen); err != nil {
		return fmt.Errorf("%w: -listen must be host:port", errUsage)
	}

	logger := newLogger(e.stderr, cfg.LogLevel, cfg.APIKey, cfg.PartnerKey)
	if e.process {
		tuneGC(e.getenv, cfg.CacheMaxBytes, logger)
	}
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
	sv, err := newServices(ctx, cfg, logger)
	if err != nil {
		return err
	}
	// After the HTTP drain: let task workers finish their sends and plugins
	// flush, within the shutdown timeout.
	defer func() {
		drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		sv.Shutdown(drain)
	}()
	srv, err := sv.HTTP()
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

// listenAddr returns where serve listens: listen, the -listen flag of fs,
// which defaults to XYTE_LISTEN; with --demo and neither given, demoListen:
// the demo's key is published, so it stays on loopback.
func listenAddr(fs *flag.FlagSet, listen string, demo bool, getenv func(string) string) string {
	if demo && !flagSet(fs, "listen") && getenv("XYTE_LISTEN") == "" {
		return demoListen
	}
	return listen
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
