package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/metrics"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
)

func TestNewRefusesBadSettings(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(*config.Config){
		"base URL":  func(c *config.Config) { c.BaseURL = "ftp://hub" },
		"Redis URL": func(c *config.Config) { c.RedisURL = "redis://:bad port" },
		// Events share Redis even when rate limits, which read it first, are off.
		"Redis URL without limits": func(c *config.Config) {
			c.RedisURL, c.RateLimit = "redis://:bad port", 0
		},
		"plugin name": func(c *config.Config) { c.Plugins = []string{"carrier-pigeon"} },
		"async tasks without a secret in multi-tenant mode": func(c *config.Config) {
			c.AsyncTasks, c.APIKey, c.TaskSecret = true, "", ""
		},
	} {
		cfg := config.Defaults()
		mutate(&cfg)
		sv, err := server.New(server.Options{Config: cfg})
		if !errors.Is(err, server.ErrConfig) || sv != nil {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

// TestNewReportsWhatCannotStart: a part that cannot be built or started
// fails New with an error naming it, and what was started is stopped.
func TestNewReportsWhatCannotStart(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	used := metrics.NewRegistry()
	if _, err := metrics.New(used, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*config.Config)
		reg    *prometheus.Registry
		want   string
	}{
		{"audit file", func(c *config.Config) {
			c.Plugins, c.AuditFile = []string{"audit"}, filepath.Join(missing, "audit.jsonl")
		}, nil, `start plugin "audit"`},
		{"presets directory", func(c *config.Config) { c.PresetsDir = missing }, nil,
			"build mcp server"},
		{"registry already in use", func(*config.Config) {}, used, "register metrics"},
	}
	for _, tt := range tests {
		cfg := config.Defaults()
		tt.mutate(&cfg)
		sv, err := server.New(server.Options{Config: cfg, Registry: tt.reg})
		if err == nil || sv != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error naming %q", tt.name, err, tt.want)
		}
	}
}

// TestHTTPRefusesAShortWebhookSecret: event intake needs a secret long enough
// to sign with; a shorter one is a configuration error, not an open intake.
func TestHTTPRefusesAShortWebhookSecret(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.WebhookSecret = "short"
	sv, err := server.New(server.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer sv.Shutdown(context.Background())
	if srv, err := sv.HTTP(); !errors.Is(err, server.ErrConfig) || srv != nil {
		t.Fatalf("HTTP with a 5-byte webhook secret: %v, want ErrConfig", err)
	}
}

// TestServices builds what serve builds, with the cache, limiter and Redis
// off and on, and checks that the HTTP server answers its probes: ready at
// once, since synchronous tasks have no store to wait for.
func TestServices(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(*config.Config){
		"defaults":      func(*config.Config) {},
		"no cache":      func(c *config.Config) { c.CacheTTL, c.RateLimit = 0, 0 },
		"shared limits": func(c *config.Config) { c.RedisURL = "redis://127.0.0.1:1/0" },
	} {
		cfg := config.Defaults()
		mutate(&cfg)
		sv, err := server.New(server.Options{Config: cfg})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if (sv.Limiter == nil) != (cfg.RateLimit == 0) || sv.MCP == nil || sv.Client == nil {
			t.Errorf("%s: services %+v", name, sv)
		}
		srv, err := sv.HTTP()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, probe := range []string{"/healthz", "/readyz"} {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, probe, nil))
			if rec.Code != http.StatusOK {
				t.Errorf("%s: %s = %d", name, probe, rec.Code)
			}
		}
		sv.Close()
		sv.Close()
	}
}
