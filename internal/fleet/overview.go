package fleet

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// maxOverviewList bounds each device and ticket list in a Snapshot.
const maxOverviewList = 50

// Snapshot summarizes the health of a whole fleet at one moment.
type Snapshot struct {
	GeneratedAt       string         `json:"generated_at"`
	Devices           int            `json:"devices" jsonschema:"number of devices"`
	ByStatus          map[string]int `json:"by_status" jsonschema:"devices per raw status"`
	ByEffectiveStatus map[string]int `json:"by_effective_status" jsonschema:"devices per effective status"`
	ByModel           map[string]int `json:"by_model" jsonschema:"devices per model"`
	BySite            map[string]int `json:"by_site" jsonschema:"devices per site (first space below the organization)"`
	Offline           []SeenDevice   `json:"offline" jsonschema:"offline devices, longest unseen first"`
	NeverSeen         []SeenDevice   `json:"never_seen" jsonschema:"devices that never reported"`
	OpenIncidents     int            `json:"open_incidents"`
	IncidentsBy       map[string]int `json:"open_incidents_by_priority"`
	OpenTickets       []Ticket       `json:"open_tickets" jsonschema:"open tickets, newest first"`
	// Truncated reports that a list was longer than the overview reads.
	Truncated bool `json:"truncated,omitempty" jsonschema:"some lists were cut; counts may be low"`
}

// SeenDevice is a device with when it was last seen.
type SeenDevice struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Model      string `json:"model,omitempty"`
	SpacePath  string `json:"space_path,omitempty"`
	LastSeenAt string `json:"last_seen_at,omitempty"`
}

// Overview counts the fleet's devices by status, effective status, model and
// site, lists offline and never-seen devices, and counts open incidents (by
// priority) and open tickets.
func Overview(ctx context.Context, c *xyte.Client) (*Snapshot, error) {
	devices, cut, err := AllDevices(ctx, c, 0)
	if err != nil {
		return nil, err
	}
	incidents, cutIncidents, err := OpenIncidents(ctx, c, 0)
	if err != nil {
		return nil, err
	}
	tickets, err := openTickets(ctx, c)
	if err != nil {
		return nil, err
	}
	o := newSnapshot(time.Now())
	o.Truncated = cut || cutIncidents
	o.addDevices(devices)
	o.addIncidents(incidents)
	o.addTickets(tickets)
	return o, nil
}

func newSnapshot(now time.Time) *Snapshot {
	return &Snapshot{
		GeneratedAt: now.UTC().Format(time.RFC3339), ByStatus: map[string]int{},
		ByEffectiveStatus: map[string]int{}, ByModel: map[string]int{}, BySite: map[string]int{},
		Offline: []SeenDevice{}, NeverSeen: []SeenDevice{}, IncidentsBy: map[string]int{},
		OpenTickets: []Ticket{},
	}
}

func (o *Snapshot) addDevices(devices []xyte.Device) {
	o.Devices = len(devices)
	var offline []xyte.Device
	for i := range devices {
		d := &devices[i]
		v := DeviceSummary(d)
		o.ByStatus[orUnknown(d.Status)]++
		o.ByEffectiveStatus[orUnknown(d.EffectiveStatus)]++
		o.ByModel[orUnknown(v.Model)]++
		o.BySite[orUnknown(siteOf(v.SpacePath))]++
		switch {
		case d.LastSeenAt.IsZero() || d.EffectiveStatus == "never_seen":
			o.add(&o.NeverSeen, v)
		case strings.EqualFold(d.Status, "offline") || d.EffectiveStatus == "offline":
			offline = append(offline, *d)
		}
	}
	slices.SortStableFunc(offline, func(a, b xyte.Device) int {
		return a.LastSeenAt.Compare(b.LastSeenAt.Time)
	})
	for i := range offline {
		o.add(&o.Offline, DeviceSummary(&offline[i]))
	}
}

// add appends a device to a bounded list, marking the snapshot truncated.
func (o *Snapshot) add(list *[]SeenDevice, d Device) {
	if len(*list) >= maxOverviewList {
		o.Truncated = true
		return
	}
	*list = append(*list, SeenDevice{
		ID: d.ID, Name: d.Name, Model: d.Model, SpacePath: d.SpacePath, LastSeenAt: d.LastSeenAt,
	})
}

func (o *Snapshot) addIncidents(incidents []xyte.Incident) {
	o.OpenIncidents = len(incidents)
	for _, in := range incidents {
		o.IncidentsBy[orUnknown(in.Priority)]++
	}
}

func (o *Snapshot) addTickets(tickets []xyte.Ticket) {
	slices.SortStableFunc(tickets, func(a, b xyte.Ticket) int {
		return b.CreatedAt.Compare(a.CreatedAt.Time)
	})
	for i := range tickets {
		if len(o.OpenTickets) >= maxOverviewList {
			o.Truncated = true
			break
		}
		t := TicketView(&tickets[i])
		t.Comments = nil
		o.OpenTickets = append(o.OpenTickets, t)
	}
}

// siteOf returns the site of a space path: the first name below the
// organization root, or the root itself for devices placed on it.
func siteOf(path string) string {
	parts := strings.Split(path, "/")
	if len(parts) > 1 {
		return parts[1]
	}
	return parts[0]
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}

// OverviewMarkdown renders an overview as a short Markdown report. Device
// names and ticket titles are quoted as data, in code spans.
func OverviewMarkdown(o *Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Fleet report\n\nGenerated %s. %d devices, %d open incidents, %d open tickets.\n",
		o.GeneratedAt, o.Devices, o.OpenIncidents, len(o.OpenTickets))
	if o.Truncated {
		b.WriteString("\nSome lists were longer than the report reads; counts may be low.\n")
	}
	writeCounts(&b, "Devices by status", o.ByStatus)
	writeCounts(&b, "Devices by effective status", o.ByEffectiveStatus)
	writeCounts(&b, "Devices by model", o.ByModel)
	writeCounts(&b, "Devices by site", o.BySite)
	writeCounts(&b, "Open incidents by priority", o.IncidentsBy)
	writeSeen(&b, "Offline devices", o.Offline)
	writeSeen(&b, "Never-seen devices", o.NeverSeen)
	b.WriteString("\n## Open tickets\n\n")
	if len(o.OpenTickets) == 0 {
		b.WriteString("None.\n")
	}
	for _, t := range o.OpenTickets {
		fmt.Fprintf(&b, "- %s (%s, opened %s)\n", code(t.Title), orUnknown(t.Status), t.CreatedAt)
	}
	return b.String()
}

func writeCounts(b *strings.Builder, title string, counts map[string]int) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if len(counts) == 0 {
		b.WriteString("None.\n")
		return
	}
	b.WriteString("| name | count |\n| --- | ---: |\n")
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(b, "| %s | %d |\n", code(k), counts[k])
	}
}

func writeSeen(b *strings.Builder, title string, devices []SeenDevice) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if len(devices) == 0 {
		b.WriteString("None.\n")
		return
	}
	for _, d := range devices {
		seen := d.LastSeenAt
		if seen == "" {
			seen = "never"
		}
		fmt.Fprintf(b, "- %s (%s) in %s, last seen %s\n", code(d.Name), d.ID, code(d.SpacePath), seen)
	}
}

// code quotes third-party text as a Markdown code span, so that it reads as
// data and cannot open headings, links or tables.
func code(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "|", "/")
	if s == "" {
		return "``"
	}
	return "`" + s + "`"
}
