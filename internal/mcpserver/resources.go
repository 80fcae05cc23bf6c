package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// readFunc reads a resource for a resolved tenant.
type readFunc func(ctx context.Context, c *call, uri string) (any, error)

// resourceSpec describes a resource or, when its URI holds {name}, a template.
type resourceSpec struct {
	uri, name, title, description string
}

func (s *Server) addResources() {
	s.addJSON(resourceSpec{"devices://", "devices", "Devices",
		"Every device of the organization with status, last-seen time, model and space."},
		s.readDevices)
	s.addJSON(resourceSpec{"device://{device_id}", "device", "Device",
		"One device with its state, details and identifiers."}, s.readDevice)
	s.addJSON(resourceSpec{"device://{device_id}/commands", "device-commands", "Device commands",
		"The commands sent to one device, newest first."}, s.readCommands)
	s.addJSON(resourceSpec{"device://{device_id}/histories", "device-histories",
		"Device history", "One device's state history of the last 7 days."}, s.readHistories)
	s.addJSON(resourceSpec{"spaces://", "spaces", "Spaces",
		"Every space (sites, floors, rooms) with its full path."}, s.readSpaces)
	s.addJSON(resourceSpec{"incidents://", "incidents", "Open incidents",
		"Active incidents opened in the last 90 days."}, s.readIncidents)
	s.addJSON(resourceSpec{"tickets://", "tickets", "Tickets",
		"Every support ticket. Ticket texts are third-party content."}, s.readTickets)
	s.addJSON(resourceSpec{"ticket://{ticket_id}", "ticket", "Ticket",
		"One ticket with its comments. Ticket texts are third-party content."}, s.readTicket)
	s.addJSON(resourceSpec{"organization://info", "organization", "Organization",
		"The organization the key belongs to: name, plan, contacts and statistics."},
		s.readOrganization)
	s.mcp.AddResource(&mcp.Resource{URI: "report://fleet", Name: "fleet-report",
		Title: "Fleet report", MIMEType: "text/markdown",
		Description: "The fleet_overview summary as a Markdown report."}, s.readReport)
	if s.opts.ExperimentalAPIs {
		s.addJSON(resourceSpec{"device://{device_id}/state", "device-state", "Device state",
			"Experimental: one device's raw reported state and details; their keys are " +
				"model-specific and undocumented."}, s.readState)
		s.addJSON(resourceSpec{"device://{device_id}/logs", "device-logs", "Device logs",
			"Experimental: one device's recent activity as one timeline, newest first: its " +
				"reported states of the last 7 days and the commands sent to it. State keys " +
				"are model-specific and undocumented."}, s.readLogs)
	}
}

// addJSON registers a JSON resource, or a template when the URI has {...}.
func (s *Server) addJSON(spec resourceSpec, read readFunc) {
	h := s.jsonHandler(read)
	if strings.Contains(spec.uri, "{") {
		s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: spec.uri, Name: spec.name,
			Title: spec.title, Description: spec.description, MIMEType: "application/json"}, h)
		return
	}
	s.mcp.AddResource(&mcp.Resource{URI: spec.uri, Name: spec.name, Title: spec.title,
		Description: spec.description, MIMEType: "application/json"}, h)
}

// jsonHandler resolves the tenant of each read and encodes the answer.
func (s *Server) jsonHandler(read readFunc) mcp.ResourceHandler {
	return func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		uri := req.Params.URI
		v, err := s.readFor(ctx, req, uri, read)
		if err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", uri, err)
		}
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{
			{URI: uri, MIMEType: "application/json", Text: string(data)}}}, nil
	}
}

// readFor runs a read for the request's tenant. A missing device or ticket
// is the SDK's resource-not-found error; other failures keep their code.
func (s *Server) readFor(ctx context.Context, req *mcp.ReadResourceRequest, uri string,
	read readFunc) (any, error) {
	c, err := s.resolve(ctx, req.Extra, req.Session)
	if err != nil {
		return nil, err
	}
	v, err := read(ctx, c, uri)
	if err != nil {
		if codeOf(err) == xyte.CodeNotFound {
			return nil, mcp.ResourceNotFoundError(uri)
		}
		s.log.Info("resource read failed", "resource", scheme(uri), "code", string(codeOf(err)))
		return nil, failure(err)
	}
	return v, nil
}

func scheme(uri string) string {
	s, _, _ := strings.Cut(uri, "://")
	return s
}

// uriArg returns the value between prefix and suffix of a URI, unescaped and
// checked as an id; it is one segment, never a path.
func uriArg(uri, prefix, suffix, name string) (string, error) {
	rest, ok := strings.CutPrefix(uri, prefix)
	if ok {
		rest, ok = strings.CutSuffix(rest, suffix)
	}
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", invalid(name, "is missing from the resource URI")
	}
	v, err := url.PathUnescape(rest)
	if err != nil {
		return "", invalid(name, "is not a valid URI segment")
	}
	return v, xyte.ValidateID(name, v)
}

type allDevices struct {
	Devices   []fleet.Device `json:"devices"`
	Truncated bool           `json:"truncated,omitempty"`
}

func (s *Server) readDevices(ctx context.Context, c *call, _ string) (any, error) {
	devices, cut, err := fleet.AllDevices(ctx, c.client, 0)
	if err != nil {
		return nil, err
	}
	out := allDevices{Devices: []fleet.Device{}, Truncated: cut}
	for i := range devices {
		out.Devices = append(out.Devices, fleet.DeviceSummary(&devices[i]))
	}
	return out, nil
}

func (s *Server) readDevice(ctx context.Context, c *call, uri string) (any, error) {
	id, err := uriArg(uri, "device://", "", "device_id")
	if err != nil {
		return nil, err
	}
	return fleet.GetDevice(ctx, c.client, id)
}

func (s *Server) readCommands(ctx context.Context, c *call, uri string) (any, error) {
	id, err := uriArg(uri, "device://", "/commands", "device_id")
	if err != nil {
		return nil, err
	}
	return fleet.ListCommands(ctx, c.client, id, "")
}

func (s *Server) readHistories(ctx context.Context, c *call, uri string) (any, error) {
	id, err := uriArg(uri, "device://", "/histories", "device_id")
	if err != nil {
		return nil, err
	}
	if _, err := c.client.GetDevice(ctx, id); err != nil {
		// The hub answers an unknown device_id filter with an empty list.
		return nil, fmt.Errorf("get device %q: %w", id, err)
	}
	return fleet.SearchHistories(ctx, c.client, fleet.HistoryFilter{DeviceID: id, PerPage: 100})
}

func (s *Server) readState(ctx context.Context, c *call, uri string) (any, error) {
	id, err := uriArg(uri, "device://", "/state", "device_id")
	if err != nil {
		return nil, err
	}
	d, err := fleet.GetDevice(ctx, c.client, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"device_id": d.ID, "state": d.State, "details": d.Details}, nil
}

// maxLogEntries bounds the timeline of device://{device_id}/logs.
const maxLogEntries = 200

// deviceLogs is the timeline of device://{device_id}/logs.
type deviceLogs struct {
	DeviceID string           `json:"device_id"`
	Entries  []deviceLogEntry `json:"entries"`
	// Truncated says older entries exist that the timeline leaves out.
	Truncated bool `json:"truncated,omitempty"`
}

// deviceLogEntry is one event of a device: a reported state or a command.
type deviceLogEntry struct {
	Time      string         `json:"time"`
	Kind      string         `json:"kind"` // "state" or "command"
	Status    string         `json:"status,omitempty"`
	State     map[string]any `json:"state,omitempty"`
	CommandID string         `json:"command_id,omitempty"`
	Command   string         `json:"command,omitempty"`
	Message   string         `json:"message,omitempty"`
}

// readLogs merges a device's state history and its commands into one
// timeline. The hub has no log endpoint; these two are what it records.
func (s *Server) readLogs(ctx context.Context, c *call, uri string) (any, error) {
	id, err := uriArg(uri, "device://", "/logs", "device_id")
	if err != nil {
		return nil, err
	}
	if _, err := c.client.GetDevice(ctx, id); err != nil {
		// The hub answers an unknown device_id filter with an empty list.
		return nil, fmt.Errorf("get device %q: %w", id, err)
	}
	hist, err := fleet.SearchHistories(ctx, c.client,
		fleet.HistoryFilter{DeviceID: id, PerPage: maxLogEntries})
	if err != nil {
		return nil, err
	}
	cmds, err := fleet.ListCommands(ctx, c.client, id, "")
	if err != nil {
		return nil, err
	}
	out := &deviceLogs{DeviceID: id, Entries: []deviceLogEntry{}, Truncated: hist.HasMore}
	for _, h := range hist.Histories {
		out.Entries = append(out.Entries, deviceLogEntry{Time: h.CreatedAt, Kind: "state",
			Status: h.Status, State: h.State})
	}
	for _, cmd := range cmds.Commands {
		out.Entries = append(out.Entries, deviceLogEntry{Time: cmd.CreatedAt, Kind: "command",
			Status: cmd.Status, CommandID: cmd.ID, Command: cmd.Name, Message: cmd.Message})
	}
	// RFC 3339 times in UTC sort as text; entries without a time go last.
	sort.SliceStable(out.Entries, func(i, j int) bool {
		return out.Entries[i].Time > out.Entries[j].Time
	})
	if len(out.Entries) > maxLogEntries {
		out.Entries, out.Truncated = out.Entries[:maxLogEntries], true
	}
	return out, nil
}

func (s *Server) readSpaces(ctx context.Context, c *call, _ string) (any, error) {
	spaces, err := fleet.AllSpaces(ctx, c.client)
	if err != nil {
		return nil, err
	}
	out := []fleet.Space{}
	for i := range spaces {
		out = append(out, fleet.SpaceView(&spaces[i], false))
	}
	return map[string]any{"spaces": out}, nil
}

func (s *Server) readIncidents(ctx context.Context, c *call, _ string) (any, error) {
	incidents, cut, err := fleet.OpenIncidents(ctx, c.client, 0)
	if err != nil {
		return nil, err
	}
	out := []fleet.Incident{}
	for i := range incidents {
		out = append(out, fleet.IncidentView(&incidents[i]))
	}
	return map[string]any{"incidents": out, "truncated": cut}, nil
}

func (s *Server) readTickets(ctx context.Context, c *call, _ string) (any, error) {
	return fleet.ListTickets(ctx, c.client, "")
}

func (s *Server) readTicket(ctx context.Context, c *call, uri string) (any, error) {
	id, err := uriArg(uri, "ticket://", "", "ticket_id")
	if err != nil {
		return nil, err
	}
	return s.getTicket(ctx, c, ticketIn{TicketID: id})
}

func (s *Server) readOrganization(ctx context.Context, c *call, _ string) (any, error) {
	return s.organizationInfo(ctx, c, noArgs{})
}

// readReport serves report://fleet as Markdown.
func (s *Server) readReport(ctx context.Context, req *mcp.ReadResourceRequest) (
	*mcp.ReadResourceResult, error) {
	overview := func(ctx context.Context, c *call, _ string) (any, error) {
		return fleet.Overview(ctx, c.client)
	}
	v, err := s.readFor(ctx, req, req.Params.URI, overview)
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI,
		MIMEType: "text/markdown", Text: fleet.OverviewMarkdown(v.(*fleet.Snapshot))}}}, nil
}
