package events

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

var testSecret = []byte("0123456789abcdef-test-secret")

// post sends body to url as tenant key, with sig as the signature header
// if set, and returns the status and decoded JSON body.
func post(t *testing.T, url, key, sig, body string) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	if sig != "" {
		req.Header.Set(SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]string
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer is not a JSON object of strings: %s", raw)
	}
	return resp.StatusCode, out
}

func newIntake(t *testing.T, opts IntakeOptions) string {
	t.Helper()
	in, err := NewIntake(opts)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, in).URL
}

func TestIntakeStoresEvent(t *testing.T) {
	t.Parallel()
	bus := NewMemoryBus(Options{})
	url := newIntake(t, IntakeOptions{Bus: bus})
	key := "key-a"
	status, out := post(t, url, key, "",
		`{"type":"device.offline","data":{"id":"d1"},"occurred_at":"2026-03-04T05:06:07Z"}`)
	if status != http.StatusAccepted || out["id"] == "" {
		t.Fatalf("status %d, body %v", status, out)
	}
	evs, _ := bus.Since(context.Background(), tenant.Hash(key), "0", 0)
	if len(evs) != 1 || evs[0].ID != out["id"] || string(evs[0].Data) != `{"id":"d1"}` ||
		evs[0].OccurredAt.Format(time.RFC3339) != "2026-03-04T05:06:07Z" {
		t.Fatalf("stored %+v", evs)
	}
}

func TestIntakeRefusesBadEvents(t *testing.T) {
	t.Parallel()
	bus := NewMemoryBus(Options{})
	url := newIntake(t, IntakeOptions{Bus: bus, MaxBodyBytes: 512})
	key := "key-bad"
	cases := []struct {
		name   string
		body   string
		status int
		code   string
		msg    string // in the message; any message if empty
	}{
		{"bad json", `{"type":`, 400, CodeInvalidEvent, "the body is empty or cut short"},
		{"syntax error", `{"type" "a"}`, 400, CodeInvalidEvent, "invalid JSON at byte 9"},
		{"not an object", `["x"]`, 400, CodeInvalidEvent, ""},
		{"two objects", `{"type":"a"}{"type":"b"}`, 400, CodeInvalidEvent, "exactly one JSON object"},
		{"unknown field", `{"type":"a","extra":1}`, 400, CodeInvalidEvent, `unknown field "extra"`},
		{"missing type", `{"data":{}}`, 400, CodeInvalidEvent, "type is required"},
		{"type not a string", `{"type":5}`, 400, CodeInvalidEvent, "type has the wrong JSON type"},
		{"odd type", `{"type":"device offline"}`, 400, CodeInvalidEvent, "type must be"},
		{"newline in type", `{"type":"a\nevent: x"}`, 400, CodeInvalidEvent, ""},
		{"type too long", `{"type":"` + strings.Repeat("a", 65) + `"}`, 400, CodeInvalidEvent, ""},
		{"bad occurred_at", `{"type":"a","occurred_at":"yesterday"}`, 400, CodeInvalidEvent, "RFC 3339"},
		{"empty body", ``, 400, CodeInvalidEvent, ""},
		{"too large", `{"type":"a","data":"` + strings.Repeat("x", 600) + `"}`, 413, CodeTooLarge,
			"larger than 512 bytes"},
	}
	for _, tc := range cases {
		status, out := post(t, url, key, "", tc.body)
		if status != tc.status || out["error"] != tc.code || out["message"] == "" ||
			!strings.Contains(out["message"], tc.msg) {
			t.Errorf("%s: status %d, body %v; want %d %s %q", tc.name, status, out, tc.status, tc.code,
				tc.msg)
		}
	}
	if evs, _ := bus.Since(context.Background(), tenant.Hash(key), "0", 0); len(evs) != 0 {
		t.Fatalf("refused requests stored %d events", len(evs))
	}
}

// TestIntakeBodyLimits: bodies past the limit are refused however they
// arrive, and a body cut short is a bad request.
func TestIntakeBodyLimits(t *testing.T) {
	t.Parallel()
	in, err := NewIntake(IntakeOptions{Bus: NewMemoryBus(Options{}), MaxBodyBytes: 512})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, in).URL
	edge := serve(t, http.MaxBytesHandler(in, 100)).URL // the server's own, lower limit
	big := `{"type":"a","data":"` + strings.Repeat("x", 300) + `"}`
	chunked := func(url, body string) *http.Request {
		// A reader of unknown length: sent chunked, with no Content-Length.
		req, _ := http.NewRequest(http.MethodPost, url, io.MultiReader(strings.NewReader(body)))
		req.Header.Set("Authorization", "key-limits")
		return req
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"chunked past the limit", chunked(url, big+strings.Repeat(" ", 300)), 413, CodeTooLarge},
		{"past the server's limit", chunked(edge, big), 413, CodeTooLarge},
		{"within both", chunked(url, `{"type":"a"}`), 202, ""},
	}
	for _, tc := range cases {
		resp, err := http.DefaultClient.Do(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != tc.status || out["error"] != tc.code {
			t.Errorf("%s: status %d, body %v; want %d %s", tc.name, resp.StatusCode, out, tc.status, tc.code)
		}
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: key-limits\r\n"+
		"Content-Length: 100\r\n\r\n{\"type\":")
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), `"error":"invalid_event"`) ||
		!strings.Contains(string(raw), "read request body") {
		t.Fatalf("body cut short: status %d, %s", resp.StatusCode, raw)
	}
}

func TestIntakeOnlyPost(t *testing.T) {
	t.Parallel()
	url := newIntake(t, IntakeOptions{Bus: NewMemoryBus(Options{})})
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "key-get")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost ||
		out["error"] != CodeMethod {
		t.Fatalf("GET: status %d, Allow %q, body %v", resp.StatusCode, resp.Header.Get("Allow"), out)
	}
}

func TestHandlersRefuseBadOptions(t *testing.T) {
	t.Parallel()
	bus := NewMemoryBus(Options{})
	if _, err := NewIntake(IntakeOptions{}); err == nil || !strings.Contains(err.Error(), "a bus is required") {
		t.Errorf("intake without a bus: %v", err)
	}
	_, err := NewIntake(IntakeOptions{Bus: bus, Secret: []byte("short")})
	if err == nil || !strings.Contains(err.Error(), "at least 16 bytes") {
		t.Errorf("intake with a short secret: %v", err)
	}
	if _, err := NewStream(StreamOptions{}); err == nil || !strings.Contains(err.Error(), "a bus is required") {
		t.Errorf("stream without a bus: %v", err)
	}
}

func TestIntakeNeedsTenant(t *testing.T) {
	t.Parallel()
	url := newIntake(t, IntakeOptions{Bus: NewMemoryBus(Options{})})
	status, out := post(t, url, "", "", `{"type":"a"}`)
	if status != http.StatusUnauthorized || out["error"] != CodeMissingKey {
		t.Fatalf("status %d, body %v", status, out)
	}
}

func TestIntakeSignatures(t *testing.T) {
	t.Parallel()
	bus := NewMemoryBus(Options{})
	url := newIntake(t, IntakeOptions{Bus: bus, Secret: testSecret})
	key := "key-signed"
	now := time.Now()
	body := func(n string) string { return `{"type":"signed","data":{"n":"` + n + `"}}` }
	cases := []struct {
		name   string
		body   string
		sig    func(body string) string
		status int
		code   string
	}{
		{"valid", body("1"), func(b string) string { return Sign(testSecret, now, []byte(b)) },
			202, ""},
		{"missing", body("2"), func(string) string { return "" }, 401, CodeInvalidSignature},
		{"malformed", body("3"), func(string) string { return "v1=abc" }, 401,
			CodeInvalidSignature},
		{"wrong secret", body("4"), func(b string) string {
			return Sign([]byte("another-secret-of-16+"), now, []byte(b))
		}, 401, CodeInvalidSignature},
		{"other body", body("5"), func(string) string {
			return Sign(testSecret, now, []byte(body("6")))
		}, 401, CodeInvalidSignature},
		{"stale", body("7"), func(b string) string {
			return Sign(testSecret, now.Add(-6*time.Minute), []byte(b))
		}, 401, CodeStaleSignature},
		{"from the future", body("8"), func(b string) string {
			return Sign(testSecret, now.Add(6*time.Minute), []byte(b))
		}, 401, CodeStaleSignature},
		{"rotation: second v1 matches", body("9"), func(b string) string {
			good := Sign(testSecret, now, []byte(b))
			return strings.Replace(good, "v1=", "v1="+strings.Repeat("0", 64)+",v1=", 1)
		}, 202, ""},
	}
	for _, tc := range cases {
		status, out := post(t, url, key, tc.sig(tc.body), tc.body)
		if status != tc.status || out["error"] != tc.code {
			t.Errorf("%s: status %d, body %v; want %d %q", tc.name, status, out, tc.status, tc.code)
		}
	}
	if evs, _ := bus.Since(context.Background(), tenant.Hash(key), "0", 0); len(evs) != 2 {
		t.Fatalf("stored %d events, want the 2 validly signed", len(evs))
	}
}

func TestIntakeRefusesReplay(t *testing.T) {
	t.Parallel()
	bus := NewMemoryBus(Options{})
	url := newIntake(t, IntakeOptions{Bus: bus, Secret: testSecret})
	body := `{"type":"once"}`
	sig := Sign(testSecret, time.Now(), []byte(body))
	if status, out := post(t, url, "key-r", sig, body); status != http.StatusAccepted {
		t.Fatalf("first delivery: %d %v", status, out)
	}
	status, out := post(t, url, "key-r", sig, body)
	if status != http.StatusConflict || out["error"] != CodeReplayed {
		t.Fatalf("replay: %d %v", status, out)
	}
	if evs, _ := bus.Since(context.Background(), tenant.Hash("key-r"), "0", 0); len(evs) != 1 {
		t.Fatalf("stored %d events", len(evs))
	}
}

// TestIntakeReplaySharedThroughRedis: a delivery accepted by one replica is
// refused by another that shares the Redis.
func TestIntakeReplaySharedThroughRedis(t *testing.T) {
	t.Parallel()
	rdb := redisClient(t)
	key := uniqueKey(t)
	replicas := make([]string, 2)
	for i := range replicas {
		replicas[i] = newIntake(t, IntakeOptions{Bus: newRedisBus(t, Options{}),
			Secret: testSecret, Replay: NewRedisReplayGuard(rdb)})
	}
	body := `{"type":"shared","data":{"tenant":"` + tenant.Hash(key) + `"}}`
	sig := Sign(testSecret, time.Now(), []byte(body))
	_, sigHex, err := Verify(testSecret, sig, []byte(body), time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Del(context.Background(), ReplayKeyPrefix+sigHex) })

	if status, out := post(t, replicas[0], key, sig, body); status != http.StatusAccepted {
		t.Fatalf("replica 1: %d %v", status, out)
	}
	if status, out := post(t, replicas[1], key, sig, body); status != http.StatusConflict {
		t.Fatalf("replica 2 accepted a replay: %d %v", status, out)
	}
	ttl, _ := rdb.PTTL(context.Background(), ReplayKeyPrefix+sigHex).Result()
	if ttl <= 0 || ttl > DefaultTolerance+2*time.Second {
		t.Fatalf("replay key TTL %s", ttl)
	}
}

// TestIntakeStoreFailureForgetsSignature: when the event cannot be stored
// (the bus's Redis is down), the sender's retry with the same signature is
// not taken for a replay, whichever guard remembers signatures.
func TestIntakeStoreFailureForgetsSignature(t *testing.T) {
	t.Parallel()
	guards := map[string]ReplayGuard{
		"memory": NewMemoryReplayGuard(0),
		"redis":  NewRedisReplayGuard(redisClient(t)),
	}
	for name, guard := range guards {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			logs := &logLines{}
			bus := newProxiedRedisBus(t, newRedisProxy(t, true), Options{})
			url := newIntake(t, IntakeOptions{Bus: bus, Secret: testSecret, Replay: guard,
				Logger: logs.logger()})
			body := `{"type":"retry.me","data":{"guard":"` + name + `","at":"` + rand.Text() + `"}}`
			sig := Sign(testSecret, time.Now(), []byte(body))
			for range 2 {
				status, out := post(t, url, "key-f", sig, body)
				if status != 503 || out["error"] != CodeUnavailable {
					t.Fatalf("status %d %v, want 503 unavailable both times", status, out)
				}
			}
			if n := logs.count("event not stored"); n != 2 {
				t.Fatalf("logged %d store failures, want 2", n)
			}
		})
	}
}

// TestIntakeReplayGuardUnavailable: when replays cannot be checked, a
// signed delivery is refused with 503 and nothing is stored.
func TestIntakeReplayGuardUnavailable(t *testing.T) {
	t.Parallel()
	full := NewMemoryReplayGuard(1)
	if _, err := full.Claim(context.Background(), "earlier delivery", time.Hour); err != nil {
		t.Fatal(err)
	}
	down := redis.NewClient(&redis.Options{Addr: newRedisProxy(t, true).ln.Addr().String(),
		MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	guards := map[string]ReplayGuard{"memory guard full": full, "Redis down": NewRedisReplayGuard(down)}
	for name, guard := range guards {
		logs := &logLines{}
		bus := NewMemoryBus(Options{})
		url := newIntake(t, IntakeOptions{Bus: bus, Secret: testSecret, Replay: guard,
			Logger: logs.logger()})
		body := `{"type":"unchecked"}`
		status, out := post(t, url, "key-g", Sign(testSecret, time.Now(), []byte(body)), body)
		if status != 503 || out["error"] != CodeUnavailable {
			t.Errorf("%s: status %d %v, want 503 unavailable", name, status, out)
		}
		if evs, _ := bus.Since(context.Background(), tenant.Hash("key-g"), "0", 0); len(evs) != 0 {
			t.Errorf("%s: stored %d events", name, len(evs))
		}
		if n := logs.count("event replay guard unavailable"); n != 1 {
			t.Errorf("%s: logged %d times", name, n)
		}
	}
}

// TestMemoryReplayGuardFreesExpired: a full guard makes room by forgetting
// expired signatures, never unexpired ones.
func TestMemoryReplayGuardFreesExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	g := NewMemoryReplayGuard(2)
	g.now = func() time.Time { return now }
	for _, k := range []string{"a", "b"} {
		if fresh, err := g.Claim(ctx, k, time.Minute); !fresh || err != nil {
			t.Fatalf("claim %s: %v %v", k, fresh, err)
		}
	}
	if _, err := g.Claim(ctx, "c", time.Minute); !errors.Is(err, errReplayFull) {
		t.Fatalf("claim past the bound: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if fresh, err := g.Claim(ctx, "c", time.Hour); !fresh || err != nil {
		t.Fatalf("claim after a and b expired: %v %v", fresh, err)
	}
	if fresh, err := g.Claim(ctx, "c", time.Hour); fresh || err != nil {
		t.Fatalf("a replay of c: fresh=%v %v", fresh, err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"x"}`)
	good := Sign(testSecret, now, body)
	cases := []struct {
		name   string
		header string
		want   error
	}{
		{"valid", good, nil},
		{"upper-case hex", good[:strings.Index(good, "v1=")+3] +
			strings.ToUpper(good[strings.Index(good, "v1=")+3:]), nil},
		{"empty", "", ErrNoSignature},
		{"no time", good[strings.Index(good, ",")+1:], ErrNoSignature},
		{"time not a number", "t=abc," + good[strings.Index(good, ",")+1:], ErrNoSignature},
		{"not hex", "t=1800000000,v1=zz", ErrBadSignature},
		{"truncated", good[:len(good)-2], ErrBadSignature},
		{"unknown keys ignored", good + ",v0=abc", nil},
	}
	for _, tc := range cases {
		_, _, err := Verify(testSecret, tc.header, body, now, time.Minute)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, _, err := Verify(testSecret, good+strings.Repeat(",v0=0", 250), body, now,
		time.Minute); !errors.Is(err, ErrNoSignature) {
		t.Errorf("a header past 1 KiB: %v", err)
	}
	if _, _, err := Verify(testSecret, good, body, now.Add(61*time.Second),
		time.Minute); !errors.Is(err, ErrStaleSignature) {
		t.Errorf("stale: %v", err)
	}
}
