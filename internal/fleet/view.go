package fleet

import (
	"encoding/json"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Device is a device as callers see it. Lists carry the summary fields only;
// a single device also carries State, Details, CustomParameters and Extra.
// It encodes itself (AppendJSON): a struct that embedded it would encode as
// the device alone, so give such a field a name.
type Device struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status,omitempty" jsonschema:"raw status: online, offline or error"`
	// EffectiveStatus is ok, warning, error, offline, disconnected or never_seen.
	EffectiveStatus string `json:"effective_status,omitempty" jsonschema:"status after the hub's rules"`
	LastSeenAt      string `json:"last_seen_at,omitempty" jsonschema:"RFC 3339; absent when never seen"`
	Model           string `json:"model,omitempty"`
	SubModel        string `json:"sub_model,omitempty"`
	SpaceID         int64  `json:"space_id,omitempty"`
	SpacePath       string `json:"space_path,omitempty" jsonschema:"full path, such as Org/Site/Floor/Room"`
	SN              string `json:"sn,omitempty"`
	MAC             string `json:"mac,omitempty"`
	CloudID         string `json:"cloud_id,omitempty"`

	State            map[string]any `json:"state,omitempty" jsonschema:"reported state (model-specific)"`
	Details          map[string]any `json:"details,omitempty"`
	CustomParameters map[string]any `json:"custom_parameters,omitempty"`
	Extra            map[string]any `json:"extra,omitempty" jsonschema:"other fields the hub sent"`
}

// DeviceSummary returns the list view of an upstream device.
func DeviceSummary(d *xyte.Device) Device {
	v := Device{
		ID: d.ID, Name: d.Name, Status: d.Status, EffectiveStatus: d.EffectiveStatus,
		LastSeenAt: timeText(d.LastSeenAt), SN: d.SN, MAC: d.MAC, CloudID: d.CloudID,
	}
	if d.Model != nil {
		v.Model, v.SubModel = d.Model.Name, d.Model.SubModel
	}
	if d.Space != nil {
		v.SpaceID, v.SpacePath = int64(d.Space.ID), d.Space.FullPath
		if v.SpacePath == "" {
			v.SpacePath = d.Space.Name
		}
	}
	return v
}

// DeviceDetail returns the full view of an upstream device.
func DeviceDetail(d *xyte.Device) Device {
	v := DeviceSummary(d)
	v.State, v.Details, v.CustomParameters = d.State, d.Details, d.CustomParameters
	v.Extra = extraMap(d.Extra)
	return v
}

// Command is a command sent to a device.
type Command struct {
	ID           string         `json:"id"`
	DeviceID     string         `json:"device_id,omitempty"`
	Name         string         `json:"name,omitempty"`
	FriendlyName string         `json:"friendly_name,omitempty"`
	Status       string         `json:"status,omitempty" jsonschema:"pending, in_progress, done, failed or cancelled"`
	Parameters   map[string]any `json:"parameters,omitempty"`
	FileID       string         `json:"file_id,omitempty"`
	Message      string         `json:"message,omitempty"`
	CreatedAt    string         `json:"created_at,omitempty"`
	UpdatedAt    string         `json:"updated_at,omitempty"`
}

// CommandView returns the view of an upstream command.
func CommandView(c *xyte.Command) Command {
	return Command{
		ID: c.ID, DeviceID: c.DeviceID, Name: c.Name, FriendlyName: c.FriendlyName,
		Status: c.Status, Parameters: c.Parameters, FileID: c.FileID, Message: c.Message,
		CreatedAt: timeText(c.CreatedAt), UpdatedAt: timeText(c.UpdatedAt),
	}
}

// History is one entry of a device's state history.
type History struct {
	DeviceID  string         `json:"device_id,omitempty"`
	Name      string         `json:"name,omitempty"`
	Model     string         `json:"model,omitempty"`
	SpaceID   int64          `json:"space_id,omitempty"`
	Status    string         `json:"status,omitempty"`
	State     map[string]any `json:"state,omitempty"`
	CreatedAt string         `json:"created_at,omitempty"`
}

// HistoryView returns the view of an upstream history record.
func HistoryView(h *xyte.HistoryRecord) History {
	status := h.Status
	if s, ok := h.State["status"].(string); ok && status == "" {
		status = s
	}
	return History{
		DeviceID: h.DeviceID, Name: h.Name, Model: h.Model, SpaceID: int64(h.SpaceID),
		Status: status, State: h.State, CreatedAt: timeText(h.CreatedAt),
	}
}

// Space is a node of the space tree.
type Space struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	ParentID  int64          `json:"parent_id,omitempty"`
	SpaceType string         `json:"space_type,omitempty" jsonschema:"such as root, site, building, floor or room"`
	FullPath  string         `json:"full_path,omitempty"`
	CreatedAt string         `json:"created_at,omitempty"`
	Config    map[string]any `json:"config,omitempty"`
}

// SpaceView returns the view of an upstream space; config only when detail.
func SpaceView(s *xyte.Space, detail bool) Space {
	v := Space{
		ID: int64(s.ID), Name: s.Name, ParentID: int64(s.ParentID), SpaceType: s.SpaceType,
		FullPath: s.FullPath, CreatedAt: timeText(s.CreatedAt),
	}
	if detail {
		v.Config = s.Config
	}
	return v
}

// Incident is an incident the hub opened for a device.
type Incident struct {
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Issue       string `json:"issue,omitempty"`
	Status      string `json:"status,omitempty" jsonschema:"active or closed"`
	Priority    string `json:"priority,omitempty" jsonschema:"critical, high, moderate, low or planning"`
	DeviceID    string `json:"device_id,omitempty"`
	DeviceName  string `json:"device_name,omitempty"`
	DeviceModel string `json:"device_model,omitempty"`
	SpaceID     int64  `json:"space_id,omitempty"`
	SpacePath   string `json:"space_path,omitempty"`
	CreatedAt   string `json:"created_at,omitempty"`
	UpdatedAt   string `json:"updated_at,omitempty"`
}

// IncidentView returns the view of an upstream incident.
func IncidentView(i *xyte.Incident) Incident {
	path := i.SpaceTreePathName
	if path == "" {
		path = i.SpaceName
	}
	return Incident{
		ID: i.Key(), Title: i.Title, Description: i.Description, Issue: i.Issue,
		Status: i.Status, Priority: i.Priority, DeviceID: i.DeviceID, DeviceName: i.DeviceName,
		DeviceModel: i.DeviceModel, SpaceID: int64(i.SpaceID), SpacePath: path,
		CreatedAt: timeText(i.CreatedAt), UpdatedAt: timeText(i.UpdatedAt),
	}
}

// Ticket is a support ticket; Comments only on a single ticket.
type Ticket struct {
	ID          string    `json:"id"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status,omitempty" jsonschema:"open or resolved"`
	DeviceID    string    `json:"device_id,omitempty"`
	UserName    string    `json:"user_name,omitempty"`
	UserEmail   string    `json:"user_email,omitempty"`
	CreatedAt   string    `json:"created_at,omitempty"`
	Comments    []Comment `json:"comments,omitempty"`
}

// Comment is one message on a ticket.
type Comment struct {
	ID        string `json:"id"`
	Text      string `json:"text,omitempty"`
	User      string `json:"user,omitempty"`
	System    bool   `json:"system,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
}

// TicketView returns the view of an upstream ticket.
func TicketView(t *xyte.Ticket) Ticket {
	v := Ticket{
		ID: t.ID, Title: t.Title, Description: t.Description, Status: t.Status,
		DeviceID: t.DeviceID, UserName: t.UserName, UserEmail: t.UserEmail,
		CreatedAt: timeText(t.CreatedAt),
	}
	for _, c := range t.Comments {
		v.Comments = append(v.Comments, Comment{
			ID: string(c.ID), Text: c.Text, User: c.User, System: c.System,
			CreatedAt: timeText(c.CreatedAt),
		})
	}
	return v
}

// Organization describes the organization a key belongs to.
type Organization struct {
	ID          string         `json:"id,omitempty"`
	Name        string         `json:"name"`
	Partner     string         `json:"partner,omitempty"`
	PricingPlan string         `json:"pricing_plan,omitempty"`
	Lab         bool           `json:"lab,omitempty"`
	CreatedAt   string         `json:"created_at,omitempty"`
	Contacts    map[string]any `json:"contacts,omitempty"`
	Statistics  map[string]any `json:"statistics,omitempty"`
}

// OrganizationView returns the view of the upstream organization info.
func OrganizationView(o *xyte.OrgInfo) Organization {
	return Organization{
		ID: o.ID, Name: o.Name, Partner: o.Partner, PricingPlan: o.PricingPlan, Lab: o.Lab,
		CreatedAt: timeText(o.CreatedAt), Contacts: o.Contacts, Statistics: o.Statistics,
	}
}

// timeText formats an upstream time as RFC 3339 UTC, or "" for the zero time.
func timeText(t xyte.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// extraMap decodes the unknown fields of an upstream object.
func extraMap(e xyte.Extra) map[string]any {
	if len(e) == 0 {
		return nil
	}
	out := make(map[string]any, len(e))
	for k, raw := range e {
		if jsontext.Value(raw).IsValid(jsontext.AllowDuplicateNames(true)) {
			if v, ok := jsonscan.DecodeAny(raw); ok {
				out[k] = v
				continue
			}
		}
		var v any
		if json.Unmarshal(raw, &v) == nil {
			out[k] = v
		}
	}
	return out
}
