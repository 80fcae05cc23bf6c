// Package events carries device-fleet events to the tenant they belong to.
//
// Events come in through an authenticated, optionally signed intake
// (POST /v1/events), are kept per tenant on a Bus (a bounded ring in memory,
// or one Redis stream per tenant so that every replica sees every event), and
// go out as a resumable Server-Sent Events stream (GET /v1/events), through
// Wait for the get_next_event tool, and to publish hooks such as the plugin
// manager.
//
// Every method of a Bus takes the tenant id (tenant.Tenant.ID, a hash of the
// key, never the key) and reads or writes only that tenant's events: tenant
// B cannot see tenant A's events, because nothing addresses them but A's id.
package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxTypeLen is the longest event type accepted.
const MaxTypeLen = 64

// Event is one thing that happened in a tenant's fleet.
type Event struct {
	// ID orders the tenant's events: "<milliseconds>-<sequence>", increasing
	// with each event. Pass it back as afterID (or Last-Event-ID) to resume.
	ID string `json:"id"`
	// Type names the kind of event, such as "device.offline". See ValidType.
	Type string `json:"type"`
	// Data is the event's payload: any JSON value, {} when none was given.
	Data json.RawMessage `json:"data"`
	// OccurredAt is when the event happened, as the sender says; ReceivedAt
	// when the server stored it.
	OccurredAt time.Time `json:"occurred_at"`
	ReceivedAt time.Time `json:"received_at"`
}

// Errors that callers test with errors.Is.
var (
	// ErrInvalidEvent: the event's type, data or time is not acceptable.
	ErrInvalidEvent = errors.New("invalid event")
	// ErrInvalidID: an event id or cursor is malformed.
	ErrInvalidID = errors.New("invalid event id")
	// ErrInvalidTenant: the tenant id is empty or not a plain token.
	ErrInvalidTenant = errors.New("invalid tenant id")
	// ErrClosed: the Bus was closed.
	ErrClosed = errors.New("event bus closed")
)

// invalidEventError is an ErrInvalidEvent whose text says only what is wrong.
type invalidEventError string

func (e invalidEventError) Error() string { return string(e) }

// Is makes errors.Is(err, ErrInvalidEvent) true.
func (e invalidEventError) Is(target error) bool { return target == ErrInvalidEvent }

// ValidType reports whether s can be an event type: 1 to MaxTypeLen ASCII
// letters, digits, '.', '_', ':' or '-', starting with a letter or digit.
// The set keeps a type safe on an SSE "event:" line and in a log.
func ValidType(s string) bool {
	if s == "" || len(s) > MaxTypeLen || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

// ValidFilter reports whether s can filter event types: empty or "*" (every
// type), an exact type, or a type prefix followed by "*" ("device.*").
func ValidFilter(s string) bool {
	s = strings.TrimSuffix(s, "*")
	return s == "" || ValidType(s)
}

// Match reports whether an event of type typ passes filter (see ValidFilter).
func Match(filter, typ string) bool {
	if prefix, ok := strings.CutSuffix(filter, "*"); ok {
		return strings.HasPrefix(typ, prefix)
	}
	return filter == "" || filter == typ
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// validTenant accepts the tenant ids the server makes (hex hashes) and plain
// tokens: they become part of Redis keys.
func validTenant(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// normalize checks e and fills its defaults: data {} and both times. It
// returns a copy with compact data, so that data fits on one SSE line.
func normalize(e Event, now time.Time) (Event, error) {
	if !ValidType(e.Type) {
		return Event{}, invalidEventError(fmt.Sprintf("type must be 1 to %d letters, digits, "+
			"'.', '_', ':' or '-', starting with a letter or digit", MaxTypeLen))
	}
	data := bytes.TrimSpace(e.Data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		data = []byte("{}")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return Event{}, invalidEventError("data is not valid JSON")
	}
	e.ID, e.Data = "", buf.Bytes()
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = now
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = e.ReceivedAt
	}
	e.ReceivedAt, e.OccurredAt = e.ReceivedAt.UTC(), e.OccurredAt.UTC()
	return e, nil
}

// position is an event id as numbers: a millisecond time and a sequence
// number within it. Redis stream ids have the same form, so both Bus
// implementations share one id syntax.
type position struct{ ms, seq uint64 }

// parsePosition parses "<ms>-<seq>", or "0" for the position before every
// event.
func parsePosition(s string) (position, error) {
	if s == "0" {
		return position{}, nil
	}
	msText, seqText, ok := strings.Cut(s, "-")
	if !ok || len(s) > 41 {
		return position{}, fmt.Errorf("%w: want <milliseconds>-<sequence> or 0", ErrInvalidID)
	}
	ms, err1 := strconv.ParseUint(msText, 10, 64)
	seq, err2 := strconv.ParseUint(seqText, 10, 64)
	if err1 != nil || err2 != nil {
		return position{}, fmt.Errorf("%w: want <milliseconds>-<sequence> or 0", ErrInvalidID)
	}
	return position{ms: ms, seq: seq}, nil
}

func (p position) String() string {
	return strconv.FormatUint(p.ms, 10) + "-" + strconv.FormatUint(p.seq, 10)
}

func (p position) after(q position) bool {
	return p.ms > q.ms || p.ms == q.ms && p.seq > q.seq
}

// next returns the position of an event stored at time ms after p.
func (p position) next(ms uint64) position {
	if ms > p.ms {
		return position{ms: ms}
	}
	return position{ms: p.ms, seq: p.seq + 1}
}
