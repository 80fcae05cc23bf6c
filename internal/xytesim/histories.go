package xytesim

import (
	"cmp"
	"encoding/binary"
	"slices"
	"time"
)

// History records are not stored: each one is a pure function of the
// org's seed, the device and a slot on a fixed grid (one record every
// historyEvery per device, from historySpan before the seed reference up to
// the clock), so 30 days of history cost nothing to seed.
const (
	historyEvery   = 4 * time.Hour
	historySpan    = 30 * day
	maxHistorySpan = 31 * day
)

// historyJSON is a device history row (reference §3.3), plus device_id.
type historyJSON struct {
	UUID      string       `json:"uuid"`
	DeviceID  string       `json:"device_id"`
	Name      string       `json:"name"`
	Model     string       `json:"model"`
	Partner   string       `json:"partner"`
	SpaceID   int64        `json:"space_id"`
	State     historyState `json:"state"`
	CreatedAt string       `json:"created_at"`
}

type historyState struct {
	Status string   `json:"status"`
	Input  string   `json:"input,omitempty"`
	Temp   *float64 `json:"temp,omitempty"`
}

// historyQuery is what a history listing selects.
type historyQuery struct {
	from, to, now time.Time
	status, name  string
	device        *device
	space         *space
}

var historyStatuses = []string{"online", "offline", "unavailable", "error"}

// parseHistoryQuery reads the window and filters shared by both APIs.
func (s *Server) parseHistoryQuery(c *call, o *org) (historyQuery, error) {
	q := historyQuery{now: c.now, status: c.q().Get("status"), name: c.q().Get("name")}
	var err error
	if q.from, q.to, err = s.window(c, maxHistorySpan); err != nil {
		return q, err
	}
	if q.status != "" && !slices.Contains(historyStatuses, q.status) {
		return q, invalid("Invalid status parameter")
	}
	if id := c.q().Get("device_id"); id != "" && o != nil {
		if q.device = o.device(id); q.device == nil {
			return q, notFound("Device")
		}
	}
	if o != nil {
		q.space, err = c.querySpace(o)
	}
	return q, err
}

// wants reports whether a device passes the filters. The status filter is
// on the device's current status, as the hub documents.
func (q historyQuery) wants(o *org, d *device) bool {
	return (q.device == nil || q.device == d) &&
		(q.space == nil || o.within(d.spaceID, q.space)) &&
		(q.status == "" || q.status == d.status) &&
		containsFold(d.name, q.name)
}

func (s *Server) listHistories(c *call) (any, error) {
	q, err := s.parseHistoryQuery(c, c.org)
	if err != nil {
		return nil, err
	}
	p, err := c.page(maxHistoryPage)
	if err != nil {
		return nil, err
	}
	rows := s.histories(c.org, q)
	return listHasNext(rows, p, func(h historyJSON) historyJSON { return h }), nil
}

// histories returns the matching rows of every device, newest first.
func (s *Server) histories(o *org, q historyQuery) []historyJSON {
	var rows []historyJSON
	for _, d := range o.devices {
		if q.wants(o, d) {
			rows = s.deviceHistory(o, d, q, rows)
		}
	}
	slices.SortStableFunc(rows, func(a, b historyJSON) int {
		return cmp.Or(cmp.Compare(b.CreatedAt, a.CreatedAt), cmp.Compare(a.UUID, b.UUID))
	})
	return rows
}

// deviceHistory appends the device's rows inside [q.from, q.to]. A device
// that stopped reporting has one last "offline" row after it was last seen;
// a device never seen has none.
func (s *Server) deviceHistory(o *org, d *device, q historyQuery,
	rows []historyJSON) []historyJSON {
	if d.lastSeenAt(q.now).IsZero() {
		return rows
	}
	phase := time.Duration(d.histKey%240) * time.Minute
	start := s.ref.Add(-historySpan).Add(phase)
	lo := latest(q.from, start, d.createdAt)
	hi := q.to
	if hi.After(q.now) {
		hi = q.now
	}
	// The first slot at or after lo: k rounds up, so t never precedes lo.
	k := max(0, int64((lo.Sub(start)+historyEvery-1)/historyEvery))
	t := start.Add(time.Duration(k) * historyEvery)
	for ; !t.After(hi); k, t = k+1, t.Add(historyEvery) {
		reporting := d.live || !t.After(d.lastSeen)
		if !reporting && t.Add(-historyEvery).After(d.lastSeen) {
			break
		}
		rows = append(rows, o.historyRow(d, uint64(k), t, reporting, q.now))
	}
	return rows
}

// historyRow derives one row from a hash of the org, device and slot.
func (o *org) historyRow(d *device, k uint64, t time.Time, reporting bool,
	now time.Time) historyJSON {
	h := mix(o.histSeed ^ mix(d.histKey^k))
	var id [16]byte
	binary.LittleEndian.PutUint64(id[:8], mix(h))
	binary.LittleEndian.PutUint64(id[8:], mix(h+1))
	row := historyJSON{
		UUID: formatUUID(id), DeviceID: d.id, Name: d.name, Model: d.model.name,
		Partner: d.model.vendor, SpaceID: d.spaceID, CreatedAt: stampMillis(t),
		State: historyState{Status: slotStatus(d, h, t, reporting, now)},
	}
	if in := kinds[d.model.kind].inputs; len(in) > 0 {
		row.State.Input = in[(h>>8)%uint64(len(in))]
	}
	if d.model.kind == kindDisplay || d.model.kind == kindAmplifier {
		temp := 34 + float64((h>>16)%140)/10
		row.State.Temp = &temp
	}
	return row
}

// slotStatus is mostly online, with occasional offline and error slots; a
// device in error now has been in error for the last eight hours.
func slotStatus(d *device, h uint64, t time.Time, reporting bool, now time.Time) string {
	switch {
	case !reporting:
		return "offline"
	case d.status == "error" && now.Sub(t) < 8*time.Hour:
		return "error"
	case h%100 < 3:
		return "offline"
	case h%100 < 6:
		return "error"
	}
	return "online"
}

// latest returns the latest of the times.
func latest(first time.Time, rest ...time.Time) time.Time {
	for _, t := range rest {
		if t.After(first) {
			first = t
		}
	}
	return first
}
