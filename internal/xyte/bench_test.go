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
