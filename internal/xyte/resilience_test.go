package xyte_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const (
	sendRoute = "POST /core/v1/organization/devices/{device_id}/commands"
	getRoute  = "GET /core/v1/organization/devices/{device_id}"
)

// newResilienceSim is newSim with a client tuned for fast retry tests.
func newResilienceSim(t *testing.T, opts xyte.Options) (*xytesim.Server, *xyte.Client, string) {
	t.Helper()
	sim, plain := newSim(t)
	id := firstDevice(t, plain)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	opts.BaseURL, opts.Key = srv.URL, keyA
	if opts.RetryBaseDelay == 0 {
		opts.RetryBaseDelay = 5 * time.Millisecond
	}
	c, err := xyte.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	sim.ClearRequests()
	return sim, c, id
}

func countRoute(sim *xytesim.Server, route string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Route == route {
			n++
		}
	}
	return n
}

func TestPostNeverSentTwice(t *testing.T) {
	t.Parallel()
	faults := map[string]xytesim.Fault{
		"502":             {Route: "commands.sendCommand", Status: 502},
		"503 retry-after": {Route: "commands.sendCommand", Status: 503, RetryAfter: "1"},
		"429":             {Route: "commands.sendCommand", RetryAfter: "1"},
		"drop after body": {Route: "commands.sendCommand", DropAfterBody: true},
		"hang":            {Route: "commands.sendCommand", Hang: true},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim, c, id := newResilienceSim(t, xyte.Options{Timeout: 300 * time.Millisecond})
			if err := sim.SetFaults(fault); err != nil {
				t.Fatal(err)
			}
			_, err := c.SendCommand(context.Background(), id, xyte.SendCommandRequest{Name: "reboot"})
			if err == nil {
				t.Fatal("want an error")
			}
			if n := countRoute(sim, sendRoute); n != 1 {
				t.Fatalf("the command reached the upstream %d times", n)
			}
			var xe *xyte.Error
			errors.As(err, &xe)
			wantUnknown := name != "429"
			if xe == nil || xe.OutcomeUnknown != wantUnknown {
				t.Fatalf("outcome unknown = %v, want %v (%v)", xe != nil && xe.OutcomeUnknown, wantUnknown, err)
			}
		})
	}
}

func TestGetRetriedOnTransientFailures(t *testing.T) {
	t.Parallel()
	faults := map[string]xytesim.Fault{
		"503 twice":         {Route: "devices.getDevice", Status: 503, Count: 2},
		"408 once":          {Route: "devices.getDevice", Status: 408, Count: 1},
		"dropped twice":     {Route: "devices.getDevice", Drop: true, Count: 2},
		"429 seconds":       {Route: "devices.getDevice", RetryAfter: "1", Count: 1},
		"429 http date":     {Route: "devices.getDevice", RetryAfter: "+1s", Count: 1},
		"503 + retry-after": {Route: "devices.getDevice", Status: 503, RetryAfter: "1", Count: 1},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim, c, id := newResilienceSim(t, xyte.Options{Timeout: 5 * time.Second})
			if err := sim.SetFaults(fault); err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetDevice(context.Background(), id); err != nil {
				t.Fatalf("want success after retries, got %v", err)
			}
			if got, want := countRoute(sim, getRoute), max(fault.Count, 1)+1; got != want {
				t.Fatalf("upstream saw %d requests, want %d", got, want)
			}
		})
	}
}

func TestRetryAfterBeyondDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		timeout, callerDeadline time.Duration
	}{
		"client timeout":  {2 * time.Second, 0},
		"caller deadline": {time.Minute, 2 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim, c, id := newResilienceSim(t, xyte.Options{Timeout: tt.timeout})
			if err := sim.SetFaults(xytesim.Fault{Route: "devices.getDevice", RetryAfter: "30"}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.callerDeadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.callerDeadline)
				defer cancel()
			}
			_, err := c.GetDevice(ctx, id)
			var xe *xyte.Error
			if !xyte.IsRateLimited(err) || !errors.As(err, &xe) || xe.RetryAfter != 30*time.Second {
				t.Fatalf("got %v", err)
			}
			if ctx.Err() != nil {
				t.Fatal("the client waited for the deadline; a wait past it must fail at once")
			}
			if n := countRoute(sim, getRoute); n != 1 {
				t.Fatalf("upstream saw %d requests", n)
			}
		})
	}
}

func TestRetriesStopAtTwo(t *testing.T) {
	t.Parallel()
	sim, c, id := newResilienceSim(t, xyte.Options{Timeout: 5 * time.Second})
	if err := sim.SetFaults(xytesim.Fault{Route: "devices.getDevice", Status: 500}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDevice(context.Background(), id); !xyte.IsUpstream(err) {
		t.Fatalf("got %v", err)
	}
	if n := countRoute(sim, getRoute); n != 3 {
		t.Fatalf("upstream saw %d requests, want 3 (1 + 2 retries)", n)
	}
}

// recorder is an Observer that keeps breaker states.
type recorder struct {
	mu     sync.Mutex
	states []string
}

func (r *recorder) Attempt(string, int, xyte.Code, time.Duration) {}
func (r *recorder) Retry(string)                                  {}
func (r *recorder) BreakerState(_, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, state)
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	sim, c, id := newResilienceSim(t, xyte.Options{MaxRetries: -1, BreakerThreshold: 3,
		BreakerCooldown: 200 * time.Millisecond, Observer: rec})
	ctx := context.Background()

	if err := sim.SetFaults(xytesim.Fault{Route: "*", Status: 502}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.GetDevice(ctx, id); !xyte.IsUpstream(err) {
			t.Fatalf("got %v", err)
		}
	}
	sim.ClearRequests()
	_, err := c.WithKey(keyB).GetDevice(ctx, id)
	if !xyte.IsUpstream(err) {
		t.Fatalf("open breaker: got %v", err)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Fatalf("an open breaker let %d requests through", n)
	}

	sim.ClearFaults()
	time.Sleep(250 * time.Millisecond)
	if _, err := c.GetDevice(ctx, id); err != nil {
		t.Fatalf("probe after cool-down: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []string{"open", "half-open", "closed"}
	if len(rec.states) != 3 || rec.states[0] != want[0] || rec.states[1] != want[1] || rec.states[2] != want[2] {
		t.Fatalf("breaker states %v, want %v", rec.states, want)
	}
}

func TestNegativeBreakerThresholdNeverOpens(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	sim, c, id := newResilienceSim(t, xyte.Options{MaxRetries: -1, BreakerThreshold: -1, Observer: rec})
	if err := sim.SetFaults(xytesim.Fault{Route: "*", Status: 502}); err != nil {
		t.Fatal(err)
	}
	for range 2 * xyte.DefaultBreakerThreshold {
		if _, err := c.GetDevice(context.Background(), id); statusOf(err) != 502 {
			t.Fatalf("got %v, want the upstream's 502", err)
		}
	}
	if n := countRoute(sim, getRoute); n != 2*xyte.DefaultBreakerThreshold {
		t.Fatalf("upstream saw %d requests", n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.states) != 0 {
		t.Fatalf("a disabled breaker changed state: %v", rec.states)
	}
}

func TestBreakerIgnoresClientErrors(t *testing.T) {
	t.Parallel()
	_, c, id := newResilienceSim(t, xyte.Options{MaxRetries: -1, BreakerThreshold: 2})
	ctx := context.Background()
	for range 10 {
		if _, err := c.WithKey("wrong-key").GetDevice(ctx, id); !xyte.IsUnauthorized(err) {
			t.Fatalf("got %v", err)
		}
		if _, err := c.GetDevice(ctx, "00000000-0000-4000-8000-000000000000"); !xyte.IsNotFound(err) {
			t.Fatalf("got %v", err)
		}
	}
	if _, err := c.GetDevice(ctx, id); err != nil {
		t.Fatalf("one tenant's 4xx answers cut off the host: %v", err)
	}
}

func TestNoGoroutineGrowthAfterFaults(t *testing.T) {
	transport := xyte.NewTransport()
	sim, c, id := newResilienceSim(t, xyte.Options{Timeout: 100 * time.Millisecond, MaxRetries: -1,
		BreakerThreshold: 1000, HTTPClient: &http.Client{Transport: transport}})
	ctx := context.Background()
	before := runtime.NumGoroutine()
	for _, f := range []xytesim.Fault{{Route: "*", Hang: true}, {Route: "*", Drop: true},
		{Route: "*", Status: 500}, {Route: "*", Latency: 300 * time.Millisecond}} {
		if err := sim.SetFaults(f); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { _, _ = c.GetDevice(ctx, id) })
		}
		wg.Wait()
	}
	sim.ClearFaults()
	transport.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before+5 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+5 {
		t.Fatalf("goroutines grew from %d to %d", before, n)
	}
}

func TestCancelDuringRetryWaitReturnsLastAnswer(t *testing.T) {
	t.Parallel()
	sim, c, id := newResilienceSim(t, xyte.Options{Timeout: time.Minute})
	if err := sim.SetFaults(xytesim.Fault{Route: "devices.getDevice", Status: 503,
		RetryAfter: "30"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for countRoute(sim, getRoute) == 0 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := c.GetDevice(ctx, id)
	var xe *xyte.Error
	if !errors.As(err, &xe) || xe.StatusCode != http.StatusServiceUnavailable || xe.RetryAfter != 30*time.Second {
		t.Fatalf("got %v, want the 503 that started the wait", err)
	}
	if n := countRoute(sim, getRoute); n != 1 {
		t.Fatalf("upstream saw %d requests after the caller left", n)
	}
}

func TestOpenBreakerRefusalIsNotRetried(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	sim, c, id := newResilienceSim(t, xyte.Options{BreakerThreshold: 1, BreakerCooldown: time.Hour,
		Observer: rec})
	if err := sim.SetFaults(xytesim.Fault{Route: "*", Status: 502}); err != nil {
		t.Fatal(err)
	}
	for _, client := range []*xyte.Client{c, c.WithKey(keyB)} {
		_, err := client.GetDevice(context.Background(), id)
		var xe *xyte.Error
		if !errors.As(err, &xe) || xe.StatusCode != 0 || xe.RetryAfter != time.Hour ||
			!strings.Contains(xe.Message, "calls are paused") || !xyte.IsUpstream(err) {
			t.Fatalf("got %v, want the breaker's refusal with the cool-down as Retry-After", err)
		}
	}
	if n := countRoute(sim, getRoute); n != 1 {
		t.Fatalf("upstream saw %d requests; the breaker opened after the first", n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.states) != 1 || rec.states[0] != "open" {
		t.Fatalf("breaker states %v, want [open]", rec.states)
	}
}
