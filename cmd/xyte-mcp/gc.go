package main

import (
	"log/slog"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// The collector of a serving process. The server keeps little besides its
// response cache and makes much short-lived garbage per request (decoded
// answers, views, JSON), so with Go's default (GOGC=100) a small heap is
// collected many times a second under load, a tenth or more of its CPU.
// serve lets the heap grow to five times what it keeps before collecting
// (GOGC=400: 10 to 20 % less CPU per request in the load benchmark,
// docs/BENCHMARKS.md, for about 11 MiB more memory under load) and bounds it
// with a soft memory limit, so that a full cache or a small container never
// lets it grow five times over: GOMEMLIMIT at 90 % of the container's memory
// limit, or without one, of four times XYTE_CACHE_MAX_BYTES and at least
// memoryFloor. GOGC, GOMEMLIMIT and AUTOMEMLIMIT (the ratio, or off) in the
// environment take precedence; AUTOMEMLIMIT=off leaves the heap without a
// limit.

const (
	servingGCPercent = 400
	memoryFloor      = 256 << 20
)

// tuneGC sets the collector for serve and logs what it runs with.
func tuneGC(getenv func(string) string, cacheMaxBytes int64, logger *slog.Logger) {
	gogc := getenv("GOGC")
	if gogc == "" {
		debug.SetGCPercent(servingGCPercent)
		gogc = "400 (default of serve)"
	}
	fallback := memlimit.Limit(uint64(max(memoryFloor, 4*cacheMaxBytes)))
	limit, err := memlimit.Set(memlimit.WithProvider(
		memlimit.ApplyFallback(cgroupLimit, fallback)))
	if err != nil {
		logger.Warn("garbage collector: memory limit not set", "error", err)
	}
	logger.Info("garbage collector", "gogc", gogc, "memory_limit_bytes", limit)
}

// cgroupLimit reads the container's memory limit; tests replace it.
var cgroupLimit memlimit.Provider = containerLimit

// containerLimit is the memory limit of the process's cgroup, or
// memlimit.ErrNoLimit when it sets none below the machine's memory: cgroup v1
// writes "no limit" as a number near 2^63.
func containerLimit() (uint64, error) {
	limit, err := memlimit.FromCgroup()
	if err != nil {
		return 0, err
	}
	if total, err := memlimit.FromSystem(); err == nil && limit >= total {
		return 0, memlimit.ErrNoLimit
	}
	return limit, nil
}
