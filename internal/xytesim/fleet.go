package xytesim

import (
	"cmp"
	"net"
	"slices"
	"strings"
	"time"
)

// licenseJSON is a licence (reference §2.2, row 57).
type licenseJSON struct {
	ID            string     `json:"id"`
	State         string     `json:"state"`
	ExpiresAt     *string    `json:"expires_at"`
	ActivatedAt   *string    `json:"activated_at"`
	Warranty      bool       `json:"warranty"`
	Transferable  bool       `json:"transferable"`
	BoundDeviceSN *string    `json:"bound_device_sn"`
	CreatedAt     string     `json:"created_at"`
	OrderShortID  string     `json:"order_short_id"`
	Partner       labelJSON  `json:"partner"`
	Device        *licDevice `json:"device"`
	Product       *labelJSON `json:"product"`
	DeviceModel   *labelJSON `json:"device_model"`
}

type licDevice struct {
	ID string `json:"id"`
	SN string `json:"sn"`
}

func (s *Server) licenseView(l *license) licenseJSON {
	v := licenseJSON{
		ID: l.id, State: l.state, ExpiresAt: optStamp(l.expiresAt),
		ActivatedAt: optStamp(l.activatedAt), Warranty: l.warranty, Transferable: l.transferable,
		BoundDeviceSN: optString(l.boundSN), CreatedAt: stamp(l.createdAt),
		OrderShortID: l.order,
		Partner:      labelJSON{ID: s.catalog.partnerID, Name: s.catalog.partnerName},
	}
	if l.deviceID != "" {
		v.Device = &licDevice{ID: l.deviceID, SN: l.deviceSN}
	}
	if l.product != nil {
		v.Product = &labelJSON{ID: l.product.id, Name: l.product.name}
	}
	if l.model != nil {
		v.DeviceModel = &labelJSON{ID: l.model.id, Name: l.model.name}
	}
	return v
}

var licenseStates = []string{
	"available", "inuse", "remove", "error", "disabled", "renew", "disable",
}

// licenseFilter is the query of GET /licenses; an invalid value is 422.
type licenseFilter struct {
	states                           []string
	assigned, warranty, transferable *bool
	deviceID, productID, modelID     string
	boundSN, order                   string
	expiresBefore, expiresAfter      time.Time
}

func parseLicenseFilter(c *call) (licenseFilter, error) {
	q := c.q()
	f := licenseFilter{
		deviceID: q.Get("device_id"), productID: q.Get("product_id"),
		modelID: q.Get("device_model_id"), boundSN: q.Get("bound_device_sn"),
		order: q.Get("order_short_id"),
	}
	for _, v := range append(q["state"], q["state[]"]...) {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); !slices.Contains(licenseStates, st) {
				return f, invalid("Invalid state parameter")
			}
			f.states = append(f.states, st)
		}
	}
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"assigned", &f.assigned}, {"warranty", &f.warranty}, {"transferable", &f.transferable}} {
		v, set, err := c.queryBool(b.name)
		if err != nil {
			return f, err
		}
		if set {
			*b.dst = &v
		}
	}
	return f.parseExpiry(c)
}

// parseExpiry reads expires_before and expires_after: ISO 8601, UTC when
// no offset is given.
func (f licenseFilter) parseExpiry(c *call) (licenseFilter, error) {
	for _, e := range []struct {
		name string
		dst  *time.Time
	}{{"expires_before", &f.expiresBefore}, {"expires_after", &f.expiresAfter}} {
		v := c.q().Get(e.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse("2006-01-02T15:04:05", v)
		}
		if err != nil {
			return f, invalid("Invalid %s parameter", e.name)
		}
		*e.dst = t
	}
	return f, nil
}

func (f licenseFilter) wants(l *license) bool {
	is := func(want *bool, got bool) bool { return want == nil || *want == got }
	same := func(want, got string) bool { return want == "" || want == got }
	productID, modelID := "", ""
	if l.product != nil {
		productID = l.product.id
	}
	if l.model != nil {
		modelID = l.model.id
	}
	return (len(f.states) == 0 || slices.Contains(f.states, l.state)) &&
		is(f.assigned, l.deviceID != "") && is(f.warranty, l.warranty) &&
		is(f.transferable, l.transferable) && same(f.deviceID, l.deviceID) &&
		same(f.productID, productID) && same(f.modelID, modelID) &&
		same(f.boundSN, l.boundSN) && same(f.order, l.order) &&
		(f.expiresBefore.IsZero() || l.expiresAt.Before(f.expiresBefore)) &&
		(f.expiresAfter.IsZero() || l.expiresAt.After(f.expiresAfter))
}

// listLicenses is sorted by created_at, newest first, as the docs fix it.
func (s *Server) listLicenses(c *call) (any, error) {
	p, err := c.page(maxPerPage)
	if err != nil {
		return nil, err
	}
	f, err := parseLicenseFilter(c)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(slices.Clone(c.org.licenses), func(l *license) bool {
		return !f.wants(l)
	})
	slices.SortStableFunc(out, func(a, b *license) int { return b.createdAt.Compare(a.createdAt) })
	return listNextPage(out, p, s.licenseView), nil
}

// modelJSON is a device model; the hub's shape is [?].
type modelJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	PartnerName string   `json:"partner_name"`
	DeviceType  string   `json:"device_type"`
	Edge        bool     `json:"edge"`
	SubModels   []string `json:"sub_models"`
	CreatedAt   string   `json:"created_at"`
}

func modelView(m *deviceModel) modelJSON {
	subs := m.subModels
	if subs == nil {
		subs = []string{}
	}
	return modelJSON{
		ID: m.id, Name: m.name, PartnerName: m.vendor, DeviceType: kinds[m.kind].label,
		Edge: m.edge, SubModels: subs, CreatedAt: stamp(m.createdAt),
	}
}

// listModels searches names and vendors; edge_only keeps edge models.
func (s *Server) listModels(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	edgeOnly, _, err := c.queryBool("edge_only")
	if err != nil {
		return nil, err
	}
	search := c.q().Get("search")
	out := slices.DeleteFunc(slices.Clone(s.catalog.models), func(m *deviceModel) bool {
		return (edgeOnly && !m.edge) ||
			!(containsFold(m.name, search) || containsFold(m.vendor, search))
	})
	return listNextPage(out, p, modelView), nil
}

func (s *Server) getModel(c *call) (any, error) {
	m := s.catalog.model(c.param("model_id"))
	if m == nil {
		return nil, notFound("Model")
	}
	return modelView(m), nil
}

// edgeJSON is an edge proxy; the hub's shape is [?].
type edgeJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	IP        string `json:"ip"`
	Version   string `json:"version"`
	SpaceID   int64  `json:"space_id"`
	CreatedAt string `json:"created_at"`
}

func edgeView(e *edge) edgeJSON {
	return edgeJSON{
		ID: e.id, Name: e.name, Status: e.status, IP: e.ip, Version: e.version,
		SpaceID: e.spaceID, CreatedAt: stamp(e.createdAt),
	}
}

func (s *Server) listEdges(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	return listNextPage(c.org.edges, p, edgeView), nil
}

// probeBody is the body of start_ping and start_claim.
type probeBody struct {
	ProxyID          string         `json:"proxy_id"`
	DeviceIP         string         `json:"device_ip"`
	DeviceModelID    string         `json:"device_model_id"`
	SpaceID          *flexID        `json:"space_id"`
	DisplayName      string         `json:"display_name"`
	CustomParameters map[string]any `json:"custom_parameters"`
	MAC              string         `json:"mac"`
	SN               string         `json:"sn"`
}

// probeKey identifies a ping or claim by proxy and address.
func probeKey(proxyID, ip string) string { return proxyID + "|" + ip }

// checkProbe validates the proxy and address of a ping or claim.
func (o *org) checkProbe(proxyID, ip string) error {
	if o.edge(proxyID) == nil {
		return invalid("Invalid proxy_id")
	}
	if net.ParseIP(ip) == nil {
		return invalid("Invalid device_ip")
	}
	return nil
}

func (s *Server) startPing(c *call) (any, error) {
	var b probeBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := c.org.checkProbe(b.ProxyID, b.DeviceIP); err != nil {
		return nil, err
	}
	c.org.pings[probeKey(b.ProxyID, b.DeviceIP)] = true
	return noContent{}, nil
}

// getPingStatus is 422 until a ping was started for the same proxy and
// address.
func (s *Server) getPingStatus(c *call) (any, error) {
	if !c.org.pings[probeKey(c.q().Get("proxy_id"), c.q().Get("device_ip"))] {
		return nil, invalid("No ping was started for this proxy and device_ip")
	}
	return map[string]string{"status": "online"}, nil
}

// startClaim claims a device through an edge proxy: it appears in the
// device list at once, never seen, and the claim status reads success.
func (s *Server) startClaim(c *call) (any, error) {
	var b probeBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := c.org.checkProbe(b.ProxyID, b.DeviceIP); err != nil {
		return nil, err
	}
	d, err := s.edgeDevice(c, b)
	if err != nil {
		return nil, err
	}
	c.org.devices = append(c.org.devices, d)
	c.org.edgeClaims[probeKey(b.ProxyID, b.DeviceIP)] = true
	return noContent{}, nil
}

func (s *Server) edgeDevice(c *call, b probeBody) (*device, error) {
	m := s.catalog.model(b.DeviceModelID)
	if m == nil {
		return nil, invalid("Invalid device_model_id")
	}
	mac, ok := normalizeMAC(b.MAC)
	if !ok {
		return nil, invalid("Invalid mac")
	}
	sp := c.org.root()
	if b.SpaceID != nil {
		var err error
		if sp, err = c.org.bodySpace(b.SpaceID); err != nil {
			return nil, err
		}
	}
	id := c.org.newID()
	custom := b.CustomParameters
	if custom == nil {
		custom = map[string]any{}
	}
	return &device{
		id: id, name: cmp.Or(strings.TrimSpace(b.DisplayName), b.DeviceIP),
		sn: cmp.Or(b.SN, id), mac: mac, ip: b.DeviceIP, status: "offline",
		effective: "never_seen", model: m, spaceID: sp.id, createdAt: c.now,
		state: map[string]any{}, custom: custom, histKey: c.org.rng.Uint64(),
	}, nil
}

// normalizeMAC accepts any separator style and renders aa:bb:cc:dd:ee:ff;
// "" stays "".
func normalizeMAC(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	hexDigits := strings.Map(func(r rune) rune {
		if strings.ContainsRune(":-. ", r) {
			return -1
		}
		return r
	}, strings.ToLower(s))
	hw, err := net.ParseMAC(strings.Join(chunks(hexDigits, 2), ":"))
	if err != nil || len(hw) != 6 {
		return "", false
	}
	return hw.String(), true
}

func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}

func (s *Server) getClaimStatus(c *call) (any, error) {
	if !c.org.edgeClaims[probeKey(c.q().Get("proxy_id"), c.q().Get("device_ip"))] {
		return nil, invalid("No claim was started for this proxy and device_ip")
	}
	return map[string]string{"result": "success"}, nil
}

// updateHostname sets a device's address: 400 without device_ip, 422 when
// it has characters other than letters, digits, dots and hyphens.
func (s *Server) updateHostname(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	var b struct {
		DeviceIP              string `json:"device_ip"`
		SkipConnectivityCheck bool   `json:"skip_connectivity_check"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.DeviceIP == "" {
		return nil, badRequest("Parameter device_ip is required")
	}
	if !hostPattern.MatchString(b.DeviceIP) {
		return nil, invalid("Invalid device_ip")
	}
	d.ip = b.DeviceIP
	return success, nil
}

// infoJSON is GET /info (reference §3.8).
type infoJSON struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	CreatedAt    string       `json:"created_at"`
	Lab          bool         `json:"lab"`
	Partner      string       `json:"partner"`
	Domain       string       `json:"domain"`
	MobileDomain string       `json:"mobile_domain"`
	PricingPlan  string       `json:"pricing_plan"`
	Contacts     contactsJSON `json:"contacts"`
	Statistics   statsJSON    `json:"statistics"`
}

type contactsJSON struct {
	AdminEmail   string `json:"admin_email"`
	AdminName    string `json:"admin_name"`
	FinanceEmail string `json:"finance_email"`
	FinanceName  string `json:"finance_name"`
}

type statsJSON struct {
	Devices         int `json:"devices"`
	Users           int `json:"users"`
	Groups          int `json:"groups"`
	Spaces          int `json:"spaces"`
	OpenTickets     int `json:"open_tickets"`
	OpenIncidents   int `json:"open_incidents"`
	PendingInvoices int `json:"pending_invoices"`
}

// getInfo describes the caller's organization; any body is ignored.
func (s *Server) getInfo(c *call) (any, error) {
	return s.infoView(c.org), nil
}

func (s *Server) infoView(o *org) infoJSON {
	stats := statsJSON{
		Devices: len(o.devices), Groups: len(o.groups), Spaces: len(o.spaces),
		Users:       countOf(o.users, func(u *user) bool { return u.deactivatedAt.IsZero() }),
		OpenTickets: countOf(o.tickets, func(t *ticket) bool { return t.status == "open" }),
		OpenIncidents: countOf(o.incidents, func(in *incident) bool {
			return in.status == "active"
		}),
	}
	return infoJSON{
		ID: o.id, Name: o.name, CreatedAt: stamp(o.createdAt), Partner: s.catalog.partnerName,
		Domain: "https://app.xyte.io", MobileDomain: "https://m.xyte.io", PricingPlan: "pro",
		Contacts: contactsJSON{
			AdminEmail: o.contact, AdminName: o.contactName,
			FinanceEmail: "billing@" + o.slug + ".example.com", FinanceName: "Billing Team",
		},
		Statistics: stats,
	}
}

// countOf counts the items that match.
func countOf[T any](items []*T, match func(*T) bool) int {
	n := 0
	for _, it := range items {
		if match(it) {
			n++
		}
	}
	return n
}
