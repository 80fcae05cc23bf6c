package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Bounds of a room diagnosis, so that one call stays small and quick.
const (
	maxDiagnosedDevices = 20
	diagnosisHistory    = 5 // recent history entries per device
	diagnosisWindow     = 24 * time.Hour
)

// Diagnosis gathers what is known about a room's AV health in one result.
type Diagnosis struct {
	Room          Room              `json:"room"`
	Devices       []DeviceDiagnosis `json:"devices"`
	OpenIncidents []Incident        `json:"open_incidents" jsonschema:"active incidents in the room"`
	OpenTickets   []Ticket          `json:"open_tickets" jsonschema:"open tickets about the room's devices"`
	Findings      []string          `json:"findings" jsonschema:"problems noticed, most serious first"`
	Truncated     bool              `json:"truncated,omitempty"`
}

// DeviceDiagnosis is one device's status and recent history.
type DeviceDiagnosis struct {
	Device        Status    `json:"device"`
	Kind          string    `json:"kind,omitempty"`
	RecentHistory []History `json:"recent_history" jsonschema:"newest history entries of the last day"`
}

// DiagnoseRoom finds the room a name means and returns its devices with their
// status and recent history, the room's open incidents and the open tickets
// about its devices.
func DiagnoseRoom(ctx context.Context, c *xyte.Client, room string) (*Diagnosis, error) {
	r, err := ResolveRoom(ctx, c, room)
	if err != nil {
		return nil, err
	}
	devices, cut, err := AllDevices(ctx, c, r.SpaceID)
	if err != nil {
		return nil, err
	}
	incidents, cutIncidents, err := OpenIncidents(ctx, c, r.SpaceID)
	if err != nil {
		return nil, err
	}
	tickets, err := openTickets(ctx, c)
	if err != nil {
		return nil, err
	}
	d := &Diagnosis{Room: *r, Devices: []DeviceDiagnosis{}, OpenIncidents: []Incident{},
		OpenTickets: []Ticket{}, Findings: []string{}, Truncated: cut || cutIncidents}
	if len(devices) > maxDiagnosedDevices {
		devices, d.Truncated = devices[:maxDiagnosedDevices], true
	}
	if err := d.addDevices(ctx, c, devices, incidents); err != nil {
		return nil, err
	}
	d.addIncidentsAndTickets(incidents, tickets)
	d.Findings = findings(d)
	return d, nil
}

func (d *Diagnosis) addDevices(ctx context.Context, c *xyte.Client, devices []xyte.Device,
	incidents []xyte.Incident) error {
	now := time.Now()
	for i := range devices {
		dev := &devices[i]
		h, err := recentHistory(ctx, c, dev.ID, now)
		if err != nil {
			return err
		}
		d.Devices = append(d.Devices, DeviceDiagnosis{
			Device: *statusOf(dev, incidents, now), Kind: DeviceKind(dev), RecentHistory: h,
		})
	}
	return nil
}

func recentHistory(ctx context.Context, c *xyte.Client, id string, now time.Time) ([]History, error) {
	p, err := c.SearchHistories(ctx, xyte.HistoryQuery{
		From: now.Add(-diagnosisWindow), To: now, PerPage: diagnosisHistory, DeviceID: id,
	})
	if err != nil {
		return nil, fmt.Errorf("search histories of device %q: %w", id, err)
	}
	out := []History{}
	for i := range p.Items {
		out = append(out, HistoryView(&p.Items[i]))
	}
	return out, nil
}

func (d *Diagnosis) addIncidentsAndTickets(incidents []xyte.Incident, tickets []xyte.Ticket) {
	for i := range incidents {
		d.OpenIncidents = append(d.OpenIncidents, IncidentView(&incidents[i]))
	}
	inRoom := map[string]bool{}
	for _, dev := range d.Devices {
		inRoom[dev.Device.DeviceID] = true
	}
	for i := range tickets {
		if inRoom[tickets[i].DeviceID] {
			t := TicketView(&tickets[i])
			t.Comments = nil
			d.OpenTickets = append(d.OpenTickets, t)
		}
	}
}

// findings lists the problems a diagnosis shows, most serious first.
func findings(d *Diagnosis) []string {
	var bad, warn []string
	for _, dd := range d.Devices {
		dev := dd.Device
		switch {
		case dev.NeverSeen:
			bad = append(bad, fmt.Sprintf("%s has never reported to the hub", quote(dev.Name)))
		case !dev.Online:
			bad = append(bad, fmt.Sprintf("%s is %s, last seen %s ago", quote(dev.Name),
				orUnknown(dev.Status), dev.LastSeenAgo))
		case dev.EffectiveStatus != "" && dev.EffectiveStatus != "ok":
			warn = append(warn, fmt.Sprintf("%s is online but its effective status is %s",
				quote(dev.Name), dev.EffectiveStatus))
		}
	}
	if n := len(d.OpenIncidents); n > 0 {
		bad = append(bad, fmt.Sprintf("%d open incident(s) in the room", n))
	}
	if n := len(d.OpenTickets); n > 0 {
		warn = append(warn, fmt.Sprintf("%d open ticket(s) about the room's devices", n))
	}
	out := append(bad, warn...)
	if len(out) == 0 {
		out = []string{"every device in the room is online and reports ok"}
	}
	return out
}

// quote marks a third-party name as data in a sentence.
func quote(s string) string {
	return fmt.Sprintf("%q", strings.Join(strings.Fields(s), " "))
}
