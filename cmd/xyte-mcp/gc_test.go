package main

import (
	"bytes"
	"cmp"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// keepGC restores the test process's collector settings and cgroupLimit
// after a test.
func keepGC(t *testing.T) {
	t.Helper()
	percent := debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1)
	provider := cgroupLimit
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
		cgroupLimit = provider
	})
}

// TestTuneGC: serve collects at GOGC=400 under a memory limit of 90 % of the
// container's, or outside one of the larger of 256 MiB and four times the
// cache's budget, unless the environment says otherwise; it logs what it
// runs with.
func TestTuneGC(t *testing.T) {
	keepGC(t)
	noEnv := func(string) string { return "" }
	noContainer := func() (uint64, error) { return 0, memlimit.ErrNoLimit }
	container := func() (uint64, error) { return 1 << 30, nil }
	tests := []struct {
		name         string
		getenv       func(string) string
		env          map[string]string // GOMEMLIMIT and AUTOMEMLIMIT
		cgroup       memlimit.Provider
		cacheBytes   int64
		wantPercent  int
		wantLimit    int64
		wantInLog    string
		startedLimit int64 // what the runtime read from GOMEMLIMIT at start
	}{
		{name: "outside a container", getenv: noEnv, cgroup: noContainer, cacheBytes: 64 << 20,
			wantPercent: 400, wantLimit: 256 << 20 * 9 / 10,
			wantInLog: `gogc="400 (default of serve)"`},
		{name: "large cache", getenv: noEnv, cgroup: noContainer, cacheBytes: 1 << 30,
			wantPercent: 400, wantLimit: 4 << 30 * 9 / 10, wantInLog: "memory_limit_bytes=3865470566"},
		{name: "in a container", getenv: noEnv, cgroup: container, cacheBytes: 64 << 20,
			wantPercent: 400, wantLimit: 1 << 30 * 9 / 10, wantInLog: "memory_limit_bytes=966367641"},
		{name: "GOGC given", getenv: func(k string) string {
			return map[string]string{"GOGC": "150"}[k]
		}, cgroup: noContainer, cacheBytes: 64 << 20, wantPercent: 150,
			wantLimit: 256 << 20 * 9 / 10, wantInLog: "gogc=150"},
		{name: "GOMEMLIMIT given", getenv: noEnv, env: map[string]string{"GOMEMLIMIT": "100MiB"},
			cgroup: container, cacheBytes: 64 << 20, wantPercent: 400, wantLimit: 100 << 20,
			wantInLog: "memory_limit_bytes=104857600", startedLimit: 100 << 20},
		{name: "AUTOMEMLIMIT ratio", getenv: noEnv, env: map[string]string{"AUTOMEMLIMIT": "0.5"},
			cgroup: container, cacheBytes: 64 << 20, wantPercent: 400, wantLimit: 1 << 30 / 2},
		{name: "AUTOMEMLIMIT off", getenv: noEnv, env: map[string]string{"AUTOMEMLIMIT": "off"},
			cgroup: container, cacheBytes: 64 << 20, wantPercent: 400, wantLimit: math.MaxInt64},
		{name: "AUTOMEMLIMIT not a ratio", getenv: noEnv, env: map[string]string{"AUTOMEMLIMIT": "x"},
			cgroup: container, cacheBytes: 64 << 20, wantPercent: 400, wantLimit: math.MaxInt64,
			wantInLog: "memory limit not set"},
	}
	for _, tt := range tests {
		debug.SetGCPercent(150) // what GOGC=150 would have set at start
		debug.SetMemoryLimit(cmp.Or(tt.startedLimit, math.MaxInt64))
		for _, name := range []string{"GOMEMLIMIT", "AUTOMEMLIMIT"} {
			t.Setenv(name, "")
			// Set, even empty, AUTOMEMLIMIT names a ratio.
			if v, ok := tt.env[name]; ok {
				t.Setenv(name, v)
			} else if err := os.Unsetenv(name); err != nil {
				t.Fatal(err)
			}
		}
		cgroupLimit = tt.cgroup
		var buf bytes.Buffer
		tuneGC(tt.getenv, tt.cacheBytes, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := debug.SetGCPercent(100); got != tt.wantPercent {
			t.Errorf("%s: GC percent %d, want %d", tt.name, got, tt.wantPercent)
		}
		if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
			t.Errorf("%s: memory limit %d, want %d", tt.name, got, tt.wantLimit)
		}
		if !strings.Contains(buf.String(), tt.wantInLog) {
			t.Errorf("%s: log %q lacks %q", tt.name, buf.String(), tt.wantInLog)
		}
	}
}
