package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// OpenIncidentLookback is how far back OpenIncidents looks for incidents that
// are still active. The hub's own default window is only the last week, which
// would hide an incident that has stayed open longer.
const OpenIncidentLookback = 90 * 24 * time.Hour

// maxIncidentScanPages bounds the incident pages read by OpenIncidents.
const maxIncidentScanPages = 10

// OpenIncidents returns the active incidents (of one space, when space is not
// 0) opened within OpenIncidentLookback, and whether the scan was cut short.
func OpenIncidents(ctx context.Context, c *xyte.Client, space int64) ([]xyte.Incident, bool, error) {
	opts := xyte.ListIncidentsOptions{
		From: time.Now().Add(-OpenIncidentLookback), Status: "active",
		PageSize: xyte.MaxIncidentPageSize, SpaceID: space,
	}
	var out []xyte.Incident
	for page := 1; page <= maxIncidentScanPages; page++ {
		opts.Page = page
		p, err := c.ListIncidents(ctx, opts)
		if err != nil {
			return nil, false, fmt.Errorf("list open incidents: %w", err)
		}
		for _, in := range p.Items {
			if isOpenIncident(in.Status) {
				out = append(out, in)
			}
		}
		if !morePages(p, xyte.MaxIncidentPageSize) {
			return out, false, nil
		}
	}
	return out, true, nil
}

// isOpenIncident reports whether an incident status means still open.
func isOpenIncident(status string) bool {
	return status == "" || strings.EqualFold(status, "active") || strings.EqualFold(status, "open")
}

// IncidentFilter selects and pages incidents; every field is sent to the hub.
type IncidentFilter struct {
	From, To    time.Time
	Status      string
	Priority    string
	SpaceID     int64
	DeviceModel string
	Issue       string
	Title       string
	Page        int
	PerPage     int // 1 to 500; 0 means DefaultPerPage
}

// IncidentList is one page of incidents.
type IncidentList struct {
	Incidents []Incident `json:"incidents"`
	Page      int        `json:"page"`
	PerPage   int        `json:"per_page"`
	HasMore   bool       `json:"has_more" jsonschema:"another page follows: call again with page+1"`
}

// ListIncidents returns one page of incidents.
func ListIncidents(ctx context.Context, c *xyte.Client, f IncidentFilter) (*IncidentList, error) {
	page, per, err := paging(f.Page, f.PerPage, xyte.MaxIncidentPageSize)
	if err != nil {
		return nil, err
	}
	p, err := c.ListIncidents(ctx, xyte.ListIncidentsOptions{
		From: f.From, To: f.To, Page: page, PageSize: per, SpaceID: f.SpaceID,
		Status: f.Status, Priority: f.Priority, DeviceModel: f.DeviceModel, Issue: f.Issue,
		Title: f.Title,
	})
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	out := &IncidentList{Incidents: []Incident{}, Page: page, PerPage: per, HasMore: morePages(p, per)}
	for i := range p.Items {
		out.Incidents = append(out.Incidents, IncidentView(&p.Items[i]))
	}
	return out, nil
}

// TicketList is the organization's tickets.
type TicketList struct {
	Tickets []Ticket `json:"tickets"`
}

// ListTickets returns the tickets, only those with the given status when
// status is not empty (compared in any case).
func ListTickets(ctx context.Context, c *xyte.Client, status string) (*TicketList, error) {
	tickets, err := c.ListTickets(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	out := &TicketList{Tickets: []Ticket{}}
	for i := range tickets {
		if status == "" || strings.EqualFold(tickets[i].Status, status) {
			out.Tickets = append(out.Tickets, TicketView(&tickets[i]))
		}
	}
	return out, nil
}

// isOpenTicket reports whether a ticket status means still open.
func isOpenTicket(status string) bool {
	s := strings.ToLower(status)
	return s != "resolved" && s != "closed"
}

// openTickets returns the tickets that are not resolved or closed.
func openTickets(ctx context.Context, c *xyte.Client) ([]xyte.Ticket, error) {
	tickets, err := c.ListTickets(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	var out []xyte.Ticket
	for _, t := range tickets {
		if isOpenTicket(t.Status) {
			out = append(out, t)
		}
	}
	return out, nil
}
