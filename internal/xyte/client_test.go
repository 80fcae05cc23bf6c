package xyte

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// wire records what an httptest upstream received.
type wire struct {
	mu   sync.Mutex
	reqs []wireRequest
}

type wireRequest struct {
	method, uri, body string
	header            http.Header
}

func (w *wire) last(t *testing.T) wireRequest {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.reqs) == 0 {
		t.Fatal("upstream received no request")
	}
	return w.reqs[len(w.reqs)-1]
}

func (w *wire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.reqs)
}

// newUpstream starts an upstream that records requests and answers with h.
func newUpstream(t *testing.T, h http.HandlerFunc) (*Client, *wire) {
	t.Helper()
	w := &wire{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.reqs = append(w.reqs, wireRequest{r.Method, r.RequestURI, string(body), r.Header.Clone()})
		w.mu.Unlock()
		h(rw, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Options{BaseURL: srv.URL + "/core/v1/organization", Key: "k-org-1",
		PartnerKey: "k-partner-1", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, w
}

func okJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func TestWireRules(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, okJSON(`{"id":"c1","status":"pending"}`))
	ctx := context.Background()

	if _, err := c.GetDevice(ctx, "d 1ü;x=1&y"); err != nil {
		t.Fatal(err)
	}
	got := w.last(t)
	if got.uri != "/core/v1/organization/devices/d%201%C3%BC%3Bx=1&y" {
		t.Fatalf("request URI %q", got.uri)
	}
	if got.header.Get("Authorization") != "k-org-1" || got.header.Get("Accept") != "application/json" {
		t.Fatalf("headers %v", got.header)
	}
	if got.header.Get("Content-Type") != "" || got.body != "" {
		t.Fatalf("GET carried a body or content type: %q %v", got.body, got.header)
	}

	if _, err := c.SendCommand(ctx, "d1", SendCommandRequest{Name: "reboot"}); err != nil {
		t.Fatal(err)
	}
	got = w.last(t)
	if got.method != "POST" || got.header.Get("Content-Type") != "application/json" ||
		got.body != `{"name":"reboot"}` {
		t.Fatalf("POST %s %v %q", got.method, got.header, got.body)
	}

	if _, err := c.CancelCommand(ctx, "d1", "c1"); err != nil {
		t.Fatal(err)
	}
	if got = w.last(t); got.method != "DELETE" || got.body != "" || got.header.Get("Content-Type") != "" {
		t.Fatalf("DELETE carried a body: %q", got.body)
	}

	if _, err := c.Call(ctx, "partner.devices.getDevices", Request{}); err != nil {
		t.Fatal(err)
	}
	if got = w.last(t); got.uri != "/core/v1/partner/devices" ||
		got.header.Get("Authorization") != "k-partner-1" {
		t.Fatalf("partner call %q with %q", got.uri, got.header.Get("Authorization"))
	}
}

func TestQueryBuiltFromValues(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, okJSON(`{"items":[],"has_next_page":false}`))
	from := time.Unix(1_700_000_000, 0)
	_, err := c.SearchHistories(context.Background(), HistoryQuery{From: from,
		To: from.Add(24 * time.Hour), Name: "a&b=c", PerPage: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := "/core/v1/organization/devices/histories?from=1700000000&name=a%26b%3Dc&per_page=1000&to=1700086400"
	if got := w.last(t).uri; got != want {
		t.Fatalf("got %s", got)
	}
}

func TestRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, okJSON(`{}`))
	ctx := context.Background()
	now := time.Now()
	calls := map[string]func() error{
		"empty id":   func() error { _, err := c.GetDevice(ctx, ""); return err },
		"spaces":     func() error { _, err := c.GetDevice(ctx, "   "); return err },
		"dot":        func() error { _, err := c.GetDevice(ctx, "."); return err },
		"dot dot":    func() error { _, err := c.GetTicket(ctx, ".."); return err },
		"control":    func() error { _, err := c.GetDevice(ctx, "d1\r\nHost: x"); return err },
		"lead space": func() error { _, err := c.GetDevice(ctx, " d1"); return err },
		"bad utf8":   func() error { _, err := c.GetDevice(ctx, "d\xff"); return err },
		"per_page":   func() error { _, err := c.ListDevices(ctx, ListDevicesOptions{PerPage: 101}); return err },
		"long window": func() error {
			_, err := c.SearchHistories(ctx, HistoryQuery{From: now.Add(-32 * 24 * time.Hour), To: now})
			return err
		},
		"reversed": func() error {
			_, err := c.SearchHistories(ctx, HistoryQuery{From: now, To: now.Add(-time.Hour)})
			return err
		},
		"no command":   func() error { _, err := c.SendCommand(ctx, "d1", SendCommandRequest{}); return err },
		"claim space":  func() error { _, err := c.ClaimDevice(ctx, ClaimDeviceRequest{Name: "x"}); return err },
		"empty update": func() error { _, err := c.UpdateDevice(ctx, "d1", UpdateDeviceRequest{}); return err },
		"unknown key":  func() error { _, err := c.Call(ctx, "devices.nope", Request{}); return err },
		"get body": func() error {
			_, err := c.Call(ctx, "devices.getDevices", Request{Body: map[string]int{"a": 1}})
			return err
		},
		"no key": func() error { _, err := c.WithKey("").GetDevice(ctx, "d1"); return err },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrInvalidArgument) || !IsValidation(err) {
			t.Errorf("%s: got %v, want an invalid argument", name, err)
		}
	}
	if n := w.count(); n != 0 {
		t.Fatalf("upstream received %d requests", n)
	}
}

func TestErrorsClassifiedAndClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		body   string
		header map[string]string
		code   Code
		msg    string
		retry  time.Duration
	}{
		{404, `{"error":"Device not found"}`, nil, CodeNotFound, "Device not found", 0},
		{401, `{"error":"bad key k-org-1 given"}`, nil, CodeUnauthorized, "bad key [REDACTED] given", 0},
		{403, `{"message":"not allowed"}`, nil, CodeForbidden, "not allowed", 0},
		{422, `{"error":"per_page too large"}`, nil, CodeInvalidParams, "per_page too large", 0},
		{400, `{"errors":{"name":["blank"]}}`, nil, CodeInvalidParams, "", 0},
		{429, `{"error":"slow down"}`, map[string]string{"Retry-After": "7"}, CodeRateLimited, "slow down", 7 * time.Second},
		{500, `<html>Internal error for k-org-1</html>`, nil, CodeUpstream, "", 0},
		{502, `{"error":"` + strings.Repeat("x", 500) + `"}`, nil, CodeUpstream, strings.Repeat("x", 200) + "...", 0},
	}
	for _, tt := range tests {
		c, _ := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range tt.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(tt.status)
			_, _ = io.WriteString(w, tt.body)
		})
		_, err := c.GetDevice(context.Background(), "d1")
		var xe *Error
		if !errors.As(err, &xe) {
			t.Fatalf("%d: got %v", tt.status, err)
		}
		if xe.Code() != tt.code || xe.Message != tt.msg || xe.RetryAfter != tt.retry || xe.StatusCode != tt.status {
			t.Errorf("%d: got code %s msg %q retry %v", tt.status, xe.Code(), xe.Message, xe.RetryAfter)
		}
		if strings.Contains(err.Error(), "k-org-1") || strings.Contains(err.Error(), "<html>") {
			t.Errorf("%d: error text leaks: %s", tt.status, err)
		}
		if !strings.Contains(err.Error(), "devices.getDevice") {
			t.Errorf("%d: error text lacks the endpoint: %s", tt.status, err)
		}
	}
}

func TestRetryAfterDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	if got := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); got != 90*time.Second {
		t.Fatalf("got %v", got)
	}
	for _, v := range []string{"", "-3", "soon", now.Add(-time.Minute).Format(http.TimeFormat)} {
		if got := parseRetryAfter(v, now); got != 0 {
			t.Fatalf("%q: got %v", v, got)
		}
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c, _ := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c.timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := c.GetDevice(context.Background(), "d1")
	if !IsTimeout(err) || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
	var xe *Error
	if !errors.As(err, &xe) || !xe.Sent {
		t.Fatalf("a request that hung after sending must say it was sent: %#v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := c.WithKey("other").GetDevice(ctx, "d1"); !IsTimeout(err) {
		t.Fatalf("cancel: got %v", err)
	}
}

func TestNetworkError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := New(Options{BaseURL: url, Key: "k-org-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDevice(context.Background(), "d1")
	var xe *Error
	if !IsNetwork(err) || !errors.As(err, &xe) || xe.Sent {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(fmt.Sprint(c), "k-org-1") || strings.Contains(fmt.Sprintf("%#v", c), "k-org-1") {
		t.Fatal("printing the client shows its key")
	}
}

func TestBaseURLForms(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                     "https://hub.xyte.io/core/v1/organization",
		"https://hub.xyte.io":  "https://hub.xyte.io/core/v1/organization",
		"https://hub.xyte.io/": "https://hub.xyte.io/core/v1/organization",
		"http://127.0.0.1:9090/core/v1/organization/": "http://127.0.0.1:9090/core/v1/organization",
		"http://proxy.test/xyte":                      "http://proxy.test/xyte/core/v1/organization",
	} {
		c, err := New(Options{BaseURL: in})
		if err != nil || c.BaseURL() != want {
			t.Errorf("%q: got %v %v", in, c, err)
		}
	}
	for _, bad := range []string{"hub.xyte.io", "ftp://x", "https://user:pw@hub.xyte.io", "https://h/?a=1"} {
		if _, err := New(Options{BaseURL: bad}); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestHistoryWindowWithOnlyEnd(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, okJSON(`{"items":[]}`))
	to := time.Unix(1_600_000_000, 0)
	if _, err := c.SearchHistories(context.Background(), HistoryQuery{To: to}); err != nil {
		t.Fatal(err)
	}
	if got := w.last(t).uri; !strings.Contains(got, "from=1599395200") {
		t.Fatalf("an old end alone must come with a start a week before it: %s", got)
	}
}

func TestTenantClientHasNoPartnerKey(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, okJSON(`{}`))
	_, err := c.WithKey("tenant-key").Call(context.Background(), "partner.devices.getDevices", Request{})
	if !IsValidation(err) || w.count() != 0 {
		t.Fatalf("a tenant's client used the operator's partner key: %v", err)
	}
}
