package xyte

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Retry and breaker defaults.
const (
	DefaultMaxRetries       = 2
	DefaultRetryBaseDelay   = 250 * time.Millisecond
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
)

// Observer is told about upstream traffic, for metrics. Implementations must
// be safe for concurrent use and must not block.
type Observer interface {
	// Attempt is called once per request sent (or refused by the breaker):
	// the endpoint key, the HTTP status (0 when none arrived), the failure
	// code ("" on success) and how long the attempt took.
	Attempt(endpoint string, status int, code Code, d time.Duration)
	// Retry is called before each retry of an endpoint.
	Retry(endpoint string)
	// BreakerState is called when the breaker of a host changes state
	// ("closed", "half-open" or "open").
	BreakerState(host, state string)
}

type nopObserver struct{}

func (nopObserver) Attempt(string, int, Code, time.Duration) {}
func (nopObserver) Retry(string)                             {}
func (nopObserver) BreakerState(string, string)              {}

// idempotent reports whether a method may be sent twice with the same effect.
// POST and PATCH are not: a retried command could run twice on hardware.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryable reports whether a failed attempt of an idempotent call is worth
// another try: 5xx, 408, 429 and failures with no response. A refusal by the
// breaker is not.
func retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.breakerOpen {
		return false
	}
	switch {
	case e.StatusCode == 0:
		return e.code == CodeNetwork || (e.code == CodeTimeout && !errors.Is(e.err, context.Canceled))
	case e.StatusCode >= 500, e.StatusCode == http.StatusRequestTimeout,
		e.StatusCode == http.StatusTooManyRequests:
		return true
	}
	return false
}

// retryDelay returns how long to wait before retry number n (from 0), and
// whether the wait fits before the deadline. A Retry-After from the upstream
// wins over the backoff; otherwise the backoff doubles each time, with jitter.
func (c *Client) retryDelay(ctx context.Context, err error, n int) (time.Duration, bool) {
	var e *Error
	errors.As(err, &e)
	wait := e.RetryAfter
	if wait == 0 {
		backoff := c.retryBase << n
		wait = backoff/2 + rand.N(backoff/2+1) // #nosec G404 -- jitter spreads retries; it guards nothing
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
		return wait, false
	}
	return wait, true
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newBreaker returns the circuit breaker of one upstream host. It opens after
// threshold consecutive failures (5xx, no response, timeouts), never on 4xx,
// so that one tenant's bad key or bad ids cannot cut off everyone. After the
// cool-down it lets one probe through and closes again on its success.
func newBreaker(host string, threshold int, cooldown time.Duration, obs Observer) *gobreaker.CircuitBreaker[*Response] {
	trip := tripCount(threshold)
	return gobreaker.NewCircuitBreaker[*Response](gobreaker.Settings{
		Name:        host,
		MaxRequests: 1,
		Timeout:     cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= trip
		},
		IsExcluded: func(err error) bool { return err != nil && !countsAgainstHost(err) },
		OnStateChange: func(name string, _, to gobreaker.State) {
			obs.BreakerState(name, to.String())
		},
	})
}

// tripCount is the breaker's threshold as gobreaker counts failures. A
// threshold outside uint32, which no configuration gives, never trips.
func tripCount(threshold int) uint32 {
	if threshold < 0 || int64(threshold) > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(threshold)
}

// countsAgainstHost reports whether a failure says the host is unwell.
func countsAgainstHost(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.StatusCode >= 500:
		return true
	case e.StatusCode != 0:
		return false
	case errors.Is(e.err, context.Canceled):
		return false // the caller went away; says nothing about the host
	}
	return e.code == CodeNetwork || e.code == CodeTimeout
}

// breakerError is the answer while the breaker refuses calls.
func breakerError(ep string, cooldown time.Duration) *Error {
	return &Error{Endpoint: ep, code: CodeUpstream, breakerOpen: true, RetryAfter: cooldown,
		Message: "Xyte API unavailable after repeated failures; calls are paused briefly"}
}

// markOutcomeUnknown flags a failed write that may still have been carried
// out: the request was sent and no clear refusal came back.
func markOutcomeUnknown(method string, err error) {
	var e *Error
	if idempotent(method) || !errors.As(err, &e) || !e.Sent {
		return
	}
	if e.StatusCode == 0 || e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout {
		e.OutcomeUnknown = true
	}
}
