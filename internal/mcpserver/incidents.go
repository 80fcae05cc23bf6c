package mcpserver

import (
	"context"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
)

type listIncidentsIn struct {
	Status      string `json:"status,omitempty" jsonschema:"active or closed"`
	Priority    string `json:"priority,omitempty" jsonschema:"critical, high, moderate, low or planning"`
	SpaceID     int64  `json:"space_id,omitempty" jsonschema:"only incidents in this space"`
	DeviceModel string `json:"device_model,omitempty" jsonschema:"only incidents of devices of this model"`
	Issue       string `json:"issue,omitempty" jsonschema:"only incidents of this issue, such as offline"`
	Title       string `json:"title,omitempty" jsonschema:"only incidents with this title"`
	From        string `json:"from,omitempty" jsonschema:"opened at or after: RFC 3339 or Unix seconds"`
	To          string `json:"to,omitempty" jsonschema:"opened at or before: RFC 3339 or Unix seconds"`
	Page        int    `json:"page,omitempty" jsonschema:"page number, from 1 (default 1)"`
	PerPage     int    `json:"per_page,omitempty" jsonschema:"incidents per page, 1 to 500 (default 25)"`
}

func (s *Server) addIncidentTools() {
	addTool(s, toolSpec{name: "list_incidents", title: "List incidents", effect: read,
		enums: map[string][]string{
			"status":   {"active", "closed"},
			"priority": {"critical", "high", "moderate", "low", "planning"},
		},
		description: "List incidents the hub opened for devices (offline, errors, ...), one " +
			"page at a time, filtered by status, priority, space, model, issue or window.",
	}, s.listIncidents)
}

func (s *Server) listIncidents(ctx context.Context, c *call,
	in listIncidentsIn) (*fleet.IncidentList, error) {
	from, err := fleet.ParseTime("from", in.From)
	if err != nil {
		return nil, err
	}
	to, err := fleet.ParseTime("to", in.To)
	if err != nil {
		return nil, err
	}
	return fleet.ListIncidents(ctx, c.client, fleet.IncidentFilter{
		From: from, To: to, Status: in.Status, Priority: in.Priority, SpaceID: in.SpaceID,
		DeviceModel: in.DeviceModel, Issue: in.Issue, Title: in.Title, Page: in.Page,
		PerPage: in.PerPage,
	})
}
