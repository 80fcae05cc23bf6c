package xyte

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
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
	ctx := context.Background()
	from := time.Unix(1_700_000_000, 0)
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"histories", func() error {
			_, err := c.SearchHistories(ctx, HistoryQuery{From: from, To: from.Add(24 * time.Hour),
				Name: "a&b=c", PerPage: 1000})
			return err
		}, "/core/v1/organization/devices/histories?from=1700000000&name=a%26b%3Dc&per_page=1000&to=1700086400"},
		{"spaces, times in UTC", func() error {
			_, err := c.ListSpaces(ctx, ListSpacesOptions{Page: 2, ParentID: 7, Name: "Room 1",
				CreatedAfter:  time.Date(2025, 1, 2, 10, 0, 0, 0, berlin),
				CreatedBefore: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)})
			return err
		}, "/core/v1/organization/spaces?created_after=2025-01-02T09%3A00%3A00Z" +
			"&created_before=2025-02-01T00%3A00%3A00Z&name=Room+1&page=2&parent_id=7"},
		{"incidents", func() error {
			_, err := c.ListIncidents(ctx, ListIncidentsOptions{From: from, PageSize: 500,
				Status: "active", Priority: "high", DeviceModel: "X/1"})
			return err
		}, "/core/v1/organization/incidents?device_model=X%2F1&from=1700000000&page_size=500" +
			"&priority=high&status=active"},
	}
	for _, tt := range tests {
		if err := tt.call(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := w.last(t).uri; got != tt.want {
			t.Errorf("%s: got %s\nwant %s", tt.name, got, tt.want)
		}
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
		"no key":  func() error { _, err := c.WithKey("").GetDevice(ctx, "d1"); return err },
		"long id": func() error { _, err := c.GetDevice(ctx, strings.Repeat("d", 257)); return err },
		"no path value": func() error {
			_, err := c.Call(ctx, "devices.getDevice", Request{})
			return err
		},
		"non-integer space": func() error {
			_, err := c.Call(ctx, "spaces.getSpace", Request{Path: map[string]string{"space_id": "12a"}})
			return err
		},
		"unencodable body": func() error {
			_, err := c.Call(ctx, "commands.sendCommand", Request{Path: map[string]string{"device_id": "d1"},
				Body: map[string]any{"name": make(chan int)}})
			return err
		},
		"move without space": func() error { _, err := c.MoveDevice(ctx, "d1", 0); return err },
		"history per_page":   func() error { _, err := c.SearchHistories(ctx, HistoryQuery{PerPage: 1001}); return err },
		"negative page":      func() error { _, err := c.ListDevices(ctx, ListDevicesOptions{Page: -1}); return err },
		"spaces per_page":    func() error { _, err := c.ListSpaces(ctx, ListSpacesOptions{PerPage: 101}); return err },
		"incidents reversed": func() error {
			_, err := c.ListIncidents(ctx, ListIncidentsOptions{From: now, To: now.Add(-time.Minute)})
			return err
		},
		"incidents page_size": func() error {
			_, err := c.ListIncidents(ctx, ListIncidentsOptions{PageSize: 501})
			return err
		},
		"empty ticket update": func() error {
			_, err := c.UpdateTicket(ctx, "t1", UpdateTicketRequest{})
			return err
		},
		"empty message": func() error { return c.SendTicketMessage(ctx, "t1", "") },
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
		{503, `{"error":"` + strings.Repeat("y", 5000) + `k-org-1"}`, nil, CodeUpstream,
			strings.Repeat("y", 200) + "...", 0},
		{504, `{"error":"` + strings.Repeat("x", 199) + `üüü"}`, nil, CodeTimeout, strings.Repeat("x", 199) + "...", 0},
		{409, `{"error":"busy\r\nX-Injected:\tyes"}`, nil, CodeUpstream, "busy  X-Injected: yes", 0},
		{429, `{"message":"later"}`, map[string]string{"Retry-After": "soon"}, CodeRateLimited, "later", 0},
	}
	for _, tt := range tests {
		c, _ := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range tt.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(tt.status)
			_, _ = io.WriteString(w, tt.body)
		})
		c.maxRetries = 0 // classification only; retries have their own tests
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

func TestUnexpectedAnswerShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, want string
	}{
		{`{"id":"d1","name":5}`, `unexpected response shape: field "name" has the wrong type`},
		{`<html>Welcome k-org-1</html>`, "unexpected response shape: invalid JSON"},
		{`{"id":"d1","last_seen_at":5}`, "unexpected response shape: cannot decode"},
		{`{"id":"d1","last_seen_at":"yesterday"}`, "unexpected response shape: cannot decode"},
	}
	for _, tt := range tests {
		c, _ := newUpstream(t, okJSON(tt.body))
		_, err := c.GetDevice(context.Background(), "d1")
		var xe *Error
		if !errors.As(err, &xe) || xe.Code() != CodeUpstream || xe.StatusCode != http.StatusOK ||
			xe.Message != tt.want {
			t.Errorf("%s: got %v, want upstream error %q", tt.body, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "k-org-1") || strings.Contains(err.Error(), "Welcome") {
			t.Errorf("%s: error text quotes the body: %s", tt.body, err)
		}
	}
}

func TestEmptyAnswerIsSuccess(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	title := "Projector flickers"
	got, err := c.UpdateTicket(context.Background(), "t1", UpdateTicketRequest{Title: &title})
	if err != nil || got == nil || got.ID != "" {
		t.Fatalf("a 204 answer to an update: got %+v, %v; want an empty ticket and no error", got, err)
	}
	if n := w.count(); n != 1 {
		t.Fatalf("upstream saw %d requests", n)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := &wire{}
	other := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		elsewhere.mu.Lock()
		elsewhere.reqs = append(elsewhere.reqs, wireRequest{method: r.Method, header: r.Header.Clone()})
		elsewhere.mu.Unlock()
	}))
	t.Cleanup(other.Close)
	c, _ := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	})
	_, err := c.GetDevice(context.Background(), "d1")
	var xe *Error
	if !errors.As(err, &xe) || xe.StatusCode != http.StatusTemporaryRedirect || xe.Code() != CodeUpstream {
		t.Fatalf("got %v, want the redirect as an upstream error", err)
	}
	if n := elsewhere.count(); n != 0 {
		t.Fatalf("the client followed a redirect to another host (%d requests)", n)
	}
}

// cutOff answers 200 with a body shorter than its Content-Length, so the
// connection ends mid-answer.
func cutOff(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "100")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"id":"c1"`)
}

func TestCutOffAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	c, w := newUpstream(t, cutOff)
	c.retryBase = time.Millisecond
	_, err := c.SendCommand(ctx, "d1", SendCommandRequest{Name: "reboot"})
	var xe *Error
	if !IsNetwork(err) || !errors.As(err, &xe) || !xe.Sent || !xe.OutcomeUnknown {
		t.Fatalf("command answered half: got %v, want a network error with outcome unknown", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "xyte commands.sendCommand: network_error: ") ||
		!strings.Contains(msg, "outcome unknown") || !strings.Contains(msg, "check before repeating it") {
		t.Fatalf("error text %q does not warn that the command may have run", msg)
	}
	if n := w.count(); n != 1 {
		t.Fatalf("the command was sent %d times", n)
	}

	c, w = newUpstream(t, cutOff)
	c.retryBase = time.Millisecond
	if _, err := c.GetDevice(ctx, "d1"); !IsNetwork(err) {
		t.Fatalf("read answered half: got %v", err)
	}
	if n := w.count(); n != 3 {
		t.Fatalf("a read cut off mid-answer was sent %d times, want 3 (1 + 2 retries)", n)
	}
}

func TestTooLargeAnswer(t *testing.T) {
	t.Parallel()
	c, w := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte(" "), maxResponseBytes+1))
	})
	_, err := c.Call(context.Background(), "devices.getDevices", Request{})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code() != CodeUpstream || xe.Message != "response too large" {
		t.Fatalf("got %v, want response too large", err)
	}
	if n := w.count(); n != 1 {
		t.Fatalf("a too large answer was fetched %d times", n)
	}
}

// TestReadBody: an answer is read whole whether or not it told its length,
// and told truly or not; reading stops at the limit; a told length that
// fits is read into a buffer of that size.
func TestReadBody(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("0123456789", 100) // 1,000 bytes
	tests := []struct {
		name        string
		size, limit int64
		want        int
	}{
		{"told", 1000, 2000, 1000},
		{"not told", -1, 2000, 1000},
		{"told too short", 10, 2000, 1000},
		{"told too long", 5000, 2000, 1000},
		{"empty", 0, 2000, 1000},
		{"over the limit", 1000, 600, 600},
		{"over the limit, not told", -1, 600, 600},
	}
	for _, tt := range tests {
		// iotest.OneByteReader makes every read short, as a network's are.
		got, err := readBody(iotest.OneByteReader(strings.NewReader(body)), tt.size, tt.limit)
		if err != nil || string(got) != body[:tt.want] {
			t.Errorf("%s: read %d bytes, %v; want %d", tt.name, len(got), err, tt.want)
		}
	}
	got, _ := readBody(strings.NewReader(body), 1000, 2000)
	if cap(got) != 1001 {
		t.Errorf("a told length of 1000 read into a buffer of %d", cap(got))
	}
	// A told length is not trusted with more than 1 MiB before the bytes come.
	if got, _ := readBody(strings.NewReader(body), 15<<20, 16<<20); cap(got) > 1<<20 {
		t.Errorf("a told length of 15 MiB reserved %d bytes for 1,000", cap(got))
	}
	_, err := readBody(iotest.ErrReader(io.ErrUnexpectedEOF), -1, 10)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a failing read: %v", err)
	}
}

func TestCodeOf(t *testing.T) {
	t.Parallel()
	upstream := &Error{Endpoint: "devices.getDevice", StatusCode: 404, code: CodeNotFound}
	tests := []struct {
		err  error
		want Code
	}{
		{nil, ""},
		{fmt.Errorf("get device: %w", upstream), CodeNotFound},
		{fmt.Errorf("check: %w", argError("device_id", "must not be empty")), CodeInvalidParams},
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), CodeTimeout},
		{context.Canceled, CodeTimeout},
		{errors.New("decode cache entry"), CodeUpstream},
	}
	for _, tt := range tests {
		if got := CodeOf(tt.err); got != tt.want {
			t.Errorf("CodeOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestCallerCancellationDoesNotTripBreaker(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	var hanging atomic.Bool // the upstream hangs until the caller leaves
	hanging.Store(true)
	c, w := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if hanging.Load() {
			arrived <- struct{}{}
			<-r.Context().Done()
			return
		}
		okJSON(`{"id":"d1"}`)(w, r)
	})
	c.applyResilience(Options{MaxRetries: -1, BreakerThreshold: 1, BreakerCooldown: time.Hour})

	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		if _, err := c.GetDevice(ctx, "d1"); !IsTimeout(err) {
			t.Fatalf("cancelled call: got %v", err)
		}
	}
	hanging.Store(false)
	if _, err := c.GetDevice(context.Background(), "d1"); err != nil {
		t.Fatalf("callers who gave up opened the breaker: %v", err)
	}
	if n := w.count(); n != 4 {
		t.Fatalf("upstream saw %d requests, want 4", n)
	}
}
