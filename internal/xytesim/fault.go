package xytesim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fault is one injected failure. Faults are checked in order before
// authentication; every matching fault that fires adds its Latency, and the
// first one with an action (Hang, Drop, DropAfterBody or Status) ends the
// request. A fault with only Latency lets the request go on as usual.
type Fault struct {
	// Route selects the requests: "*" or "" for all (unknown routes too), a
	// route's ServeMux pattern ("POST /core/v1/organization/devices/{device_id}/commands"),
	// the same pattern without the API prefix ("POST /devices/{device_id}/commands",
	// matching both APIs), or an endpoint name ("commands.sendCommand").
	Route string

	// Latency delays the request before anything else happens; the delay
	// ends early, with no response, when the client goes away.
	Latency time.Duration

	// Rate is the probability, in (0, 1], that a matching request fires the
	// fault; 0 means always. The rolls come from a generator seeded from
	// Config.Seed, so the same request sequence fires the same way.
	Rate float64

	// Status answers with this code (400 to 599) and an {"error"} body.
	Status int

	// RetryAfter is sent as the Retry-After header, and implies Status 429
	// when Status is 0. "+30s" (a plus sign and a Go duration) becomes the
	// HTTP date that long after the clock; anything else ("2", or an HTTP
	// date) is sent as written.
	RetryAfter string

	// Drop closes the connection without a response, before reading the
	// body.
	Drop bool

	// DropAfterBody reads (and logs) the body first, then closes the
	// connection without a response: the client cannot tell whether the
	// request was processed.
	DropAfterBody bool

	// Hang writes nothing until the request's context ends: the client gives
	// up, or the server shuts down. It holds no goroutine beyond the request.
	Hang bool

	// Count stops the fault after it fired this many times; 0 means no limit.
	Count int
}

// Fault actions, as recorded in Request.Fault.
const (
	faultLatency       = "latency"
	faultStatus        = "status"
	faultDrop          = "drop"
	faultDropAfterBody = "drop_after_body"
	faultHang          = "hang"
)

// Validate reports whether the fault is well formed: at most one action,
// something to do, and values in range.
func (f Fault) Validate() error {
	actions := 0
	for _, on := range []bool{f.Hang, f.Drop, f.DropAfterBody, f.Status != 0} {
		if on {
			actions++
		}
	}
	switch {
	case actions > 1:
		return errors.New("choose one of hang, drop, drop_after_body and status")
	case actions == 0 && f.Latency == 0 && f.RetryAfter == "":
		return errors.New("fault does nothing: set latency or an action")
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("status %d is not between 400 and 599", f.Status)
	case f.RetryAfter != "" && (f.Hang || f.Drop || f.DropAfterBody):
		return errors.New("retry_after needs a status response")
	case f.Latency < 0, f.Rate < 0, f.Rate > 1, f.Count < 0:
		return errors.New("latency and count must not be negative; rate must be in [0, 1]")
	}
	if d, ok := strings.CutPrefix(f.RetryAfter, "+"); ok {
		if _, err := time.ParseDuration(d); err != nil {
			return fmt.Errorf("parse retry_after: %w", err)
		}
	}
	return nil
}

// action names what the fault does to the request; "" for latency only.
func (f Fault) action() string {
	switch {
	case f.Hang:
		return faultHang
	case f.Drop:
		return faultDrop
	case f.DropAfterBody:
		return faultDropAfterBody
	case f.Status != 0 || f.RetryAfter != "":
		return faultStatus
	}
	return ""
}

// status is the code a status fault answers with.
func (f Fault) status() int {
	if f.Status == 0 {
		return http.StatusTooManyRequests
	}
	return f.Status
}

// retryAfter renders the Retry-After header value at time now.
func (f Fault) retryAfter(now time.Time) string {
	d, ok := strings.CutPrefix(f.RetryAfter, "+")
	if !ok {
		return f.RetryAfter
	}
	dur, _ := time.ParseDuration(d) // validated when the fault was set
	return now.Add(dur).UTC().Format(http.TimeFormat)
}

// matches reports whether the fault targets a request with these keys.
func (f Fault) matches(keys []string) bool {
	return f.Route == "" || f.Route == "*" || slices.Contains(keys, f.Route)
}

// faultState is a fault and how often it fired.
type faultState struct {
	Fault
	fired int
}

// faultSet holds the active faults and the seeded generator for Rate.
type faultSet struct {
	mu    sync.Mutex
	rng   *rand.Rand
	items []*faultState
}

// faultPlan is what happens to one request.
type faultPlan struct {
	latency time.Duration
	action  *Fault
}

// kind names the plan for the request log.
func (p faultPlan) kind() string {
	if p.action != nil {
		return p.action.action()
	}
	if p.latency > 0 {
		return faultLatency
	}
	return ""
}

func newFaultSet(seed int64, faults []Fault) *faultSet {
	fs := &faultSet{rng: newRand(seed, 0x6661756c74)}
	fs.set(faults)
	return fs
}

// set replaces the faults and resets their counters.
func (fs *faultSet) set(faults []Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.items = fs.items[:0]
	for _, f := range faults {
		fs.items = append(fs.items, &faultState{Fault: f})
	}
}

// add appends one fault.
func (fs *faultSet) add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.items = append(fs.items, &faultState{Fault: f})
}

// list returns a copy of the faults with their counters.
func (fs *faultSet) list() []faultState {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]faultState, len(fs.items))
	for i, st := range fs.items {
		out[i] = *st
	}
	return out
}

// plan decides, and counts, the faults that fire for a request with keys.
func (fs *faultSet) plan(keys []string) faultPlan {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var p faultPlan
	for _, st := range fs.items {
		if !st.matches(keys) || (st.Count > 0 && st.fired >= st.Count) || !fs.roll(st.Rate) {
			continue
		}
		st.fired++
		p.latency += st.Latency
		if st.action() != "" {
			f := st.Fault
			p.action = &f
			break
		}
	}
	return p
}

// roll draws from the seeded generator only for a real probability, so
// faults with Rate 0 or 1 do not shift the sequence of the others.
func (fs *faultSet) roll(rate float64) bool {
	if rate <= 0 || rate >= 1 {
		return true
	}
	return fs.rng.Float64() < rate
}
