package xyte_test

import (
	"context"
	"testing"
)

// BenchmarkGetDevice measures one client round trip (GET /devices/{id}) to the
// in-process simulator over loopback TCP, decoding included.
func BenchmarkGetDevice(b *testing.B) {
	_, c := newSim(b)
	id := firstDevice(b, c)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.GetDevice(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetDeviceParallel is the same round trip from concurrent callers.
func BenchmarkGetDeviceParallel(b *testing.B) {
	_, c := newSim(b)
	id := firstDevice(b, c)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetDevice(ctx, id); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetDeviceCached measures a read served from a warm read cache, as
// get_device makes it when the answer is already kept: no upstream request,
// only the key, the cache lookup and a copy of the kept device.
func BenchmarkGetDeviceCached(b *testing.B) {
	sim, c := newCachedClient(b)
	id := firstDevice(b, c)
	ctx := context.Background()
	if _, err := c.GetDevice(ctx, id); err != nil {
		b.Fatal(err)
	}
	before := len(sim.Requests())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.GetDevice(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := len(sim.Requests()) - before; n != 0 {
		b.Fatalf("upstream saw %d requests; every read must come from the cache", n)
	}
}
