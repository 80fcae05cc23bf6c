package logging

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

const canary = "xk_CANARY_7f3a"

func TestScrubsEverywhere(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelDebug, "server-key-CANARY-1", "")
	ctx := tenant.NewContext(context.Background(), tenant.New(canary))
	ctx = WithRequestID(ctx, "req-42")

	logger.DebugContext(ctx, "calling with "+canary, "url", "http://x/?k="+canary,
		"error", errors.New("upstream said "+canary), "Authorization", "Bearer anything",
		"api_key", "whatever", slog.Group("g", "nested", canary, "token", "t"))
	logger.With("static", "server-key-CANARY-1").InfoContext(ctx, "hello", "v", []string{canary})
	logger.Info("uses server key server-key-CANARY-1")

	out := buf.String()
	if strings.Contains(out, "CANARY") || strings.Contains(out, "anything") || strings.Contains(out, "whatever") {
		t.Fatalf("a secret reached the log:\n%s", out)
	}
	if !strings.Contains(out, `"request_id":"req-42"`) {
		t.Fatalf("request id missing:\n%s", out)
	}
}

func TestSecretNames(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{"authorization": true, "X-Api-Key": true, "token": true,
		"webhook_secret": true, "tenant": false, "route": false, "status": false, "key_hash": false} {
		if got := secretName(name); got != want {
			t.Errorf("%s: got %v", name, got)
		}
	}
}
