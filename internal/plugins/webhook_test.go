package plugins

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
)

var testSecret = []byte("webhook-test-secret-0123456789")

// testReceiver is a local webhook receiver that verifies each delivery's
// signature and fails the first failFirst ones with 503.
type testReceiver struct {
	failFirst int

	mu        sync.Mutex
	attempts  int
	delivered []WebhookPayload
	ids       []string // X-Xyte-Delivery of each attempt
	bad       []string // what was wrong with refused deliveries
}

func (rc *testReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	rc.ids = append(rc.ids, r.Header.Get(DeliveryHeader))
	_, _, err := events.Verify(testSecret, r.Header.Get(events.SignatureHeader), body,
		time.Now(), events.DefaultTolerance)
	if err != nil {
		rc.bad = append(rc.bad, err.Error())
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if rc.attempts <= rc.failFirst {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var p WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		rc.bad = append(rc.bad, err.Error())
	}
	rc.delivered = append(rc.delivered, p)
	w.WriteHeader(http.StatusNoContent)
}

func (rc *testReceiver) snapshot() (int, []WebhookPayload, []string, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.attempts, append([]WebhookPayload(nil), rc.delivered...),
		append([]string(nil), rc.ids...), append([]string(nil), rc.bad...)
}

func startWebhook(t *testing.T, opts WebhookOptions, reg *prometheus.Registry) *Manager {
	t.Helper()
	return startLoggedWebhook(t, opts, reg, nil)
}

// startLoggedWebhook is startWebhook with the manager's logger.
func startLoggedWebhook(t *testing.T, opts WebhookOptions, reg *prometheus.Registry,
	logger *slog.Logger) *Manager {
	t.Helper()
	opts.Secret = testSecret
	opts.MinBackoff, opts.MaxBackoff = 10*time.Millisecond, 50*time.Millisecond
	m, err := NewManager(ManagerOptions{Names: []string{"webhook"}, Webhook: opts,
		Registerer: reg, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWebhookRetriesUntilDelivered: the receiver fails twice, then takes
// the delivery; every attempt is signed and carries the same delivery id.
func TestWebhookRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	rc := &testReceiver{failFirst: 2}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	m := startWebhook(t, WebhookOptions{URLs: []string{srv.URL + "/hook?token=x"}},
		prometheus.NewRegistry())

	e := events.Event{ID: "1-0", Type: "device.offline", Data: json.RawMessage(`{"d":1}`)}
	m.Event("tenant-a", e)
	eventually(t, "the event's delivery", func() bool {
		_, delivered, _, _ := rc.snapshot()
		return len(delivered) == 1
	})
	m.Audit(AuditRecord{Tenant: "tenant-a", Action: "reboot_device", Targets: []string{"d1"},
		Outcome: OutcomeSuccess})
	eventually(t, "the audit record's delivery", func() bool {
		_, delivered, _, _ := rc.snapshot()
		return len(delivered) == 2
	})
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	attempts, delivered, ids, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("receiver refused deliveries: %v", bad)
	}
	if attempts != 4 || ids[0] == "" || ids[0] != ids[1] || ids[1] != ids[2] || ids[2] == ids[3] {
		t.Fatalf("%d attempts with delivery ids %v; want 3 of one delivery, then another",
			attempts, ids)
	}
	ev, au := delivered[0], delivered[1]
	if ev.Kind != "event" || ev.Tenant != "tenant-a" || ev.Event == nil ||
		ev.Event.ID != "1-0" || string(ev.Event.Data) != `{"d":1}` {
		t.Fatalf("event delivery %+v", ev)
	}
	if au.Kind != "audit" || au.Audit == nil || au.Audit.Action != "reboot_device" ||
		au.Audit.Targets[0] != "d1" {
		t.Fatalf("audit delivery %+v", au)
	}
}

// TestWebhookReceiverDown: deliveries to a receiver that is down never slow
// the caller; the ones that run out of attempts are counted.
func TestWebhookReceiverDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	down := srv.URL
	srv.Close()
	reg := prometheus.NewRegistry()
	m := startWebhook(t, WebhookOptions{URLs: []string{down}, MaxAttempts: 2, QueueSize: 2}, reg)

	start := time.Now()
	for range 100 {
		m.Event("tenant-a", events.Event{ID: "1-0", Type: "x", Data: json.RawMessage(`{}`)})
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Fatalf("100 events to a receiver that is down took %s", took)
	}
	eventually(t, "failed deliveries counted", func() bool {
		return failures(t, reg, "webhook", KindDelivery) >= 1 &&
			failures(t, reg, "webhook", KindDropped) >= 1
	})
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestWebhookStopAbandonsAtDeadline: Stop returns at its deadline even when
// a receiver keeps failing and deliveries are waiting to be retried.
func TestWebhookStopAbandonsAtDeadline(t *testing.T) {
	t.Parallel()
	rc := &testReceiver{failFirst: 1 << 30}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	m := startWebhook(t, WebhookOptions{URLs: []string{srv.URL}, MaxAttempts: 1000},
		prometheus.NewRegistry())
	m.Event("tenant-a", events.Event{ID: "1-0", Type: "x", Data: json.RawMessage(`{}`)})
	eventually(t, "a first attempt", func() bool { n, _, _, _ := rc.snapshot(); return n > 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := m.Stop(ctx)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Stop took %s", took)
	}
	if err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Fatalf("Stop: %v", err)
	}
}

func TestWebhookOptionErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts WebhookOptions
		want string
	}{
		{"no secret", WebhookOptions{URLs: []string{"http://127.0.0.1:1"}}, "XYTE_WEBHOOK_SECRET"},
		{"short secret", WebhookOptions{URLs: []string{"http://127.0.0.1:1"},
			Secret: []byte("short")}, "XYTE_WEBHOOK_SECRET"},
		{"no URL", WebhookOptions{Secret: testSecret}, "XYTE_WEBHOOK_URLS"},
		{"not http", WebhookOptions{Secret: testSecret,
			URLs: []string{"http://127.0.0.1:1", "ftp://user:pw@host/x"}}, "entry 2"},
	}
	for _, tc := range cases {
		_, err := NewManager(ManagerOptions{Names: []string{"webhook"}, Webhook: tc.opts})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %s", tc.name, err, tc.want)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "pw") || strings.Contains(msg, string(testSecret)) {
			t.Errorf("%s: the error leaks a secret: %v", tc.name, err)
		}
	}
}

// TestWebhookGivesUpOnRefusal: an answer that says the delivery will never
// be taken (a 4xx, or a redirect, which is never followed: it could carry
// the signed payload elsewhere) ends the delivery after one attempt; the
// failure is counted and logged without the receiver's URL.
func TestWebhookGivesUpOnRefusal(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		elsewhere.Add(1)
	}))
	t.Cleanup(other.Close) // after the parallel subtests
	answers := map[string]http.HandlerFunc{
		"gone": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) },
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/collect", http.StatusTemporaryRedirect)
		},
	}
	want := map[string]string{"gone": "receiver answered 410", "redirect": "receiver answered 307"}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var attempts atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				attempts.Add(1)
				answer(w, r)
			}))
			defer srv.Close()
			reg := prometheus.NewRegistry()
			var logs syncBuffer
			m := startLoggedWebhook(t, WebhookOptions{URLs: []string{srv.URL + "/hook?token=tok-123"}},
				reg, slog.New(slog.NewJSONHandler(&logs, nil)))
			m.Event("tenant-a", events.Event{ID: "1-0", Type: "x", Data: json.RawMessage(`{}`)})
			eventually(t, "the failure counted", func() bool {
				return failures(t, reg, "webhook", KindDelivery) == 1
			})
			if err := m.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := attempts.Load(); n != 1 {
				t.Fatalf("%d attempts, want 1", n)
			}
			line := logs.String()
			if !strings.Contains(line, "giving up after 1 attempts: "+want[name]) ||
				strings.Contains(line, "tok-123") {
				t.Fatalf("log: %s", line)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Fatalf("a redirect was followed %d times", n)
			}
		})
	}
}

// TestWebhookRetryAfterIsCapped: a receiver's Retry-After is honoured up to
// MaxBackoff, so that one answer cannot hold the receiver's queue for an
// hour.
func TestWebhookRetryAfterIsCapped(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if attempts.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	reg := prometheus.NewRegistry()
	m := startWebhook(t, WebhookOptions{URLs: []string{srv.URL}}, reg)
	m.Audit(AuditRecord{Tenant: "tenant-a", Action: "delete_device", Outcome: OutcomeSuccess})
	eventually(t, "the second attempt", func() bool { return attempts.Load() == 2 })
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := failures(t, reg, "webhook", KindDelivery); got != 0 {
		t.Fatalf("%v delivery failures", got)
	}
}
