package xytesim

// Snapshot lists the ids of one organization's data at the time it was
// taken, so tests can use real ids without hard-coding them.
type Snapshot struct {
	OrgID, Name, KeyHash string
	RootSpaceID          int64
	SpaceIDs             []int64 // root first, then sites, floors and rooms
	SiteIDs, RoomIDs     []int64
	DeviceIDs            []string
	OnlineDeviceIDs      []string // effective status ok or warning
	OfflineDeviceIDs     []string // effective status offline
	NeverSeenDeviceIDs   []string
	EdgeDeviceIDs        []string // devices with custom parameters
	TicketIDs            []string
	OpenTicketIDs        []string
	IncidentIDs          []string
	ActiveIncidentIDs    []string
	UserIDs              []string // active and deactivated
	GroupIDs             []string
	AssetIDs             []string
	DeviceNoteIDs        []string
	SpaceNoteIDs         []string
	LicenseIDs           []string
	EdgeIDs              []string
	ModelIDs             []string // the shared catalogue
}

// Snapshot returns the ids of the organization that key selects.
func (s *Server) Snapshot(key string) (Snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byKey[key]
	if !ok {
		return Snapshot{}, false
	}
	snap := Snapshot{OrgID: o.id, Name: o.name, KeyHash: KeyHash(key), RootSpaceID: o.root().id}
	snap.addSpaces(o)
	snap.addDevices(o)
	snap.addRest(o)
	for _, m := range s.catalog.models {
		snap.ModelIDs = append(snap.ModelIDs, m.id)
	}
	return snap, true
}

func (snap *Snapshot) addSpaces(o *org) {
	for _, sp := range o.spaces {
		snap.SpaceIDs = append(snap.SpaceIDs, sp.id)
		switch sp.kind {
		case "site":
			snap.SiteIDs = append(snap.SiteIDs, sp.id)
		case "room":
			snap.RoomIDs = append(snap.RoomIDs, sp.id)
		}
	}
}

func (snap *Snapshot) addDevices(o *org) {
	for _, d := range o.devices {
		snap.DeviceIDs = append(snap.DeviceIDs, d.id)
		switch d.effective {
		case "ok", "warning":
			snap.OnlineDeviceIDs = append(snap.OnlineDeviceIDs, d.id)
		case "offline":
			snap.OfflineDeviceIDs = append(snap.OfflineDeviceIDs, d.id)
		case "never_seen":
			snap.NeverSeenDeviceIDs = append(snap.NeverSeenDeviceIDs, d.id)
		}
		if d.custom != nil {
			snap.EdgeDeviceIDs = append(snap.EdgeDeviceIDs, d.id)
		}
	}
}

func (snap *Snapshot) addRest(o *org) {
	for _, t := range o.tickets {
		snap.TicketIDs = append(snap.TicketIDs, t.id)
		if t.status == "open" {
			snap.OpenTicketIDs = append(snap.OpenTicketIDs, t.id)
		}
	}
	for _, in := range o.incidents {
		snap.IncidentIDs = append(snap.IncidentIDs, in.id)
		if in.status == "active" {
			snap.ActiveIncidentIDs = append(snap.ActiveIncidentIDs, in.id)
		}
	}
	snap.UserIDs = mapSlice(o.users, func(u *user) string { return u.id })
	snap.GroupIDs = mapSlice(o.groups, func(g *group) string { return g.id })
	snap.AssetIDs = mapSlice(o.assets, func(a *asset) string { return a.id })
	snap.DeviceNoteIDs = mapSlice(o.deviceNotes, func(n *note) string { return n.id })
	snap.SpaceNoteIDs = mapSlice(o.spaceNotes, func(n *note) string { return n.id })
	snap.LicenseIDs = mapSlice(o.licenses, func(l *license) string { return l.id })
	snap.EdgeIDs = mapSlice(o.edges, func(e *edge) string { return e.id })
}

// DeviceIDs returns the device ids of the organization key selects, or nil.
func (s *Server) DeviceIDs(key string) []string {
	snap, _ := s.Snapshot(key)
	return snap.DeviceIDs
}
