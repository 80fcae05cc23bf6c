package xytesim

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListenAndServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	cfg := Config{Faults: []Fault{{Route: "GET /devices", Hang: true}}}
	go func() {
		done <- ListenAndServe(ctx, cfg, "127.0.0.1:0", "127.0.0.1:0", nil,
			func(u string) { urls <- u })
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("ListenAndServe returned early: %v", err)
	}
	if status := get(t, base+OrgPrefix+"/info", DemoOrgKey); status != http.StatusOK {
		t.Fatalf("GET /info = %d", status)
	}

	// A hanging request must not hold up shutdown.
	hung := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, base+OrgPrefix+"/devices", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		hung <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ListenAndServe = %v, want nil", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
	// Shutdown may end the hanging request either way; it only has to end.
	if err := <-hung; err != nil {
		t.Logf("hanging request: %v", err)
	}
}

// TestListenAndServeWithoutAdmin: with no admin address only the API
// listens, and it serves until the context ends.
func TestListenAndServeWithoutAdmin(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- ListenAndServe(ctx, Config{}, "127.0.0.1:0", "", nil, func(u string) { urls <- u })
	}()
	select {
	case base := <-urls:
		if status := get(t, base+OrgPrefix+"/info", DemoOrgKey); status != http.StatusOK {
			t.Fatalf("GET /info = %d", status)
		}
	case err := <-done:
		t.Fatalf("ListenAndServe returned early: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe = %v, want nil", err)
	}
}

func get(t *testing.T, url, key string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestListenAndServeRefuses(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = taken.Close() })
	tests := []struct {
		name, addr, admin string
		cfg               Config
		want              string
	}{
		{"public admin", "127.0.0.1:0", "0.0.0.0:0", Config{}, "loopback"},
		{"admin on every interface", "127.0.0.1:0", ":0", Config{}, "loopback"},
		{"admin host name", "127.0.0.1:0", "example.com:80", Config{}, "loopback"},
		{"admin without port", "127.0.0.1:0", "127.0.0.1", Config{}, "admin address"},
		{"bad config", "127.0.0.1:0", "", Config{Orgs: []Org{{Key: ""}}}, "key is empty"},
		{"bad address", "127.0.0.1:notaport", "", Config{}, "listen"},
		{"admin address taken", "127.0.0.1:0", taken.Addr().String(), Config{}, "listen on admin address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ListenAndServe(t.Context(), tt.cfg, tt.addr, tt.admin, nil, func(string) {
				t.Error("ready called")
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLoopbackAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0", "127.0.0.2:9"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
	if _, err := net.ResolveTCPAddr("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
}
