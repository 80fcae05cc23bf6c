package main

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// keepGC restores the test process's collector settings after a test.
func keepGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

// TestTuneGC: serve collects at GOGC=400 under a memory limit unless the
// environment says otherwise, and logs what it runs with. The limit is
// 90 % of the container's, or, outside one, of the larger of 256 MiB and
// four times the cache's budget.
func TestTuneGC(t *testing.T) {
	keepGC(t)
	noEnv := func(string) string { return "" }
	tests := []struct {
		name        string
		getenv      func(string) string
		gomemlimit  string
		cacheBytes  int64
		wantPercent int
		wantLog     string
	}{
		{"defaults", noEnv, "", 64 << 20, 400, `gogc="400 (default of serve)"`},
		{"large cache", noEnv, "", 1 << 30, 400, "memory_limit_bytes="},
		{"GOGC given", func(k string) string {
			return map[string]string{"GOGC": "150"}[k]
		}, "", 64 << 20, 150, "gogc=150"},
		{"GOMEMLIMIT given", noEnv, "100MiB", 64 << 20, 400, "memory_limit_bytes=104857600"},
	}
	for _, tt := range tests {
		debug.SetGCPercent(150) // what GOGC=150 would have set at start
		debug.SetMemoryLimit(math.MaxInt64)
		t.Setenv("GOMEMLIMIT", tt.gomemlimit)
		t.Setenv("AUTOMEMLIMIT", "")
		// Set, even empty, it names the ratio.
		if err := os.Unsetenv("AUTOMEMLIMIT"); err != nil {
			t.Fatal(err)
		}
		if tt.gomemlimit != "" {
			debug.SetMemoryLimit(100 << 20) // what the runtime read at start
		}
		var buf bytes.Buffer
		tuneGC(tt.getenv, tt.cacheBytes, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := debug.SetGCPercent(100); got != tt.wantPercent {
			t.Errorf("%s: GC percent %d, want %d", tt.name, got, tt.wantPercent)
		}
		limit := debug.SetMemoryLimit(-1)
		if tt.gomemlimit == "" {
			// Inside a container with a memory limit, 90 % of that; else
			// 90 % of the fallback.
			fallback := int64(float64(max(256<<20, 4*tt.cacheBytes)) * 0.9)
			if limit <= 0 || limit == math.MaxInt64 || limit > fallback {
				t.Errorf("%s: memory limit %d, want a limit of at most %d", tt.name, limit, fallback)
			}
		} else if limit != 100<<20 {
			t.Errorf("%s: memory limit %d, want GOMEMLIMIT's 100 MiB", tt.name, limit)
		}
		if !strings.Contains(buf.String(), tt.wantLog) {
			t.Errorf("%s: log %q lacks %q", tt.name, buf.String(), tt.wantLog)
		}
	}
}
