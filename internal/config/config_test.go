package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestModeFromKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want Mode
	}{
		{map[string]string{}, MultiTenant},
		{map[string]string{"XYTE_API_KEY": ""}, MultiTenant},
		{map[string]string{"XYTE_API_KEY": "  \t "}, MultiTenant},
		{map[string]string{"XYTE_API_KEY": "k1"}, SingleTenant},
		{map[string]string{"XYTE_ORG_API_KEY": "k1"}, SingleTenant},
	}
	for _, tt := range tests {
		c, err := Load(envOf(tt.env))
		if err != nil || c.Mode() != tt.want {
			t.Errorf("%v: mode %s, %v; want %s", tt.env, c.Mode(), err, tt.want)
		}
	}
}

func TestDefaultsAndAliases(t *testing.T) {
	t.Parallel()
	c, err := Load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.MaxBodyBytes != 1<<20 || c.ShutdownTimeout != 20*time.Second ||
		c.BaseURL != "https://hub.xyte.io/core/v1/organization" || c.LogLevel != slog.LevelInfo {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Load(envOf(map[string]string{
		"XYTE_HUB_URL": "http://127.0.0.1:9090", "XYTE_MCP_READ_ONLY": "TRUE",
		"XYTE_LOG_LEVEL": "warning", "XYTE_SHUTDOWN_TIMEOUT": "5", "XYTE_CORS_ORIGINS": "https://a.test, https://b.test",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:9090" || !c.ReadOnly || c.LogLevel != slog.LevelWarn ||
		c.ShutdownTimeout != 5*time.Second || len(c.CORSOrigins) != 2 {
		t.Fatalf("aliases: %+v", c)
	}
}

func TestBadValuesReportedTogether(t *testing.T) {
	t.Parallel()
	_, err := Load(envOf(map[string]string{
		"XYTE_READ_ONLY": "maybe", "XYTE_MAX_BODY_BYTES": "10", "XYTE_LOG_LEVEL": "loud",
		"XYTE_LISTEN": "8080", "XYTE_UPSTREAM_TIMEOUT": "1h", "XYTE_CORS_ORIGINS": "*",
		"REDIS_URL": "http://cache:6379", "DATABASE_URL": "mysql://x", "XYTE_TASK_SECRET": "short",
		"XYTE_WEBHOOK_SECRET": "short", "XYTE_WEBHOOK_OUT_SECRET": "short",
	}))
	if err == nil {
		t.Fatal("want errors")
	}
	// Every broken rule is reported at once, cross-field rules included, so
	// that an operator fixes the environment in one pass.
	for _, name := range []string{"XYTE_READ_ONLY", "XYTE_MAX_BODY_BYTES", "XYTE_LOG_LEVEL",
		"XYTE_LISTEN", "XYTE_UPSTREAM_TIMEOUT", "XYTE_CORS_ORIGINS", "REDIS_URL", "DATABASE_URL",
		"XYTE_TASK_SECRET", "XYTE_WEBHOOK_SECRET", "XYTE_WEBHOOK_OUT_SECRET"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error lacks %s: %v", name, err)
		}
	}
}

func TestPrintingHidesKeys(t *testing.T) {
	t.Parallel()
	c, _ := Load(envOf(map[string]string{"XYTE_API_KEY": "xk_CANARY_1", "XYTE_PARTNER_API_KEY": "xk_CANARY_2"}))
	if s := c.String(); strings.Contains(s, "CANARY") || !strings.Contains(s, "single-tenant") {
		t.Fatalf("config prints as %s", s)
	}
	if s := fmt.Sprintf("%#v", c); strings.Contains(s, "CANARY") {
		t.Fatalf("config prints with %%#v as %s", s)
	}
}

func TestNumbersFromTheEnvironment(t *testing.T) {
	t.Parallel()
	c, err := Load(envOf(map[string]string{"XYTE_MAX_BODY_BYTES": "2048", "XYTE_EVENTS_BUFFER": "500"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxBodyBytes != 2048 || c.EventsBuffer != 500 {
		t.Fatalf("max body %d, events buffer %d", c.MaxBodyBytes, c.EventsBuffer)
	}
}

func TestTaskAndEventSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(envOf(map[string]string{
		"ENABLE_ASYNC_TASKS": "true", "DATABASE_URL": "postgres://u:pw-CANARY-db@db:5432/x",
		"XYTE_TASK_SECRET": strings.Repeat("s", 32), "XYTE_PLUGINS": "audit, webhook",
		"XYTE_WEBHOOK_URLS": "https://hooks.test/a", "REDIS_URL": "redis://:pw-CANARY-redis@r:6379/0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.AsyncTasks || c.TaskWorkers != 4 || !c.ServeWorkers || len(c.Plugins) != 2 {
		t.Fatalf("settings: %+v", c)
	}
	secrets := strings.Join(c.Secrets(), " ")
	for _, want := range []string{"pw-CANARY-db", "pw-CANARY-redis", strings.Repeat("s", 32)} {
		if !strings.Contains(secrets, want) {
			t.Errorf("Secrets lacks %s", want)
		}
	}
	if strings.Contains(c.String(), "CANARY") {
		t.Fatalf("config prints a password: %s", c)
	}
	for env, name := range map[string]string{
		"DATABASE_URL":        "mysql://x",
		"XYTE_TASK_SECRET":    "short",
		"XYTE_WEBHOOK_SECRET": "short",
		"XYTE_WEBHOOK_URLS":   "ftp://x",
		"XYTE_TASK_WORKERS":   "0",
	} {
		if _, err := Load(envOf(map[string]string{env: name})); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%s: got %v", env, name, err)
		}
	}
}
