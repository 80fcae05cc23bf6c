package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// DefaultPerPage is the page size of list calls that do not name one. It is
// smaller than the hub's default so that a page fits comfortably in a model's
// context.
const DefaultPerPage = 25

// MaxScanPages bounds how many hub pages one call reads when it has to look
// through a whole list (client-side filters, the overview, room matching).
const MaxScanPages = 50

// DeviceFilter selects and pages devices. SpaceID is sent to the hub; Status
// and NameContains are applied here, over the hub's pages.
type DeviceFilter struct {
	SpaceID      int64
	Status       string // matches status or effective_status, any case
	NameContains string // case-insensitive substring of the name
	Page         int    // from 1; 0 means 1
	PerPage      int    // 1 to 100; 0 means DefaultPerPage
}

// DeviceList is one page of devices.
type DeviceList struct {
	Devices []Device `json:"devices"`
	Page    int      `json:"page"`
	PerPage int      `json:"per_page"`
	HasMore bool     `json:"has_more" jsonschema:"another page follows: call again with page+1"`
	// Truncated reports that a filtered scan stopped at MaxScanPages hub pages.
	Truncated bool `json:"truncated,omitempty" jsonschema:"the filter scan stopped early; narrow it with space_id"`
}

// ListDevices returns one page of the devices that match f.
func ListDevices(ctx context.Context, c *xyte.Client, f DeviceFilter) (*DeviceList, error) {
	page, perPage, err := paging(f.Page, f.PerPage, xyte.MaxPerPage)
	if err != nil {
		return nil, err
	}
	if f.Status == "" && f.NameContains == "" {
		return hubDevicePage(ctx, c, f.SpaceID, page, perPage)
	}
	return filteredDevices(ctx, c, f, page, perPage)
}

// hubDevicePage passes paging straight to the hub.
func hubDevicePage(ctx context.Context, c *xyte.Client, space int64,
	page, per int) (*DeviceList, error) {
	p, err := c.ListDevices(ctx, xyte.ListDevicesOptions{Page: page, PerPage: per, SpaceID: space})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	out := &DeviceList{Devices: []Device{}, Page: page, PerPage: per, HasMore: morePages(p, per)}
	for i := range p.Items {
		out.Devices = append(out.Devices, DeviceSummary(&p.Items[i]))
	}
	return out, nil
}

// filteredDevices scans hub pages until it has the requested page of matches.
func filteredDevices(ctx context.Context, c *xyte.Client, f DeviceFilter,
	page, per int) (*DeviceList, error) {
	want := page*per + 1 // one more than needed tells whether another page follows
	var matches []Device
	truncated, err := scanDevices(ctx, c, f.SpaceID, func(d *xyte.Device) bool {
		if f.matches(d) {
			matches = append(matches, DeviceSummary(d))
		}
		return len(matches) < want
	})
	if err != nil {
		return nil, err
	}
	out := &DeviceList{Devices: []Device{}, Page: page, PerPage: per, Truncated: truncated}
	start := min((page-1)*per, len(matches))
	end := min(start+per, len(matches))
	out.Devices = append(out.Devices, matches[start:end]...)
	out.HasMore = len(matches) > end || truncated
	return out, nil
}

func (f DeviceFilter) matches(d *xyte.Device) bool {
	if f.Status != "" && !strings.EqualFold(d.Status, f.Status) &&
		!strings.EqualFold(d.EffectiveStatus, f.Status) {
		return false
	}
	return f.NameContains == "" || containsFold(d.Name, f.NameContains)
}

// scanDevices calls visit for each device of the hub's list, page by page,
// until visit returns false or the list ends. It reports whether it stopped
// at MaxScanPages with more pages left.
func scanDevices(ctx context.Context, c *xyte.Client, space int64,
	visit func(*xyte.Device) bool) (bool, error) {
	for page := 1; page <= MaxScanPages; page++ {
		opts := xyte.ListDevicesOptions{Page: page, PerPage: xyte.MaxPerPage, SpaceID: space}
		p, err := c.ListDevices(ctx, opts)
		if err != nil {
			return false, fmt.Errorf("list devices page %d: %w", page, err)
		}
		for i := range p.Items {
			if !visit(&p.Items[i]) {
				return false, nil
			}
		}
		if !morePages(p, xyte.MaxPerPage) {
			return false, nil
		}
	}
	return true, nil
}

// AllDevices returns every device (of one space, when space is not 0), up to
// MaxScanPages pages, and whether the list was cut there.
func AllDevices(ctx context.Context, c *xyte.Client, space int64) ([]xyte.Device, bool, error) {
	var out []xyte.Device
	truncated, err := scanDevices(ctx, c, space, func(d *xyte.Device) bool {
		out = append(out, *d)
		return true
	})
	return out, truncated, err
}

// GetDevice returns the full view of one device.
func GetDevice(ctx context.Context, c *xyte.Client, id string) (*Device, error) {
	d, err := c.GetDevice(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get device %q: %w", id, err)
	}
	v := DeviceDetail(d)
	return &v, nil
}

// Status is a compact summary of one device's health.
type Status struct {
	DeviceID        string     `json:"device_id"`
	Name            string     `json:"name"`
	Status          string     `json:"status,omitempty"`
	EffectiveStatus string     `json:"effective_status,omitempty"`
	Online          bool       `json:"online" jsonschema:"the hub reports the device online"`
	LastSeenAt      string     `json:"last_seen_at,omitempty"`
	LastSeenAgo     string     `json:"last_seen_ago,omitempty" jsonschema:"time since last seen, such as 3h20m0s"`
	NeverSeen       bool       `json:"never_seen,omitempty"`
	Model           string     `json:"model,omitempty"`
	SpacePath       string     `json:"space_path,omitempty"`
	OpenIncidents   []Incident `json:"open_incidents" jsonschema:"active incidents of this device"`
}

// DeviceStatus returns a device's status, last-seen time and open incidents.
func DeviceStatus(ctx context.Context, c *xyte.Client, id string) (*Status, error) {
	d, err := c.GetDevice(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get device %q: %w", id, err)
	}
	incidents, _, err := OpenIncidents(ctx, c, 0)
	if err != nil {
		return nil, err
	}
	return statusOf(d, incidents, time.Now()), nil
}

// statusOf builds the summary of d from the open incidents of its fleet.
func statusOf(d *xyte.Device, open []xyte.Incident, now time.Time) *Status {
	v := DeviceSummary(d)
	s := &Status{
		DeviceID: d.ID, Name: d.Name, Status: d.Status, EffectiveStatus: d.EffectiveStatus,
		Online: strings.EqualFold(d.Status, "online"), LastSeenAt: v.LastSeenAt,
		Model: v.Model, SpacePath: v.SpacePath, OpenIncidents: []Incident{},
	}
	switch {
	case d.LastSeenAt.IsZero():
		s.NeverSeen = true
	default:
		s.LastSeenAgo = now.Sub(d.LastSeenAt.Time).Truncate(time.Second).String()
	}
	for i := range open {
		if open[i].DeviceID == d.ID {
			s.OpenIncidents = append(s.OpenIncidents, IncidentView(&open[i]))
		}
	}
	return s
}

// paging checks and defaults a page number and size.
func paging(page, per, maxPer int) (int, int, error) {
	switch {
	case page < 0:
		return 0, 0, &xyte.ArgumentError{Name: "page", Reason: "must be 1 or more"}
	case per < 0 || per > maxPer:
		return 0, 0, &xyte.ArgumentError{Name: "per_page",
			Reason: fmt.Sprintf("must be between 1 and %d", maxPer)}
	}
	if page == 0 {
		page = 1
	}
	if per == 0 {
		per = min(DefaultPerPage, maxPer)
	}
	return page, per, nil
}

// morePages reports whether another hub page follows. An envelope that says
// nothing (a bare array) has more when the page came back full.
func morePages[T any](p *xyte.Page[T], per int) bool {
	if p.HasNextPage != nil || p.NextPage != nil {
		return p.More()
	}
	return len(p.Items) >= per
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
