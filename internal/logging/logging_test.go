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
	keyOnly := tenant.NewContext(context.Background(), tenant.New(canary))
	logger.WithGroup("upstream").InfoContext(keyOnly, "call", "url", "http://x/?k="+canary, "key", "k",
		"status", 200)

	out := buf.String()
	if !strings.Contains(out, `"upstream":{"url":"http://x/?k=[REDACTED]","key":"[REDACTED]","status":200}`) {
		t.Fatalf("grouped attributes not scrubbed or not grouped:\n%s", out)
	}
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

// TestScrubsFragments: a piece of a key, six bytes or more, is as secret as
// the key: code that logs a prefix "for debugging" leaks it all the same.
func TestScrubsFragments(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelDebug, "server-key-0123456789")
	ctx := tenant.NewContext(context.Background(), tenant.New(canary))
	logger.InfoContext(ctx, "key prefix "+canary[:9], "suffix", canary[5:], "cut",
		errors.New("truncated "+canary[:7]+"..."), "server", "server-key-01")
	out := buf.String()
	for _, piece := range []string{canary[:6], canary[8:], "server-key"} {
		if strings.Contains(out, piece) {
			t.Fatalf("log holds %q:\n%s", piece, out)
		}
	}
}

func TestDemote(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := Demote(New(&buf, slog.LevelInfo))
	logger.Info("per-request chatter")
	logger.Warn("a warning")
	logger.With("k", "v").Error("an error")
	out := buf.String()
	if strings.Contains(out, "chatter") || !strings.Contains(out, `"level":"WARN"`) ||
		!strings.Contains(out, `"level":"ERROR"`) {
		t.Fatalf("demoted log:\n%s", out)
	}
	buf.Reset()
	Demote(New(&buf, slog.LevelDebug)).Info("now shown")
	if !strings.Contains(buf.String(), `"level":"DEBUG","msg":"now shown"`) {
		t.Fatalf("an info line was not logged at debug: %s", buf.String())
	}
	buf.Reset()
	Demote(New(&buf, slog.LevelDebug)).WithGroup("sdk").Info("session", "id", "s1")
	if !strings.Contains(buf.String(), `"level":"DEBUG","msg":"session","sdk":{"id":"s1"}`) {
		t.Fatalf("a grouped info line: %s", buf.String())
	}
}
