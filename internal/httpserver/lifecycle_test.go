package httpserver_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/httpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// newServer returns a Server for cfg with the test MCP server and a logger
// writing to logs; o supplies the other options.
func newServer(t *testing.T, cfg config.Config, logs *lockedbuf.Buffer, o httpserver.Options) *httpserver.Server {
	t.Helper()
	client, err := xyte.New(xyte.Options{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	o.Config, o.MCP, o.Logger = cfg, testMCPServer(client), logging.New(logs, slog.LevelDebug)
	srv, err := httpserver.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	if _, err := httpserver.New(httpserver.Options{Config: config.Defaults()}); err == nil ||
		!strings.Contains(err.Error(), "an MCP server is required") {
		t.Errorf("no MCP server: %v", err)
	}
	reg := prometheus.NewRegistry()
	newServer(t, config.Defaults(), &lockedbuf.Buffer{}, httpserver.Options{Registry: reg})
	client, _ := xyte.New(xyte.Options{})
	_, err := httpserver.New(httpserver.Options{Config: config.Defaults(), MCP: testMCPServer(client),
		Registry: reg})
	if err == nil || !strings.Contains(err.Error(), "register metrics") {
		t.Errorf("a registry that has the server's metrics already: %v", err)
	}
}

// TestListenAndServe: the server listens on the configured address, tells
// the caller where, serves, and stops cleanly when its context ends.
func TestListenAndServe(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.Listen, cfg.APIKey, cfg.ShutdownTimeout = "127.0.0.1:0", keyA, time.Second
	logs := &lockedbuf.Buffer{}
	srv := newServer(t, cfg, logs, httpserver.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, func(a net.Addr) { addrs <- a }) }()

	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
	}
	resp, err := http.Get("http://" + addr.String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe after cancel = %v, want nil", err)
	}
	text := logs.String()
	for _, want := range []string{`"msg":"http server listening"`, `"mode":"single-tenant"`,
		`"msg":"http server stopped"`} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, "listens beyond loopback") {
		t.Errorf("a loopback server was warned about:\n%s", text)
	}

	cfg.Listen = "127.0.0.1:99999"
	err = newServer(t, cfg, &lockedbuf.Buffer{}, httpserver.Options{}).ListenAndServe(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "listen on 127.0.0.1:99999") {
		t.Fatalf("bad address: %v", err)
	}
}

func TestServeReportsListenerFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t, config.Defaults(), &lockedbuf.Buffer{}, httpserver.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close()
	err = srv.Serve(context.Background(), ln)
	if err == nil || !strings.HasPrefix(err.Error(), "serve http: ") {
		t.Fatalf("Serve on a closed listener: %v", err)
	}
	if srv.Ready() {
		t.Fatal("a server that stopped serving still says it is ready")
	}
}

// addrListener reports addr as its address, so that the start-up check can
// be shown addresses the test does not bind.
type addrListener struct {
	net.Listener
	addr net.Addr
}

func (l addrListener) Addr() net.Addr { return l.addr }

// TestStartWarnsWhenSingleTenantIsExposed: a single-tenant server with the
// Authorization header optional, reachable beyond loopback, logs a warning.
func TestStartWarnsWhenSingleTenantIsExposed(t *testing.T) {
	t.Parallel()
	tcp := func(s string) net.Addr { a, _ := net.ResolveTCPAddr("tcp", s); return a }
	tests := []struct {
		name        string
		key         string
		requireAuth bool
		addr        net.Addr
		warn        bool
	}{
		{"every interface", keyA, false, tcp("0.0.0.0:8080"), true},
		{"LAN address", keyA, false, tcp("10.1.2.3:8080"), true},
		{"unix socket", keyA, false, &net.UnixAddr{Name: "/run/xyte-mcp.sock", Net: "unix"}, true},
		{"IPv6 loopback", keyA, false, tcp("[::1]:8080"), false},
		{"localhost", keyA, false, stringAddr("localhost:8080"), false},
		{"auth required", keyA, true, tcp("0.0.0.0:8080"), false},
		{"multi-tenant", "", false, tcp("0.0.0.0:8080"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Defaults()
			cfg.APIKey, cfg.RequireAuth, cfg.ShutdownTimeout = tt.key, tt.requireAuth, time.Second
			logs := &lockedbuf.Buffer{}
			srv := newServer(t, cfg, logs, httpserver.Options{})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // start, log, and drain at once
			if err := srv.Serve(ctx, addrListener{ln, tt.addr}); err != nil {
				t.Fatal(err)
			}
			warned := strings.Contains(logs.String(), "listens beyond loopback")
			if warned != tt.warn {
				t.Fatalf("warned = %v, want %v:\n%s", warned, tt.warn, logs.String())
			}
		})
	}
}

// stringAddr is a TCP address given by name.
type stringAddr string

func (a stringAddr) Network() string { return "tcp" }
func (a stringAddr) String() string  { return string(a) }

// TestDrainCutShort: a request still running at the end of the shutdown
// timeout is cut off, the cut is logged, and Serve still returns nil.
func TestDrainCutShort(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
	})
	cfg := config.Defaults()
	cfg.ShutdownTimeout = 100 * time.Millisecond
	logs := &lockedbuf.Buffer{}
	srv := newServer(t, cfg, logs, httpserver.Options{EventIntake: stuck})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	answered := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/v1/events",
			strings.NewReader(`{"type":"x"}`))
		req.Header.Set("Authorization", keyA)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = errors.New("answered " + resp.Status)
		}
		answered <- err
	}()
	<-entered
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want nil after a drain cut short", err)
	}
	if err := <-answered; err == nil || strings.HasPrefix(err.Error(), "answered") {
		t.Fatalf("the stuck request: %v, want its connection closed", err)
	}
	if !strings.Contains(logs.String(), `"msg":"http server drain cut short"`) {
		t.Fatalf("log lacks the cut:\n%s", logs.String())
	}
}
