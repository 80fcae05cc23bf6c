package events

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func newStreamURL(t *testing.T, opts StreamOptions) string {
	t.Helper()
	s, err := NewStream(opts)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, s).URL
}

// TestStreamTenantSeparation: over SSE, tenant B never receives A's events.
func TestStreamTenantSeparation(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bus := newBus(t)
			url := newStreamURL(t, StreamOptions{Bus: bus})
			keyA, keyB := uniqueKey(t), uniqueKey(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, streamA := openStream(t, ctx, url+"?after=0", keyA, "")
			_, streamB := openStream(t, ctx, url+"?after=0", keyB, "")

			a := mustPublish(t, bus, tenant.Hash(keyA), "for.a")
			b := mustPublish(t, bus, tenant.Hash(keyB), "for.b")
			if f := streamA.nextEvent(t, 3*time.Second); f.id != a.ID || f.event != "for.a" {
				t.Fatalf("A got %+v", f)
			}
			if f := streamB.nextEvent(t, 3*time.Second); f.id != b.ID || f.event != "for.b" {
				t.Fatalf("B got %+v, want only its own event", f)
			}
			streamA.noEvent(t, 100*time.Millisecond)
			streamB.noEvent(t, 100*time.Millisecond)
		})
	}
}

// TestStreamResume: after a disconnect, Last-Event-ID resumes right after
// the last event received, even across replicas.
func TestStreamResume(t *testing.T) {
	t.Parallel()
	for name, newBus := range buses(t, Options{}) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bus := newBus(t)
			url := newStreamURL(t, StreamOptions{Bus: bus})
			key := uniqueKey(t)
			id := tenant.Hash(key)

			ctx, disconnect := context.WithCancel(context.Background())
			resp, stream := openStream(t, ctx, url, key, "")
			for _, h := range []struct{ name, want string }{
				{"Content-Type", "text/event-stream"},
				{"Cache-Control", "no-store"},
				{"X-Accel-Buffering", "no"},
			} {
				if got := resp.Header.Get(h.name); got != h.want {
					t.Errorf("%s = %q, want %q", h.name, got, h.want)
				}
			}
			first := mustPublish(t, bus, id, "one")
			mustPublish(t, bus, id, "two")
			if f := stream.nextEvent(t, 3*time.Second); f.id != first.ID {
				t.Fatalf("first frame %+v", f)
			}
			var data Event
			f := stream.nextEvent(t, 3*time.Second)
			if err := json.Unmarshal([]byte(f.data), &data); err != nil || data.ID != f.id ||
				data.Type != "two" || string(data.Data) != `{"n":"two"}` {
				t.Fatalf("second frame %+v (%v)", f, err)
			}
			disconnect()
			<-stream.done

			missed := []Event{mustPublish(t, bus, id, "three"), mustPublish(t, bus, id, "four")}
			ctx2, cancel2 := context.WithCancel(context.Background())
			defer cancel2()
			_, resumed := openStream(t, ctx2, url+"?after=0", key, f.id)
			for _, want := range missed {
				if got := resumed.nextEvent(t, 3*time.Second); got.id != want.ID {
					t.Fatalf("resumed with %+v, want %s", got, want.ID)
				}
			}
			resumed.noEvent(t, 100*time.Millisecond)
		})
	}
}

func TestStreamRefusesBadRequests(t *testing.T) {
	t.Parallel()
	url := newStreamURL(t, StreamOptions{Bus: NewMemoryBus(Options{})})
	stopped, stop := context.WithCancel(context.Background())
	stop()
	closing := newStreamURL(t, StreamOptions{Bus: NewMemoryBus(Options{}), Shutdown: stopped})
	logs := &logLines{}
	redisDown := newStreamURL(t, StreamOptions{Logger: logs.logger(),
		Bus: newProxiedRedisBus(t, newRedisProxy(t, true), Options{})})
	cases := []struct {
		name, method, url, key, lastID string
		status                         int
		code                           string
	}{
		{"no tenant", "GET", url, "", "", http.StatusUnauthorized, CodeMissingKey},
		{"bad Last-Event-ID", "GET", url, "k", "yesterday", http.StatusBadRequest, CodeInvalidEventID},
		{"bad after", "GET", url + "?after=-1", "k", "", http.StatusBadRequest, CodeInvalidEventID},
		{"bad type filter", "GET", url + "?type=a%20b", "k", "", http.StatusBadRequest, CodeInvalidEvent},
		{"POST", "POST", url, "k", "", http.StatusMethodNotAllowed, CodeMethod},
		{"shutting down", "GET", closing, "k", "", http.StatusServiceUnavailable, CodeUnavailable},
		{"Redis down", "GET", redisDown, "k", "", http.StatusServiceUnavailable, CodeUnavailable},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		if tc.key != "" {
			req.Header.Set("Authorization", tc.key)
		}
		if tc.lastID != "" {
			req.Header.Set("Last-Event-ID", tc.lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body errorBody
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || err != nil || body.Error != tc.code || body.Message == "" {
			t.Errorf("%s: status %d, body %+v (%v); want %d %s", tc.name, resp.StatusCode, body, err,
				tc.status, tc.code)
		}
		if tc.method == "POST" && resp.Header.Get("Allow") != http.MethodGet {
			t.Errorf("%s: Allow = %q", tc.name, resp.Header.Get("Allow"))
		}
	}
	if n := logs.count("event stream not started"); n != 1 {
		t.Errorf("the Redis failure was logged %d times, want once", n)
	}
}

// TestStreamEndsWhenStoreFails: when the bus loses Redis mid-stream, the
// stream ends (the client reconnects with Last-Event-ID) and says why in the
// log.
func TestStreamEndsWhenStoreFails(t *testing.T) {
	t.Parallel()
	logs := &logLines{}
	proxy := newRedisProxy(t, false)
	url := newStreamURL(t, StreamOptions{Bus: newProxiedRedisBus(t, proxy, Options{}),
		KeepAlive: 50 * time.Millisecond, Logger: logs.logger()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, stream := openStream(t, ctx, url, uniqueKey(t), "")
	<-stream.frames // connected
	proxy.setDown(true)
	select {
	case <-stream.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived its store")
	}
	waitFor(t, "the log line", func() bool { return logs.count("event stream ended") == 1 })
}

// TestStreamDropsClientThatStopsReading: a client that stops reading cannot
// hold the handler past the write timeout.
func TestStreamDropsClientThatStopsReading(t *testing.T) {
	t.Parallel()
	bus := NewMemoryBus(Options{Size: 100})
	s, _ := NewStream(StreamOptions{Bus: bus, WriteTimeout: 100 * time.Millisecond})
	returned := make(chan struct{})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(returned)
		s.ServeHTTP(w, r)
	}))
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := "slow-reader-key"
	_, _ = conn.Write([]byte("GET /?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: " + key + "\r\n\r\n"))

	// Far more than the socket buffers hold, and never read.
	big := json.RawMessage(`"` + strings.Repeat("x", 256<<10) + `"`)
	for range 100 {
		if _, err := bus.Publish(context.Background(), tenant.Hash(key), Event{Type: "big", Data: big}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler is still writing to a client that stopped reading")
	}
}

// TestStreamKeepAlive: an idle stream gets keep-alive comments.
func TestStreamKeepAlive(t *testing.T) {
	t.Parallel()
	url := newStreamURL(t, StreamOptions{Bus: NewMemoryBus(Options{}),
		KeepAlive: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, stream := openStream(t, ctx, url, "idle-key", "")
	keepAlives := 0
	deadline := time.After(3 * time.Second)
	for keepAlives < 3 {
		select {
		case f := <-stream.frames:
			if len(f.comments) == 1 && f.comments[0] == "keep-alive" && f.id == "" {
				keepAlives++
			}
		case <-deadline:
			t.Fatalf("%d keep-alives in 3s at a 50ms interval", keepAlives)
		}
	}
}

// TestStreamEndsOnShutdown: a real http.Server with an open stream shuts
// down promptly once the Shutdown context ends, and no goroutine is left.
// Not parallel, so that the goroutine check sees this test alone.
func TestStreamEndsOnShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	shutdown, beginShutdown := context.WithCancel(context.Background())
	s, _ := NewStream(StreamOptions{Bus: NewMemoryBus(Options{}), Shutdown: shutdown,
		KeepAlive: 20 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: withTenant(s), ReadHeaderTimeout: time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	_, stream := openStream(t, context.Background(), "http://"+ln.Addr().String(), "k", "")
	<-stream.frames // connected

	beginShutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v after %s", err, time.Since(start))
	}
	select {
	case <-stream.done:
	case <-time.After(2 * time.Second):
		t.Fatal("the client's stream did not end")
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	http.DefaultClient.CloseIdleConnections()
}
