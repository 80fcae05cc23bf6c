package xytesim

import (
	"slices"
	"strings"
)

// incidentJSON is an incident (reference §3.5): uuid and id carry the same
// value, since clients disagree on which one they read.
type incidentJSON struct {
	UUID              string  `json:"uuid"`
	ID                string  `json:"id"`
	Title             string  `json:"title"`
	Description       string  `json:"description"`
	Issue             string  `json:"issue"`
	Status            string  `json:"status"`
	Priority          string  `json:"priority"`
	DeviceID          string  `json:"device_id"`
	DeviceName        string  `json:"device_name"`
	DeviceModel       string  `json:"device_model"`
	DeviceSubModel    *string `json:"device_sub_model"`
	PartnerName       string  `json:"partner_name"`
	SpaceID           int64   `json:"space_id"`
	SpaceName         string  `json:"space_name"`
	SpaceTreePathName string  `json:"space_tree_path_name"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
}

func (o *org) incidentView(in *incident) incidentJSON {
	v := incidentJSON{
		UUID: in.id, ID: in.id, Title: in.title, Description: in.description, Issue: in.issue,
		Status: in.status, Priority: in.priority, DeviceID: in.deviceID,
		DeviceName: in.deviceName, DeviceModel: in.deviceModel,
		DeviceSubModel: optString(in.subModel), PartnerName: in.partnerName,
		SpaceID: in.spaceID, SpaceTreePathName: o.spacePath(in.spaceID),
		CreatedAt: stamp(in.createdAt), UpdatedAt: stamp(in.updatedAt),
	}
	if sp := o.space(in.spaceID); sp != nil {
		v.SpaceName = sp.name
	}
	return v
}

var incidentStatuses = []string{"active", "closed"}

// incidentFilter is the query of GET /incidents; text filters match
// case-insensitively, title and description as substrings.
type incidentFilter struct {
	space                                 *space
	status, priority, title, description  string
	issue, deviceModel, partner, subModel string
}

func parseIncidentFilter(c *call) (incidentFilter, error) {
	q := c.q()
	f := incidentFilter{
		status: q.Get("status"), priority: q.Get("priority"), title: q.Get("title"),
		description: q.Get("description"), issue: q.Get("issue"),
		deviceModel: q.Get("device_model"), partner: q.Get("partner_name"),
		subModel: q.Get("sub_model"),
	}
	switch {
	case f.status != "" && !slices.Contains(incidentStatuses, f.status):
		return f, invalid("Invalid status parameter")
	case f.priority != "" && !slices.Contains(priorities, f.priority):
		return f, invalid("Invalid priority parameter")
	}
	var err error
	f.space, err = c.querySpace(c.org)
	return f, err
}

func (f incidentFilter) wants(o *org, in *incident) bool {
	same := func(want, got string) bool { return want == "" || strings.EqualFold(want, got) }
	return (f.space == nil || o.within(in.spaceID, f.space)) &&
		same(f.status, in.status) && same(f.priority, in.priority) &&
		containsFold(in.title, f.title) && containsFold(in.description, f.description) &&
		same(f.issue, in.issue) && same(f.deviceModel, in.deviceModel) &&
		same(f.partner, in.partnerName) && same(f.subModel, in.subModel)
}

// listIncidents pages with page_size (also per_page, and page-size as one
// docs version spells it), at most 500, over a from/to window that
// defaults to the last week.
func (s *Server) listIncidents(c *call) (any, error) {
	p, err := c.page(maxIncidentPage, "page_size", "per_page", "page-size")
	if err != nil {
		return nil, err
	}
	from, to, err := s.window(c, 0)
	if err != nil {
		return nil, err
	}
	f, err := parseIncidentFilter(c)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(slices.Clone(c.org.incidents), func(in *incident) bool {
		return in.createdAt.Before(from) || in.createdAt.After(to) || !f.wants(c.org, in)
	})
	slices.SortStableFunc(out, func(a, b *incident) int { return b.createdAt.Compare(a.createdAt) })
	return listHasNext(out, p, c.org.incidentView), nil
}

// deleteIncident closes the incident and keeps it, as Xyte's own mock
// does; the hub's real behaviour is [?].
func (s *Server) deleteIncident(c *call) (any, error) {
	in := c.org.incident(c.param("incident_id"))
	if in == nil {
		return nil, notFound("Incident")
	}
	if in.status != "closed" {
		in.status, in.updatedAt = "closed", c.now
	}
	return success, nil
}
