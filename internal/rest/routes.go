package rest

import (
	"encoding/json"
	"net/http"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
	del  = http.MethodDelete
)

// buildRoutes lists every route with its documentation. The OpenAPI
// document is generated from this list, so a route cannot be left out of it.
func (a *API) buildRoutes() []Route {
	return []Route{
		a.upstream(get, "/v1/devices", a.listDevices, docListDevices),
		a.upstream(get, "/v1/devices/{device_id}", a.getDevice, docGetDevice),
		a.upstream(get, "/v1/devices/{device_id}/status", a.deviceStatus, docDeviceStatus),
		a.upstream(get, "/v1/devices/{device_id}/commands", a.listCommands, docListCommands),
		a.upstream(post, "/v1/devices/{device_id}/commands", a.sendCommand, docSendCommand),
		a.upstream(del, "/v1/devices/{device_id}/commands/{command_id}", a.cancelCommand,
			docCancelCommand),
		a.upstream(get, "/v1/histories", a.searchHistories, docHistories),
		a.upstream(get, "/v1/spaces", a.listSpaces, docListSpaces),
		a.upstream(get, "/v1/spaces/{space_id}", a.getSpace, docGetSpace),
		a.upstream(get, "/v1/incidents", a.listIncidents, docListIncidents),
		a.upstream(get, "/v1/tickets", a.listTickets, docListTickets),
		a.upstream(get, "/v1/tickets/{ticket_id}", a.getTicket, docGetTicket),
		a.upstream(put, "/v1/tickets/{ticket_id}", a.updateTicket, docUpdateTicket),
		a.upstream(post, "/v1/tickets/{ticket_id}/resolve", a.resolveTicket, docResolveTicket),
		a.upstream(post, "/v1/tickets/{ticket_id}/messages", a.sendTicketMessage,
			docTicketMessage),
		a.upstream(get, "/v1/organization", a.organizationInfo, docOrganization),
		a.upstream(get, "/v1/fleet/overview", a.fleetOverview, docOverview),
		a.local("/v1/tools", false, a.listTools, docTools),
		a.local("/v1/resources", false, a.listResources, docResources),
		a.local("/v1/openapi.json", true, a.openAPI, docOpenAPI),
	}
}

// maxID bounds integer ids and page numbers read from a query string.
const maxID = 1 << 62

func (a *API) listDevices(r *http.Request, c *xyte.Client) (any, error) {
	q := newQuery(r)
	f := fleet.DeviceFilter{
		SpaceID:      q.integer("space_id", 1, maxID),
		Status:       q.str("status"),
		NameContains: q.str("name_contains"),
		Page:         int(q.integer("page", 1, 1<<20)),
		PerPage:      int(q.integer("per_page", 1, xyte.MaxPerPage)),
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	return fleet.ListDevices(r.Context(), c, f)
}

func (a *API) getDevice(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "device_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	return fleet.GetDevice(r.Context(), c, id)
}

func (a *API) deviceStatus(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "device_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	return fleet.DeviceStatus(r.Context(), c, id)
}

func (a *API) listCommands(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "device_id")
	if err != nil {
		return nil, err
	}
	q := newQuery(r)
	status := q.oneOf("status", "pending", "in_progress", "done", "failed",
		"cancelled")
	if err := q.done(); err != nil {
		return nil, err
	}
	return fleet.ListCommands(r.Context(), c, id, status)
}

func (a *API) sendCommand(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "device_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	var body xyte.SendCommandRequest
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	return fleet.SendCommand(r.Context(), c, id, body)
}

func (a *API) cancelCommand(r *http.Request, c *xyte.Client) (any, error) {
	deviceID, err := pathID(r, "device_id")
	if err != nil {
		return nil, err
	}
	commandID, err := pathID(r, "command_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	return rawOrSuccess(c.CancelCommand(r.Context(), deviceID, commandID))
}

func (a *API) searchHistories(r *http.Request, c *xyte.Client) (any, error) {
	q := newQuery(r)
	f := fleet.HistoryFilter{
		From:     q.str("from"),
		To:       q.str("to"),
		Page:     int(q.integer("page", 1, 1<<20)),
		PerPage:  int(q.integer("per_page", 1, xyte.MaxHistoryPerPage)),
		Status:   q.oneOf("status", "online", "offline", "unavailable", "error"),
		DeviceID: q.str("device_id"),
		SpaceID:  q.integer("space_id", 1, maxID),
		Name:     q.str("name"),
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	return fleet.SearchHistories(r.Context(), c, f)
}

func (a *API) listSpaces(r *http.Request, c *xyte.Client) (any, error) {
	q := newQuery(r)
	f := fleet.SpaceFilter{
		ParentID:     q.integer("parent_id", 1, maxID),
		Name:         q.str("name"),
		PathIncludes: q.str("path_includes"),
		SpaceType:    q.str("space_type"),
		Page:         int(q.integer("page", 1, 1<<20)),
		PerPage:      int(q.integer("per_page", 1, xyte.MaxPerPage)),
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	return fleet.ListSpaces(r.Context(), c, f)
}

func (a *API) getSpace(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathInt(r, "space_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	return fleet.GetSpace(r.Context(), c, id)
}

func (a *API) listIncidents(r *http.Request, c *xyte.Client) (any, error) {
	q := newQuery(r)
	f := fleet.IncidentFilter{
		From:        q.time("from"),
		To:          q.time("to"),
		Status:      q.oneOf("status", "active", "closed"),
		Priority:    q.oneOf("priority", "critical", "high", "moderate", "low", "planning"),
		SpaceID:     q.integer("space_id", 1, maxID),
		DeviceModel: q.str("device_model"),
		Issue:       q.str("issue"),
		Title:       q.str("title"),
		Page:        int(q.integer("page", 1, 1<<20)),
		PerPage:     int(q.integer("per_page", 1, xyte.MaxIncidentPageSize)),
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, badInput("to", "must not be before from")
	}
	return fleet.ListIncidents(r.Context(), c, f)
}

func (a *API) listTickets(r *http.Request, c *xyte.Client) (any, error) {
	q := newQuery(r)
	status := q.str("status")
	if err := q.done(); err != nil {
		return nil, err
	}
	return fleet.ListTickets(r.Context(), c, status)
}

func (a *API) getTicket(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "ticket_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	t, err := c.GetTicket(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return fleet.TicketView(t), nil
}

func (a *API) updateTicket(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "ticket_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	var body xyte.UpdateTicketRequest
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	t, err := c.UpdateTicket(r.Context(), id, body)
	if err != nil {
		return nil, err
	}
	return fleet.TicketView(t), nil
}

// Success is the answer of a write the upstream confirms without data.
type Success struct {
	Success bool `json:"success"`
}

func (a *API) resolveTicket(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "ticket_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	if err := c.ResolveTicket(r.Context(), id); err != nil {
		return nil, err
	}
	return Success{Success: true}, nil
}

// TicketMessage is the body of POST /v1/tickets/{ticket_id}/messages.
type TicketMessage struct {
	Message string `json:"message"`
}

func (a *API) sendTicketMessage(r *http.Request, c *xyte.Client) (any, error) {
	id, err := pathID(r, "ticket_id")
	if err != nil {
		return nil, err
	}
	if err := noQuery(r); err != nil {
		return nil, err
	}
	var body TicketMessage
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	if err := c.SendTicketMessage(r.Context(), id, body.Message); err != nil {
		return nil, err
	}
	return Success{Success: true}, nil
}

func (a *API) organizationInfo(r *http.Request, c *xyte.Client) (any, error) {
	if err := noQuery(r); err != nil {
		return nil, err
	}
	info, err := c.OrganizationInfo(r.Context())
	if err != nil {
		return nil, err
	}
	return fleet.OrganizationView(info), nil
}

func (a *API) fleetOverview(r *http.Request, c *xyte.Client) (any, error) {
	if err := noQuery(r); err != nil {
		return nil, err
	}
	return fleet.Overview(r.Context(), c)
}

// rawOrSuccess returns the upstream's own answer, or {"success": true} when
// it confirmed the write with no JSON (an empty body, or text).
func rawOrSuccess(raw []byte, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if !json.Valid(raw) {
		return Success{Success: true}, nil
	}
	return rawJSON(raw), nil
}

// rawJSON is JSON passed through as it came.
type rawJSON []byte

// MarshalJSON implements json.Marshaler.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
