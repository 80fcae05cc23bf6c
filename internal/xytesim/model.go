package xytesim

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Device kinds of the seeded fleet.
const (
	kindDisplay   = "display"
	kindProjector = "projector"
	kindCodec     = "video_codec"
	kindAmplifier = "amplifier"
	kindSwitcher  = "switcher"
)

// catalog is what the simulated partner sells, shared by every org: device
// models, licence products and the partner itself.
type catalog struct {
	partnerID, partnerName string
	models                 []*deviceModel
	products               []*product
}

type product struct {
	id, name string
}

type deviceModel struct {
	id, name, vendor, kind string
	snPrefix               string
	subModels              []string
	firmware               []string
	edge                   bool // managed through an edge proxy (custom parameters)
	cloud                  bool // claimed by cloud_id rather than mac and sn
	createdAt              time.Time
}

func (c *catalog) model(id string) *deviceModel {
	return findFirst(c.models, func(m *deviceModel) bool { return m.id == id })
}

// org is one organization's data. Ids of entities created after seeding
// come from rng, so the same sequence of calls gives the same ids.
type org struct {
	index                int
	key                  string
	readOnly             bool
	id, name, slug       string
	createdAt            time.Time
	rng                  *rand.Rand
	histSeed             uint64
	nextSpaceID          int64
	nextCommentID        int64
	spaces               []*space
	devices              []*device
	commands             []*command
	incidents            []*incident
	tickets              []*ticket
	users                []*user
	groups               []*group
	assets               []*asset
	labels               map[string][]*label // by category
	deviceNotes          []*note
	spaceNotes           []*note
	licenses             []*license
	edges                []*edge
	pings, edgeClaims    map[string]bool // started per proxy_id and device_ip
	contactName, contact string
}

type space struct {
	id, parentID int64 // parentID is 0 for the root
	name, kind   string
	createdAt    time.Time
	config       map[string]any
}

type device struct {
	id, name, sn, mac, cloudID string
	status                     string // raw: online, offline or error
	effective                  string // ok, warning, error, offline, disconnected, never_seen
	lastSeen                   time.Time
	live                       bool          // still reporting: last seen follows the clock
	lag                        time.Duration // how far behind the clock a live device was seen
	ip, input                  string
	model                      *deviceModel
	subModel, firmware         string
	customModel, customVendor  string
	spaceID                    int64
	createdAt                  time.Time
	state                      map[string]any
	custom                     map[string]any // edge devices only
	config                     map[string]any
	suspended                  bool
	merged                     []*device // shadow devices merged into this one
	histKey                    uint64
}

type command struct {
	id, deviceID, name, friendly string
	params                       map[string]any
	fileID                       string
	createdAt                    time.Time
	final, message               string // final: done, failed or cancelled once settled
	finalAt                      time.Time
}

type incident struct {
	id, title, description, issue string
	status, priority              string
	deviceID, deviceName          string
	deviceModel, subModel         string
	partnerName                   string
	spaceID                       int64
	createdAt, updatedAt          time.Time
}

type ticket struct {
	id, title, description, status string
	deviceID, userName, userEmail  string
	createdAt, updatedAt           time.Time
	comments                       []*comment
}

type comment struct {
	id                     int64
	text                   string
	createdAt              time.Time
	system                 bool
	user, owner, ownerType string
}

type user struct {
	id, name, email          string
	groupIDs                 []string
	createdAt, deactivatedAt time.Time
}

type group struct {
	id, name  string
	createdAt time.Time
}

type label struct {
	id, name string
}

type asset struct {
	id, name, serial     string
	spaceID              int64
	purchasedAt          time.Time
	comments, icon       string
	labels               map[string]*label // by category
	createdAt, updatedAt time.Time
}

type note struct {
	id, content, deviceID string
	spaceID               int64
	createdAt             time.Time
}

type license struct {
	id, state                          string
	expiresAt, activatedAt, createdAt  time.Time
	warranty, transferable             bool
	deviceID, deviceSN, boundSN, order string
	product                            *product
	model                              *deviceModel
}

type edge struct {
	id, name, status, ip, version string
	spaceID                       int64
	createdAt                     time.Time
}

// findFirst returns the first item that matches, or nil.
func findFirst[T any](items []*T, match func(*T) bool) *T {
	for _, it := range items {
		if match(it) {
			return it
		}
	}
	return nil
}

func (o *org) newID() string { return newUUID(o.rng) }

func (o *org) root() *space { return o.spaces[0] }

func (o *org) space(id int64) *space {
	return findFirst(o.spaces, func(s *space) bool { return s.id == id })
}

func (o *org) device(id string) *device {
	return findFirst(o.devices, func(d *device) bool { return d.id == id })
}

func (o *org) ticket(id string) *ticket {
	return findFirst(o.tickets, func(t *ticket) bool { return t.id == id })
}

func (o *org) incident(id string) *incident {
	return findFirst(o.incidents, func(i *incident) bool { return i.id == id })
}

func (o *org) user(id string) *user {
	return findFirst(o.users, func(u *user) bool { return u.id == id })
}

func (o *org) group(id string) *group {
	return findFirst(o.groups, func(g *group) bool { return g.id == id })
}

func (o *org) asset(id string) *asset {
	return findFirst(o.assets, func(a *asset) bool { return a.id == id })
}

func (o *org) edge(id string) *edge {
	return findFirst(o.edges, func(e *edge) bool { return e.id == id })
}

// fullPath is the names from the root down to sp, joined by "/".
func (o *org) fullPath(sp *space) string {
	var names []string
	for cur := sp; cur != nil; cur = o.parent(cur) {
		names = append(names, cur.name)
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

func (o *org) parent(sp *space) *space {
	if sp.parentID == 0 {
		return nil
	}
	return o.space(sp.parentID)
}

// within reports whether space id lies in the subtree of ancestor.
func (o *org) within(id int64, ancestor *space) bool {
	for cur := o.space(id); cur != nil; cur = o.parent(cur) {
		if cur.id == ancestor.id {
			return true
		}
	}
	return false
}

// spacePath is the full path of a space id, or "" if it is gone.
func (o *org) spacePath(id int64) string {
	if sp := o.space(id); sp != nil {
		return o.fullPath(sp)
	}
	return ""
}
