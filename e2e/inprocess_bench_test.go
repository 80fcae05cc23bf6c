package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	xyteserver "github.com/xyte-mcp/xyte-mcp/internal/server"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// inProcessServer builds the HTTP server as serve does (internal/server:
// metrics, audit, the same middleware), single-tenant and without a rate
// limit, against an in-process simulator; warm turns the response cache on.
func inProcessServer(b *testing.B, warm bool) (string, string) {
	b.Helper()
	const key = "bench-key-0001"
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: key}}})
	up := httptest.NewServer(sim)
	b.Cleanup(up.Close)
	cfg := config.Defaults()
	cfg.APIKey, cfg.BaseURL, cfg.RateLimit = key, up.URL, 0
	if !warm {
		cfg.CacheTTL = 0
	}
	sv, err := xyteserver.New(xyteserver.Options{Config: cfg})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sv.Shutdown(context.Background()) })
	srv, err := sv.HTTP()
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	return hs.URL, sim.DeviceIDs(key)[0]
}

// cpuTime returns the CPU time, user and system, this process has used:
// client, server and simulator together. Per operation it is the cost that
// bounds requests per second, and other work on the machine disturbs it far
// less than wall time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parallel runs do from many goroutines and reports the CPU time per
// operation beside the wall time.
func parallel(b *testing.B, do func() error) {
	b.ReportAllocs()
	start := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := do(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkMCPGetDevice measures one stateless tools/call of get_device
// through the whole HTTP stack, in process, with the cache cold and warm.
//
//	go test ./e2e -run '^$' -bench GetDevice -cpuprofile cpu.out
func BenchmarkMCPGetDevice(b *testing.B) {
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			base, id := inProcessServer(b, warm)
			body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_device",` +
				`"arguments":{"device_id":"` + id + `"}}}`
			parallel(b, func() error {
				req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json, text/event-stream")
				req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
				return fetch(req, []byte(`"structuredContent"`))
			})
		})
	}
}

// BenchmarkRESTGetDevice measures GET /v1/devices/{id} through the whole
// HTTP stack, in process, with the cache cold and warm.
func BenchmarkRESTGetDevice(b *testing.B) {
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			base, id := inProcessServer(b, warm)
			parallel(b, func() error {
				req, _ := http.NewRequest(http.MethodGet, base+"/v1/devices/"+id, nil)
				return fetch(req, []byte(`"id"`))
			})
		})
	}
}

// BenchmarkProxyGetDevice is the yardstick of the two above: a bare
// httputil.ReverseProxy in front of the same in-process simulator.
func BenchmarkProxyGetDevice(b *testing.B) {
	const key = "bench-key-0001"
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: key}}})
	up := httptest.NewServer(sim)
	b.Cleanup(up.Close)
	target, _ := url.Parse(up.URL)
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Set("Authorization", key)
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 128},
	})
	b.Cleanup(proxy.Close)
	u := proxy.URL + "/core/v1/organization/devices/" + sim.DeviceIDs(key)[0]
	parallel(b, func() error {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		return fetch(req, []byte(`"id"`))
	})
}

// fetch sends req and checks for a 200 whose body holds want.
func fetch(req *http.Request, want []byte) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(data, want) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, data)
	}
	return nil
}
