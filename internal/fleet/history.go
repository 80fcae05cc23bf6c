package fleet

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// DefaultHistoryWindow is the window the hub searches when none is given.
const DefaultHistoryWindow = 7 * 24 * time.Hour

// Window is a checked time window of a histories search. A zero To leaves
// the hub's default (now); a zero From leaves the hub's default (7 days ago)
// only when To is zero too.
type Window struct {
	From time.Time
	To   time.Time
}

// ParseTime reads a time given as RFC 3339 (2025-03-01T00:00:00Z) or as Unix
// epoch seconds. "" is the zero time. Errors name the argument.
func ParseTime(name, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		if secs < 0 {
			return time.Time{}, &xyte.ArgumentError{Name: name, Reason: "must not be negative"}
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &xyte.ArgumentError{Name: name,
			Reason: "must be RFC 3339 (2025-03-01T09:00:00Z) or Unix epoch seconds"}
	}
	return t.UTC(), nil
}

// ParseWindow reads and checks a window. It refuses an end before the start
// and a window longer than xyte.MaxHistoryWindow (31 days), counting a missing
// end as the hub would fill it in, so a refused window never reaches the hub.
// Given only an end, it sets the start 7 days earlier: the hub's own default
// start is 7 days before now, which would come after an older end.
func ParseWindow(from, to string, now time.Time) (Window, error) {
	var w Window
	var err error
	if w.From, err = ParseTime("from", from); err != nil {
		return Window{}, err
	}
	if w.To, err = ParseTime("to", to); err != nil {
		return Window{}, err
	}
	end := w.To
	if end.IsZero() {
		end = now
	}
	start := w.From
	if start.IsZero() {
		start = end.Add(-DefaultHistoryWindow)
		if !w.To.IsZero() {
			w.From = start
		}
	}
	switch {
	case end.Before(start):
		return Window{}, &xyte.ArgumentError{Name: "to", Reason: "must not be before from"}
	case end.Sub(start) > xyte.MaxHistoryWindow:
		days := int(xyte.MaxHistoryWindow / (24 * time.Hour))
		return Window{}, &xyte.ArgumentError{Name: "from",
			Reason: fmt.Sprintf("the window from..to must be at most %d days", days)}
	}
	return w, nil
}

// HistoryFilter selects and pages device histories. From and To are RFC 3339
// or Unix seconds; Status filters on the devices' current status.
type HistoryFilter struct {
	DeviceID string
	SpaceID  int64
	Status   string
	Name     string
	From, To string
	Page     int
	PerPage  int // 1 to 1000; 0 means DefaultPerPage
}

// HistoryList is one page of history entries, newest first as the hub sends
// them.
type HistoryList struct {
	Histories []History `json:"histories"`
	From      string    `json:"from,omitempty" jsonschema:"window start sent to the hub (RFC 3339)"`
	To        string    `json:"to,omitempty" jsonschema:"window end sent to the hub (RFC 3339)"`
	Page      int       `json:"page"`
	PerPage   int       `json:"per_page"`
	HasMore   bool      `json:"has_more" jsonschema:"another page follows: call again with page+1"`
}

// SearchHistories returns one page of device histories. The window is
// checked first: a bad or too-long window sends nothing.
func SearchHistories(ctx context.Context, c *xyte.Client, f HistoryFilter) (*HistoryList, error) {
	w, err := ParseWindow(f.From, f.To, time.Now())
	if err != nil {
		return nil, err
	}
	page, per, err := paging(f.Page, f.PerPage, xyte.MaxHistoryPerPage)
	if err != nil {
		return nil, err
	}
	if f.DeviceID != "" {
		if err := xyte.ValidateID("device_id", f.DeviceID); err != nil {
			return nil, err
		}
	}
	p, err := c.SearchHistories(ctx, xyte.HistoryQuery{
		From: w.From, To: w.To, Page: page, PerPage: per, Status: f.Status,
		DeviceID: f.DeviceID, SpaceID: f.SpaceID, Name: f.Name,
	})
	if err != nil {
		return nil, fmt.Errorf("search device histories: %w", err)
	}
	out := &HistoryList{Histories: []History{}, From: rfc3339(w.From), To: rfc3339(w.To),
		Page: page, PerPage: per, HasMore: morePages(p, per)}
	for i := range p.Items {
		out.Histories = append(out.Histories, HistoryView(&p.Items[i]))
	}
	return out, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
