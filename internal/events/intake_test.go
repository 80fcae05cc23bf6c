package events

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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
	}{
		{"bad json", `{"type":`, 400, CodeInvalidEvent},
		{"not an object", `["x"]`, 400, CodeInvalidEvent},
		{"two objects", `{"type":"a"}{"type":"b"}`, 400, CodeInvalidEvent},
		{"unknown field", `{"type":"a","extra":1}`, 400, CodeInvalidEvent},
		{"missing type", `{"data":{}}`, 400, CodeInvalidEvent},
		{"type not a string", `{"type":5}`, 400, CodeInvalidEvent},
		{"odd type", `{"type":"device offline"}`, 400, CodeInvalidEvent},
		{"newline in type", `{"type":"a\nevent: x"}`, 400, CodeInvalidEvent},
		{"type too long", `{"type":"` + strings.Repeat("a", 65) + `"}`, 400, CodeInvalidEvent},
		{"bad occurred_at", `{"type":"a","occurred_at":"yesterday"}`, 400, CodeInvalidEvent},
		{"empty body", ``, 400, CodeInvalidEvent},
		{"too large", `{"type":"a","data":"` + strings.Repeat("x", 600) + `"}`, 413, CodeTooLarge},
	}
	for _, tc := range cases {
		status, out := post(t, url, key, "", tc.body)
		if status != tc.status || out["error"] != tc.code || out["message"] == "" {
			t.Errorf("%s: status %d, body %v; want %d %s", tc.name, status, out, tc.status, tc.code)
		}
	}
	if evs, _ := bus.Since(context.Background(), tenant.Hash(key), "0", 0); len(evs) != 0 {
		t.Fatalf("refused requests stored %d events", len(evs))
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

// TestIntakeStoreFailureForgetsSignature: when the event cannot be stored,
// the sender's retry with the same signature is not taken for a replay.
func TestIntakeStoreFailureForgetsSignature(t *testing.T) {
	t.Parallel()
	guard := NewMemoryReplayGuard(0)
	bus := newBus(failingStore{}, Options{}.withDefaults())
	url := newIntake(t, IntakeOptions{Bus: bus, Secret: testSecret, Replay: guard})
	body := `{"type":"retry.me"}`
	sig := Sign(testSecret, time.Now(), []byte(body))
	for range 2 {
		if status, out := post(t, url, "key-f", sig, body); status != 503 {
			t.Fatalf("status %d %v, want 503 both times", status, out)
		}
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
	if _, _, err := Verify(testSecret, good, body, now.Add(61*time.Second),
		time.Minute); !errors.Is(err, ErrStaleSignature) {
		t.Errorf("stale: %v", err)
	}
}

// failingStore fails every call, as a Redis that is down would.
type failingStore struct{}

var errDown = errors.New("store down")

func (failingStore) append(context.Context, string, Event) (Event, error) {
	return Event{}, errDown
}

func (failingStore) after(context.Context, string, position, int) ([]Event, error) {
	return nil, errDown
}

func (failingStore) latest(context.Context, string, int) ([]Event, error) { return nil, errDown }
func (failingStore) watch(context.Context, string) (watcher, error)       { return nil, errDown }
func (failingStore) close() error                                         { return nil }

func (failingStore) last(context.Context, string) (position, error) {
	return position{}, errDown
}
