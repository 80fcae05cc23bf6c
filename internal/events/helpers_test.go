package events

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// redisClient returns a client for the real Redis at 127.0.0.1:6379.
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis at 127.0.0.1:6379 is required: %v", err)
	}
	return rdb
}

// uniqueKey returns an API key no other test run uses, and registers the
// removal of its tenant's Redis stream.
func uniqueKey(t *testing.T) string {
	t.Helper()
	key := "test-key-" + rand.Text()
	t.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
		defer rdb.Close()
		_ = rdb.Del(context.Background(), streamKey(tenant.Hash(key))).Err()
	})
	return key
}

// uniqueTenant returns a tenant id no other test run uses; its Redis stream
// is removed after the test.
func uniqueTenant(t *testing.T) string {
	t.Helper()
	return tenant.Hash(uniqueKey(t))
}

// newRedisBus returns a Redis bus with a short block, closed after the test.
func newRedisBus(t *testing.T, opts Options) *Bus {
	t.Helper()
	b := NewRedisBus(redisClient(t), opts)
	b.store.(*redisStore).block = 200 * time.Millisecond
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// buses returns one bus of each kind, for tests that both must pass.
func buses(t *testing.T, opts Options) map[string]func(*testing.T) *Bus {
	return map[string]func(*testing.T) *Bus{
		"memory": func(*testing.T) *Bus { return NewMemoryBus(opts) },
		"redis":  func(t *testing.T) *Bus { return newRedisBus(t, opts) },
	}
}

// withTenant stands in for the server's authentication: the Authorization
// header, if any, is the tenant's key.
func withTenant(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key := r.Header.Get("Authorization"); key != "" {
			r = r.WithContext(tenant.NewContext(r.Context(), tenant.New(key)))
		}
		h.ServeHTTP(w, r)
	})
}

// serve runs h behind withTenant on a loopback test server.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(withTenant(h))
	t.Cleanup(srv.Close)
	return srv
}

func mustPublish(t *testing.T, b *Bus, tenantID, typ string) Event {
	t.Helper()
	e, err := b.Publish(context.Background(), tenantID, Event{Type: typ,
		Data: json.RawMessage(`{"n":"` + typ + `"}`)})
	if err != nil {
		t.Fatalf("publish %s: %v", typ, err)
	}
	return e
}

// sseFrame is one SSE frame: an event, or comments only.
type sseFrame struct {
	id, event, data string
	comments        []string
}

// sseReader reads frames from an SSE response in a goroutine, so that a
// test can wait for a frame with a timeout.
type sseReader struct {
	frames chan sseFrame
	done   chan struct{} // closed at the end of the body
}

// openStream opens GET url with key and, if lastID is set, Last-Event-ID.
func openStream(t *testing.T, ctx context.Context, url, key, lastID string) (*http.Response,
	*sseReader) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("open stream: %v", err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("open stream: status %d: %s", resp.StatusCode, body)
	}
	r := &sseReader{frames: make(chan sseFrame, 100), done: make(chan struct{})}
	go r.read(resp.Body)
	return resp, r
}

func (r *sseReader) read(body io.Reader) {
	defer close(r.done)
	sc := bufio.NewScanner(body)
	var f sseFrame
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			r.frames <- f
			f = sseFrame{}
		case strings.HasPrefix(line, ":"):
			f.comments = append(f.comments, strings.TrimSpace(line[1:]))
		case strings.HasPrefix(line, "id: "):
			f.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			f.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			f.data = line[6:]
		}
	}
}

// nextEvent returns the next frame that is an event, skipping comments.
func (r *sseReader) nextEvent(t *testing.T, within time.Duration) sseFrame {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case f := <-r.frames:
			if f.id != "" {
				return f
			}
		case <-r.done:
			t.Fatal("stream ended while waiting for an event")
		case <-timer.C:
			t.Fatalf("no event within %s", within)
		}
	}
}

// noEvent fails if an event arrives within d.
func (r *sseReader) noEvent(t *testing.T, d time.Duration) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case f := <-r.frames:
			if f.id != "" {
				t.Fatalf("unexpected event %s %s: %s", f.id, f.event, f.data)
			}
		case <-r.done:
			return
		case <-timer.C:
			return
		}
	}
}

// redisProxy forwards loopback connections to the test Redis and can cut
// them all, standing in for a Redis outage.
type redisProxy struct {
	ln net.Listener
	wg sync.WaitGroup

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

// newRedisProxy starts a proxy to 127.0.0.1:6379, up or down.
func newRedisProxy(t *testing.T, down bool) *redisProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &redisProxy{ln: ln, down: down}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.setDown(true)
		p.wg.Wait()
	})
	return p
}

func (p *redisProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if err := p.connect(c); err != nil {
			_ = c.Close()
		}
	}
}

// connect pipes c to Redis unless the proxy is down.
func (p *redisProxy) connect(c net.Conn) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return errors.New("proxy down")
	}
	up, err := net.Dial("tcp", "127.0.0.1:6379")
	if err != nil {
		return err
	}
	p.conns = append(p.conns, c, up)
	p.wg.Add(2)
	go p.pipe(up, c)
	go p.pipe(c, up)
	return nil
}

func (p *redisProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
}

// setDown cuts every connection and refuses new ones (true), or lets new
// ones through again (false).
func (p *redisProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.conns = nil
	}
}

// newProxiedRedisBus returns a Redis bus that reaches Redis through p, with
// a short block and no command retries, closed after the test.
func newProxiedRedisBus(t *testing.T, p *redisProxy, opts Options) *Bus {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: p.ln.Addr().String(), MaxRetries: -1,
		DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	b := NewRedisBus(rdb, opts)
	b.store.(*redisStore).block = 200 * time.Millisecond
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// logLines collects JSON log lines for a test.
type logLines struct{ lockedbuf.Buffer }

func (l *logLines) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

// count returns how many lines have the message msg.
func (l *logLines) count(msg string) int {
	return strings.Count(l.String(), `"msg":"`+msg+`"`)
}

// waitFor polls cond until it holds, failing the test after 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
