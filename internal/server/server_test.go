package server_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/server"
)

func TestNewRefusesBadSettings(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(*config.Config){
		"base URL":  func(c *config.Config) { c.BaseURL = "ftp://hub" },
		"Redis URL": func(c *config.Config) { c.RedisURL = "redis://:bad port" },
	} {
		cfg := config.Defaults()
		mutate(&cfg)
		sv, err := server.New(server.Options{Config: cfg})
		if !errors.Is(err, server.ErrConfig) || sv != nil {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

// TestServices builds what serve builds, with the cache, limiter and Redis
// off and on, and checks that the HTTP server answers its probes.
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
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: /healthz = %d", name, rec.Code)
		}
		sv.Close()
		sv.Close()
	}
}
