package xyte

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// MaxIncidentPageSize is the largest page size of incidents.
const MaxIncidentPageSize = 500

// ListSpacesOptions filters and pages GET /spaces. Zero values are not sent.
type ListSpacesOptions struct {
	Page          int
	PerPage       int
	ID            int64
	ParentID      int64
	Name          string
	PathIncludes  string
	SpaceType     string
	CreatedBefore time.Time
	CreatedAfter  time.Time
}

// ListSpaces returns one page of the organization's spaces.
func (c *Client) ListSpaces(ctx context.Context, opts ListSpacesOptions) (*Page[Space], error) {
	q := url.Values{}
	if err := setPaging(q, "per_page", opts.Page, opts.PerPage, MaxPerPage); err != nil {
		return nil, err
	}
	setInt(q, "id", opts.ID)
	setInt(q, "parent_id", opts.ParentID)
	setString(q, "name", opts.Name)
	setString(q, "path_includes", opts.PathIncludes)
	setString(q, "space_type", opts.SpaceType)
	setISOTime(q, "created_before", opts.CreatedBefore)
	setISOTime(q, "created_after", opts.CreatedAfter)
	var page Page[Space]
	if err := c.callInto(ctx, "spaces.getSpaces", Request{Query: q}, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// GetSpace returns one space.
func (c *Client) GetSpace(ctx context.Context, id int64) (*Space, error) {
	var s Space
	call := Request{Path: map[string]string{"space_id": strconv.FormatInt(id, 10)}}
	if err := c.callInto(ctx, "spaces.getSpace", call, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ListIncidentsOptions filters and pages GET /incidents. Zero values are not
// sent; the hub's default window is the last week.
type ListIncidentsOptions struct {
	From        time.Time
	To          time.Time
	Page        int
	PageSize    int    // 1 to 500
	SpaceID     int64  //
	Status      string // active or closed
	Priority    string // critical, high, moderate, low or planning
	Title       string
	Description string
	Issue       string
	DeviceModel string
	PartnerName string
	SubModel    string
}

// ListIncidents returns one page of incidents.
func (c *Client) ListIncidents(ctx context.Context, opts ListIncidentsOptions) (*Page[Incident], error) {
	if !opts.From.IsZero() && !opts.To.IsZero() && opts.To.Before(opts.From) {
		return nil, argError("to", "must not be before from")
	}
	q := url.Values{}
	err := setPaging(q, "page_size", opts.Page, opts.PageSize, MaxIncidentPageSize)
	if err != nil {
		return nil, err
	}
	setTime(q, "from", opts.From)
	setTime(q, "to", opts.To)
	setInt(q, "space_id", opts.SpaceID)
	for name, v := range map[string]string{
		"status": opts.Status, "priority": opts.Priority, "title": opts.Title,
		"description": opts.Description, "issue": opts.Issue, "device_model": opts.DeviceModel,
		"partner_name": opts.PartnerName, "sub_model": opts.SubModel,
	} {
		setString(q, name, v)
	}
	var page Page[Incident]
	if err := c.callInto(ctx, "incidents.getIncidents", Request{Query: q}, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListTickets returns the organization's open tickets.
func (c *Client) ListTickets(ctx context.Context) ([]Ticket, error) {
	var page Page[Ticket]
	if err := c.callInto(ctx, "tickets.getTickets", Request{}, &page); err != nil {
		return nil, err
	}
	return page.Items, nil
}

// GetTicket returns a ticket with its comments.
func (c *Client) GetTicket(ctx context.Context, id string) (*Ticket, error) {
	var t Ticket
	call := Request{Path: map[string]string{"ticket_id": id}}
	if err := c.callInto(ctx, "tickets.getTicket", call, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateTicketRequest is the body of a ticket update; nil fields are kept.
type UpdateTicketRequest struct {
	Title       *string `json:"title,omitempty"`
	Description *string `json:"description,omitempty"`
}

// UpdateTicket changes a ticket's title or description.
func (c *Client) UpdateTicket(ctx context.Context, id string, req UpdateTicketRequest) (*Ticket, error) {
	if req.Title == nil && req.Description == nil {
		return nil, argError("fields", "give title or description")
	}
	var t Ticket
	call := Request{Path: map[string]string{"ticket_id": id}, Body: req}
	if err := c.callInto(ctx, "tickets.updateTicket", call, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// ResolveTicket marks a ticket resolved.
func (c *Client) ResolveTicket(ctx context.Context, id string) error {
	_, err := c.Call(ctx, "tickets.markResolved", Request{Path: map[string]string{"ticket_id": id}})
	return err
}

// SendTicketMessage adds a message to a ticket.
func (c *Client) SendTicketMessage(ctx context.Context, id, message string) error {
	if message == "" {
		return argError("message", "must not be empty")
	}
	_, err := c.Call(ctx, "tickets.sendMessage", Request{
		Path: map[string]string{"ticket_id": id},
		Body: map[string]string{"message": message},
	})
	return err
}

// OrganizationInfo returns the organization the key belongs to. No body is
// sent, whatever older documentation shows.
func (c *Client) OrganizationInfo(ctx context.Context) (*OrgInfo, error) {
	var info OrgInfo
	if err := c.callInto(ctx, "getOrganizationInfo", Request{}, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

func setISOTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339))
	}
}
