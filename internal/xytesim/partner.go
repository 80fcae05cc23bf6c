package xytesim

import (
	"cmp"
	"slices"
	"strings"
)

// The Partner API sees every organization. Its lists use the documented
// {"data", "page_info"} envelope and single entities the documented
// {"data": [entity]} wrapper; for the endpoints whose shape is not
// documented ([?]) the same envelopes are used.

// partnerDevice finds a device of any org.
func (s *Server) partnerDevice(c *call) (*org, *device, error) {
	id := c.param("device_id")
	for _, o := range s.orgs {
		if d := o.device(id); d != nil {
			return o, d, nil
		}
	}
	return nil, nil, notFound("Device")
}

// partnerTicket finds a ticket of any org.
func (s *Server) partnerTicket(c *call) (*org, *ticket, error) {
	id := c.param("ticket_id")
	for _, o := range s.orgs {
		if t := o.ticket(id); t != nil {
			return o, t, nil
		}
	}
	return nil, nil, notFound("Ticket")
}

// claimedDevice is a device with the name of the org that claimed it.
type claimedDevice struct {
	o *org
	d *device
}

func (s *Server) partnerListDevices(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	var all []claimedDevice
	for _, o := range s.orgs {
		for _, d := range o.devices {
			all = append(all, claimedDevice{o, d})
		}
	}
	return listPartner(all, p, func(cd claimedDevice) deviceJSON {
		v := cd.o.deviceView(cd.d, c.now)
		v.Claimed = cd.o.name
		return v
	}), nil
}

func (s *Server) partnerGetDevice(c *call) (any, error) {
	o, d, err := s.partnerDevice(c)
	if err != nil {
		return nil, err
	}
	v := o.deviceDetail(d, c.now)
	v.Claimed = o.name
	return partnerItem[deviceJSON]{Data: []deviceJSON{v}}, nil
}

func (s *Server) partnerDeleteDevice(c *call) (any, error) {
	o, d, err := s.partnerDevice(c)
	if err != nil {
		return nil, err
	}
	o.removeDevice(d)
	return success, nil
}

func (s *Server) partnerListCommands(c *call) (any, error) {
	o, d, err := s.partnerDevice(c)
	if err != nil {
		return nil, err
	}
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	return listPartner(o.deviceCommands(d.id), p, func(cmd *command) commandJSON {
		return s.commandView(cmd, c.now)
	}), nil
}

// partnerGetConfig answers {"data": configuration}, {} when none is set.
func (s *Server) partnerGetConfig(c *call) (any, error) {
	_, d, err := s.partnerDevice(c)
	if err != nil {
		return nil, err
	}
	config := d.config
	if config == nil {
		config = map[string]any{}
	}
	return struct {
		Data map[string]any `json:"data"`
	}{Data: config}, nil
}

func (s *Server) partnerDeviceHistory(c *call) (any, error) {
	o, d, err := s.partnerDevice(c)
	if err != nil {
		return nil, err
	}
	q, err := s.parseHistoryQuery(c, nil)
	if err != nil {
		return nil, err
	}
	q.device = d
	return s.partnerHistoryPage(c, s.histories(o, q))
}

// partnerHistories spans every org; device_id, status and name filter it.
func (s *Server) partnerHistories(c *call) (any, error) {
	q, err := s.parseHistoryQuery(c, nil)
	if err != nil {
		return nil, err
	}
	id := c.q().Get("device_id")
	var rows []historyJSON
	for _, o := range s.orgs {
		if q.device = o.device(id); id == "" || q.device != nil {
			rows = append(rows, s.histories(o, q)...)
		}
	}
	slices.SortStableFunc(rows, func(a, b historyJSON) int {
		return cmp.Or(cmp.Compare(b.CreatedAt, a.CreatedAt), cmp.Compare(a.UUID, b.UUID))
	})
	return s.partnerHistoryPage(c, rows)
}

func (s *Server) partnerHistoryPage(c *call, rows []historyJSON) (any, error) {
	p, err := c.page(maxHistoryPage)
	if err != nil {
		return nil, err
	}
	return listPartner(rows, p, func(h historyJSON) historyJSON { return h }), nil
}

// telemetryJSON is one value of a device's latest telemetry.
type telemetryJSON struct {
	Name      string `json:"name"`
	Value     any    `json:"value"`
	CreatedAt string `json:"created_at"`
}

// partnerTelemetries lists the device's latest state as telemetry values,
// sorted by name, stamped with when the device was last seen.
func (s *Server) partnerTelemetries(c *call) (any, error) {
	_, d, err := s.partnerDevice(c)
	if err != nil {
		return nil, err
	}
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	var values []telemetryJSON
	if seen := d.lastSeenAt(c.now); !seen.IsZero() {
		for name, v := range d.state {
			values = append(values, telemetryJSON{
				Name: name, Value: v, CreatedAt: stampMillis(seen),
			})
		}
	}
	slices.SortFunc(values, func(a, b telemetryJSON) int { return cmp.Compare(a.Name, b.Name) })
	return listPartner(values, p, func(t telemetryJSON) telemetryJSON { return t }), nil
}

// partnerCreateOrg adds an organization with only its root space. It has
// no API key, so it is visible through the Partner API only.
func (s *Server) partnerCreateOrg(c *call) (any, error) {
	var b struct {
		Name                string `json:"name"`
		AdminContactEmail   string `json:"admin_contact_email"`
		AdminContactName    string `json:"admin_contact_name"`
		FinanceContactEmail string `json:"finance_contact_email"`
		FinanceContactName  string `json:"finance_contact_name"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(b.Name)
	if name == "" {
		return nil, invalid("Parameter name is required")
	}
	if slices.ContainsFunc(s.orgs, func(o *org) bool { return strings.EqualFold(o.name, name) }) {
		return nil, invalid("Name has already been taken")
	}
	o := newOrg(Org{Name: name}, len(s.orgs), s.cfg.Seed, c.now, s.catalog)
	o.contactName = cmp.Or(b.AdminContactName, o.contactName)
	o.contact = cmp.Or(b.AdminContactEmail, o.contact)
	s.orgs = append(s.orgs, o)
	return s.infoView(o), nil
}

// partnerListTickets lists the open tickets of every org, newest first.
func (s *Server) partnerListTickets(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	var all []*ticket
	for _, o := range s.orgs {
		all = append(all, o.tickets...)
	}
	return listPartner(openTickets(all), p, ticketView), nil
}

func (s *Server) partnerGetTicket(c *call) (any, error) {
	_, t, err := s.partnerTicket(c)
	if err != nil {
		return nil, err
	}
	return partnerItem[ticketDetailJSON]{Data: []ticketDetailJSON{ticketDetail(t)}}, nil
}

func (s *Server) partnerUpdateTicket(c *call) (any, error) {
	_, t, err := s.partnerTicket(c)
	if err != nil {
		return nil, err
	}
	if err := c.editTicket(t); err != nil {
		return nil, err
	}
	return partnerItem[ticketDetailJSON]{Data: []ticketDetailJSON{ticketDetail(t)}}, nil
}

func (s *Server) partnerMessageTicket(c *call) (any, error) {
	o, t, err := s.partnerTicket(c)
	if err != nil {
		return nil, err
	}
	text, err := c.message()
	if err != nil {
		return nil, err
	}
	cm := o.newComment(text, false, "API", c.now)
	cm.owner, cm.ownerType = s.catalog.partnerName, "partner"
	t.comments, t.updatedAt = append(t.comments, cm), c.now
	return success, nil
}

func (s *Server) partnerResolveTicket(c *call) (any, error) {
	_, t, err := s.partnerTicket(c)
	if err != nil {
		return nil, err
	}
	resolve(t, c.now)
	return success, nil
}
