package xytesim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	err := s.SetFaults(Fault{Route: "devices.getDevices", Latency: 60 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.must(t, "GET", "/devices", keyA, nil)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("answered in %v, want at least 60ms", d)
	}
	if f := s.lastRequest(t).Fault; f != "latency" {
		t.Fatalf("fault = %q", f)
	}
	start = time.Now()
	s.must(t, "GET", "/info", keyA, nil)
	if d := time.Since(start); d >= 60*time.Millisecond {
		t.Fatalf("another route took %v", d)
	}
}

func TestFaultStatusAndCount(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	dev := s.snapshot(t, keyA).DeviceIDs[0]
	err := s.SetFaults(Fault{
		Route: "GET /core/v1/organization/devices/{device_id}", Status: 503, Count: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		res := s.org(t, "GET", "/devices/"+dev, keyA, nil)
		wantError(t, res, http.StatusServiceUnavailable, "Service Unavailable")
	}
	s.must(t, "GET", "/devices/"+dev, keyA, nil)
	// Faults come before authentication, as a proxy's would.
	s.ClearFaults()
	if err := s.SetFaults(Fault{Route: "*", Status: 502}); err != nil {
		t.Fatal(err)
	}
	wantError(t, s.org(t, "GET", "/info", "", nil), http.StatusBadGateway, "Bad Gateway")
	wantError(t, s.org(t, "GET", "/no-route", "", nil), http.StatusBadGateway, "Bad Gateway")
}

func TestFaultRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, retryAfter, want string
	}{
		{"seconds", "2", "2"},
		{"date as written", "Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"},
		{"relative date", "+30s", testEpoch.Add(30 * time.Second).Format(http.TimeFormat)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTwoOrgSim(t)
			if err := s.SetFaults(Fault{Route: "POST /devices/{device_id}/commands",
				RetryAfter: tt.retryAfter}); err != nil {
				t.Fatal(err)
			}
			dev := s.snapshot(t, keyA).DeviceIDs[0]
			res := s.org(t, "POST", "/devices/"+dev+"/commands", keyA, map[string]string{"name": "x"})
			wantError(t, res, http.StatusTooManyRequests, "Too Many Requests")
			if got := res.header.Get("Retry-After"); got != tt.want {
				t.Fatalf("Retry-After = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    Fault
		wantBody string
	}{
		{"before body", Fault{Route: "commands.sendCommand", Drop: true}, ""},
		{"after body", Fault{Route: "commands.sendCommand", DropAfterBody: true}, `{"name":"reboot"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTwoOrgSim(t)
			if err := s.SetFaults(tt.fault); err != nil {
				t.Fatal(err)
			}
			dev := s.snapshot(t, keyA).DeviceIDs[0]
			_, err := s.try(t.Context(), "POST", OrgPrefix+"/devices/"+dev+"/commands", keyA,
				`{"name":"reboot"}`)
			if err == nil {
				t.Fatal("the request got a response; want a dropped connection")
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Status != 0 || string(reqs[0].Body) != tt.wantBody {
				t.Fatalf("log = %+v", reqs)
			}
			cmds := items[commandJSON](t, s.must(t, "GET", "/devices/"+dev+"/commands", keyA, nil))
			if len(cmds) > 0 && cmds[0].CreatedAt == stamp(testEpoch) {
				t.Fatal("a dropped request queued a command")
			}
		})
	}
}

func TestFaultHangEndsWithTheClient(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	if err := s.SetFaults(Fault{Route: "GET /info", Hang: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := s.try(ctx, "GET", OrgPrefix+"/info", keyA, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	// The hanging handler returned: the server still answers, and closing it
	// (in cleanup) does not wait for a stuck request.
	s.must(t, "GET", "/info", keyA, nil)
	if got := s.Requests()[0]; got.Fault != "hang" || got.Status != 0 {
		t.Fatalf("log = %+v", got)
	}
}

func TestFaultRateIsRepeatable(t *testing.T) {
	t.Parallel()
	pattern := func() string {
		s, _ := newTwoOrgSim(t)
		if err := s.SetFaults(Fault{Route: "*", Status: 500, Rate: 0.5}); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for range 40 {
			if s.org(t, "GET", "/info", keyA, nil).status == 500 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	first, second := pattern(), pattern()
	if first != second {
		t.Fatalf("same seed, different faults:\n%s\n%s", first, second)
	}
	if n := strings.Count(first, "x"); n < 8 || n > 32 {
		t.Fatalf("rate 0.5 fired %d times in 40: %s", n, first)
	}
}

func TestFaultTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		route string
		hit   bool
	}{
		{"*", true},
		{"", true},
		{"devices.getDevices", true},
		{"GET /core/v1/organization/devices", true},
		{"GET /devices", true},
		{"GET /core/v1/partner/devices", false},
		{"partner.devices.getDevices", false},
		{"GET /devices/{device_id}", false},
	}
	for _, tt := range tests {
		t.Run(tt.route, func(t *testing.T) {
			t.Parallel()
			s, _ := newTwoOrgSim(t)
			if err := s.SetFaults(Fault{Route: tt.route, Status: 500}); err != nil {
				t.Fatal(err)
			}
			got := s.org(t, "GET", "/devices", keyA, nil).status == 500
			if got != tt.hit {
				t.Fatalf("fault on %q hit GET /devices: %v, want %v", tt.route, got, tt.hit)
			}
		})
	}
}

func TestFaultValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault Fault
		ok    bool
	}{
		{"status", Fault{Status: 500}, true},
		{"latency only", Fault{Latency: time.Millisecond}, true},
		{"retry after implies 429", Fault{RetryAfter: "1"}, true},
		{"nothing", Fault{Route: "*"}, false},
		{"two actions", Fault{Drop: true, Hang: true}, false},
		{"status out of range", Fault{Status: 200}, false},
		{"rate above one", Fault{Status: 500, Rate: 1.5}, false},
		{"negative count", Fault{Status: 500, Count: -1}, false},
		{"bad relative retry", Fault{Status: 429, RetryAfter: "+soon"}, false},
		{"retry after on a drop", Fault{Drop: true, RetryAfter: "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.fault.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	s := New(Config{})
	if err := s.SetFaults(Fault{Status: 500}, Fault{}); err == nil {
		t.Fatal("SetFaults accepted an invalid fault")
	}
}
