package xytesim

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

const (
	day = 24 * time.Hour

	catalogStream = 0x636174616c6f67 // separate generator streams per purpose
	orgStreamBase = 0x6f7267 << 8
)

// newRand returns the generator of one stream of simulated data. It is
// math/rand on purpose: one seed must always give the same data, and nothing
// drawn from it is a secret. The seed's bits are used as they are, so a
// negative seed is a seed like any other.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream)) // #nosec G115 G404 -- deterministic test data, see above
}

// newUUID draws a v4-looking UUID from rng.
func newUUID(rng *rand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	return formatUUID(b)
}

// formatUUID sets the version 4 and variant bits and formats b.
func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// mix is SplitMix64's finaliser: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// seedCatalog generates the partner's models and products.
func seedCatalog(seed int64, ref time.Time) *catalog {
	rng := newRand(seed, catalogStream)
	c := &catalog{partnerID: newUUID(rng), partnerName: partnerName}
	for _, ms := range modelSpecs {
		c.models = append(c.models, &deviceModel{
			id: newUUID(rng), name: ms.name, vendor: ms.vendor, kind: ms.kind,
			snPrefix: ms.snPrefix, subModels: ms.subModels, firmware: ms.firmware,
			edge: ms.edge, cloud: ms.cloud,
			createdAt: ref.Add(-time.Duration(700+rng.IntN(800)) * day),
		})
	}
	for _, name := range productNames {
		c.products = append(c.products, &product{id: newUUID(rng), name: name})
	}
	return c
}

// seeder generates one organization from its own generator stream.
type seeder struct {
	o        *org
	rng      *rand.Rand
	ref      time.Time
	cat      *catalog
	sites    []seededSite
	rooms    []*space
	roomSite map[int64]int // room id to index in sites
}

type seededSite struct {
	space *space
	spec  siteSpec
}

// seedOrg generates the data of the index-th organization. The same seed,
// index and ref give the same data; other indexes give other data.
func seedOrg(cfg Org, index int, seed int64, ref time.Time, cat *catalog) *org {
	g := newSeeder(cfg, index, seed, ref, cat)
	g.seedSpaces()
	g.seedEdges()
	g.seedDevices()
	g.seedCommands()
	g.seedIncidents()
	g.seedGroups()
	g.seedUsers()
	g.seedTickets()
	g.seedLabels()
	g.seedAssets()
	g.seedNotes()
	g.seedLicenses()
	return g.o
}

// newOrg creates an organization with nothing but its root space, as the
// Partner API does.
func newOrg(cfg Org, index int, seed int64, ref time.Time, cat *catalog) *org {
	g := newSeeder(cfg, index, seed, ref, cat)
	g.o.createdAt = ref
	g.addRoot()
	g.o.root().createdAt = ref
	return g.o
}

func newSeeder(cfg Org, index int, seed int64, ref time.Time, cat *catalog) *seeder {
	rng := newRand(seed, orgStreamBase+uint64(index)) // #nosec G115 -- index is a slice index, never negative
	o := &org{
		index: index, key: cfg.Key, readOnly: cfg.ReadOnly, name: cfg.Name,
		slug: slugify(cfg.Name, index), rng: rng, histSeed: rng.Uint64(),
		labels: map[string][]*label{}, pings: map[string]bool{}, edgeClaims: map[string]bool{},
		nextCommentID: int64(100 + 100000*index),
	}
	o.id = newUUID(rng)
	o.createdAt = ref.Add(-time.Duration(800+rng.IntN(400)) * day)
	o.contactName = "IT Admin"
	o.contact = "it-admin@" + o.slug + ".example.com"
	return &seeder{o: o, rng: rng, ref: ref, cat: cat, roomSite: map[int64]int{}}
}

// slugify turns a name into a DNS label for example.com addresses.
func slugify(name string, index int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = !ok
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		slug = fmt.Sprintf("org%d", index+1)
	}
	return slug
}

// between draws an int in [lo, hi].
func (g *seeder) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// ago draws a time between lo and hi before the reference, to the second.
func (g *seeder) ago(lo, hi time.Duration) time.Time {
	d := lo + time.Duration(g.rng.Int64N(int64(hi-lo)+1))
	return g.ref.Add(-d).Truncate(time.Second)
}

func pick[T any](rng *rand.Rand, items []T) T { return items[rng.IntN(len(items))] }

// seedSpaces builds root → sites → floors → rooms.
func (g *seeder) seedSpaces() {
	g.addRoot()
	perm := g.rng.Perm(len(siteSpecs))[:g.between(3, 4)]
	for si, p := range perm {
		spec := siteSpecs[p]
		site := g.addSpace(g.o.root(), spec.name, "site", siteConfig(spec))
		g.sites = append(g.sites, seededSite{space: site, spec: spec})
		g.seedFloors(site, si)
	}
}

// addRoot creates the root space; ids of different orgs never overlap.
func (g *seeder) addRoot() {
	id := int64(10000 + 20000*g.o.index + g.rng.IntN(5000))
	root := &space{id: id, name: g.o.name, kind: "root", createdAt: g.o.createdAt,
		config: spaceConfig("celsius")}
	g.o.spaces = []*space{root}
	g.o.nextSpaceID = id + 1
}

func (g *seeder) seedFloors(site *space, si int) {
	first := g.between(1, 2)
	last := first + g.between(1, 2)
	for f := first; f <= last; f++ {
		floor := g.addSpace(site, fmt.Sprintf("Floor %d", f), "floor", spaceConfig(""))
		for r := range g.between(2, 3) {
			room := g.addSpace(floor, g.roomName(f, r, first, last), "room", spaceConfig(""))
			g.rooms = append(g.rooms, room)
			g.roomSite[room.id] = si
		}
	}
}

// roomName gives each site an auditorium on its lowest floor and a
// boardroom on its highest; other rooms are numbered per floor.
func (g *seeder) roomName(floor, r, first, last int) string {
	switch {
	case r == 0 && floor == first:
		return "Auditorium"
	case r == 0 && floor == last:
		return "Boardroom"
	}
	return fmt.Sprintf("%s %d.%d", pick(g.rng, roomKinds), floor, r+1)
}

func (g *seeder) addSpace(parent *space, name, kind string, config map[string]any) *space {
	sp := &space{
		id: g.o.nextSpaceID, parentID: parent.id, name: name, kind: kind,
		createdAt: g.ago(200*day, 700*day), config: config,
	}
	g.o.nextSpaceID++
	g.o.spaces = append(g.o.spaces, sp)
	return sp
}

// spaceConfig is the nested config of a space; units "" leaves them to the
// parent.
func spaceConfig(units string) map[string]any {
	general := map[string]any{"img": nil, "priority_factor": 0}
	if units != "" {
		general["temperature_units"] = units
	}
	return map[string]any{
		"general": general,
		"events":  map[string]any{"inherit_tree": true, "inherit_incidents.email": true},
	}
}

func siteConfig(spec siteSpec) map[string]any {
	cfg := spaceConfig(spec.units)
	cfg["general"].(map[string]any)["location"] = map[string]any{
		"location":    map[string]any{"lat": spec.lat, "lng": spec.lng},
		"utc_offset":  spec.utcOffset,
		"description": spec.desc,
		"region_name": spec.region,
	}
	return cfg
}

// seedEdges puts one edge proxy in every site.
func (g *seeder) seedEdges() {
	for si, site := range g.sites {
		status := "online"
		if g.rng.IntN(6) == 0 {
			status = "offline"
		}
		g.o.edges = append(g.o.edges, &edge{
			id: g.o.newID(), name: site.spec.short + " Edge", status: status,
			ip:      fmt.Sprintf("10.%d.%d.2", 20+g.o.index, si+1),
			version: pick(g.rng, edgeVersions), spaceID: site.space.id,
			createdAt: g.ago(100*day, 400*day),
		})
	}
}

// seedDevices spreads 40 to 52 devices of every kind over the rooms.
func (g *seeder) seedDevices() {
	n := g.between(40, 52)
	health := g.healthPlan(n)
	used := map[string]bool{}
	for i := range n {
		room := g.rooms[g.rng.IntN(len(g.rooms))]
		d := g.newDevice(i, kindOrder[i%len(kindOrder)], room, used)
		g.applyHealth(d, health[i])
		d.state = g.deviceState(d)
		g.o.devices = append(g.o.devices, d)
	}
}

// healthPlan is the shuffled effective status of every device: a few
// never seen, several offline, some in error or warning, the rest ok.
func (g *seeder) healthPlan(n int) []string {
	plan := make([]string, 0, n)
	add := func(status string, count int) {
		for range count {
			plan = append(plan, status)
		}
	}
	add("never_seen", 3)
	add("offline", g.between(5, 7))
	add("error", g.between(3, 4))
	add("disconnected", 1)
	add("warning", g.between(4, 6))
	add("ok", n-len(plan))
	g.rng.Shuffle(n, func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	return plan
}

func (g *seeder) newDevice(i int, kind string, room *space, used map[string]bool) *device {
	site := g.sites[g.roomSite[room.id]]
	m := g.modelOf(kind)
	d := &device{
		id:        g.o.newID(),
		name:      uniqueName(site.spec.short+" "+room.name+" "+kinds[kind].label, used),
		sn:        fmt.Sprintf("%s-%08d", m.snPrefix, g.rng.IntN(100000000)),
		mac:       g.mac(),
		model:     m,
		firmware:  pick(g.rng, m.firmware),
		spaceID:   room.id,
		createdAt: g.ago(35*day, 600*day),
		ip:        fmt.Sprintf("10.%d.%d.%d", 20+g.o.index, g.roomSite[room.id]+1, 10+i),
		histKey:   g.rng.Uint64(),
	}
	if in := kinds[kind].inputs; len(in) > 0 {
		d.input = pick(g.rng, in)
	}
	if m.cloud {
		d.cloudID = fmt.Sprintf("cld-%012x", g.rng.Uint64()>>16)
	}
	if len(m.subModels) > 0 && g.rng.IntN(2) == 0 {
		d.subModel = pick(g.rng, m.subModels)
	}
	if m.edge {
		d.custom = g.customParameters()
	}
	return d
}

func (g *seeder) modelOf(kind string) *deviceModel {
	var of []*deviceModel
	for _, m := range g.cat.models {
		if m.kind == kind {
			of = append(of, m)
		}
	}
	return pick(g.rng, of)
}

// mac draws a locally administered unicast address, which no vendor owns.
func (g *seeder) mac() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], g.rng.Uint64())
	b[0] = b[0]&0xfc | 0x02
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

func (g *seeder) customParameters() map[string]any {
	password := ""
	if g.rng.IntN(2) == 0 {
		password = fmt.Sprintf("sim-%06d", g.rng.IntN(1000000))
	}
	return map[string]any{"SNMP community": "public", "Port": "161", "Password": password}
}

// uniqueName appends " 2", " 3", ... until name is unused.
func uniqueName(name string, used map[string]bool) string {
	out := name
	for n := 2; used[out]; n++ {
		out = fmt.Sprintf("%s %d", name, n)
	}
	used[out] = true
	return out
}

// applyHealth sets the statuses and last-seen time for a planned health.
func (g *seeder) applyHealth(d *device, health string) {
	d.effective = health
	switch health {
	case "ok", "warning":
		d.status, d.live, d.lag = "online", true, time.Duration(g.between(5, 90))*time.Second
	case "error":
		d.status, d.live, d.lag = "error", true, time.Duration(g.between(60, 600))*time.Second
	case "disconnected":
		d.status, d.lastSeen = "offline", g.ago(20*time.Minute, 90*time.Minute)
	case "offline":
		d.status, d.lastSeen = "offline", g.ago(time.Hour, 5*day)
	default: // never_seen
		d.status = "offline"
	}
	if d.live {
		d.lastSeen = g.ref.Add(-d.lag)
	}
}

// deviceState is the device's latest telemetry; empty if never seen.
func (g *seeder) deviceState(d *device) map[string]any {
	if d.effective == "never_seen" {
		return map[string]any{}
	}
	st := map[string]any{"status": d.status}
	switch d.model.kind {
	case kindDisplay:
		st["power"], st["input"], st["temp"] = g.power(), d.input, g.temperature()
	case kindProjector:
		st["power"], st["input"], st["lamp_hours"] = g.power(), d.input, g.between(200, 4800)
	case kindCodec:
		st["in_call"], st["standby"], st["peripherals"] = g.rng.IntN(4) == 0, g.rng.IntN(2) == 0,
			g.between(1, 4)
	case kindAmplifier:
		st["volume"], st["mute"] = g.between(20, 70), g.rng.IntN(5) == 0
		st["temp"] = g.temperature()
	case kindSwitcher:
		st["input"], st["outputs"] = d.input, g.between(2, 8)
	}
	return st
}

func (g *seeder) power() string { return pick(g.rng, []string{"on", "on", "standby"}) }

func (g *seeder) temperature() float64 {
	return math.Round((34+g.rng.Float64()*14)*10) / 10
}

// seedCommands gives about half the seen devices a few settled commands.
func (g *seeder) seedCommands() {
	finals := []string{"done", "done", "done", "done", "failed", "cancelled"}
	for _, d := range g.o.devices {
		if d.effective == "never_seen" || g.rng.IntN(2) == 0 {
			continue
		}
		for range g.between(1, 3) {
			spec := pick(g.rng, kinds[d.model.kind].commands)
			created := g.ago(time.Hour, 20*day)
			c := &command{
				id: g.o.newID(), deviceID: d.id, name: spec[0], friendly: spec[1],
				params: commandParams(spec[0]), createdAt: created, final: pick(g.rng, finals),
				finalAt: created.Add(time.Duration(g.between(2, 60)) * time.Second),
			}
			if c.final == "failed" {
				c.message = "Device did not acknowledge the command"
			}
			g.o.commands = append(g.o.commands, c)
		}
	}
}

func commandParams(name string) map[string]any {
	switch name {
	case "set_input":
		return map[string]any{"input": "hdmi2"}
	case "set_volume":
		return map[string]any{"volume": 40}
	}
	return map[string]any{}
}

// seedIncidents opens an active incident for every unhealthy device and adds
// closed ones over the last month; priorities cycle so each one appears.
func (g *seeder) seedIncidents() {
	next := g.rng.IntN(len(priorities))
	priority := func() string {
		next++
		return priorities[next%len(priorities)]
	}
	var seen []*device
	for _, d := range g.o.devices {
		if d.effective != "never_seen" {
			seen = append(seen, d)
		}
		if spec, created, ok := g.activeIssue(d); ok {
			g.addIncident(d, spec, "active", priority(), created, created)
		}
	}
	for range g.between(10, 16) {
		d := pick(g.rng, seen)
		spec := pick(g.rng, append([]issueSpec{issueOffline, issueError}, warningIssues...))
		created := g.ago(day, 29*day)
		updated := created.Add(time.Duration(g.between(10, 480)) * time.Minute)
		g.addIncident(d, spec, "closed", priority(), created, updated)
	}
}

// activeIssue is the open incident an unhealthy device has, if any.
func (g *seeder) activeIssue(d *device) (issueSpec, time.Time, bool) {
	switch d.effective {
	case "offline", "disconnected":
		return issueOffline, d.lastSeen.Add(15 * time.Minute), true
	case "error":
		return issueError, g.ago(10*time.Minute, 2*day), true
	case "warning":
		return pick(g.rng, warningIssues), g.ago(30*time.Minute, 5*day), true
	}
	return issueSpec{}, time.Time{}, false
}

func (g *seeder) addIncident(d *device, spec issueSpec, status, priority string,
	created, updated time.Time) {
	g.o.incidents = append(g.o.incidents, &incident{
		id: g.o.newID(), title: spec.title, description: spec.description, issue: spec.issue,
		status: status, priority: priority, deviceID: d.id, deviceName: d.name,
		deviceModel: d.model.name, subModel: d.subModel, partnerName: d.model.vendor,
		spaceID: d.spaceID, createdAt: created, updatedAt: updated,
	})
}

// seedGroups always includes Administrators, plus two to four others.
func (g *seeder) seedGroups() {
	others := g.rng.Perm(len(groupNames) - 1)[:g.between(2, 4)]
	names := []string{groupNames[0]}
	for _, i := range others {
		names = append(names, groupNames[i+1])
	}
	for _, name := range names {
		g.o.groups = append(g.o.groups, &group{
			id: g.o.newID(), name: name, createdAt: g.ago(300*day, 700*day),
		})
	}
}

// seedUsers adds 8 to 13 people, one or two of them deactivated.
func (g *seeder) seedUsers() {
	n := g.between(8, 13)
	inactive := g.between(1, 2)
	for i, combo := range g.rng.Perm(len(firstNames) * len(lastNames))[:n] {
		first, last := firstNames[combo/len(lastNames)], lastNames[combo%len(lastNames)]
		u := &user{
			id: g.o.newID(), name: first + " " + last,
			email:     strings.ToLower(first+"."+last) + "@" + g.o.slug + ".example.com",
			groupIDs:  []string{g.o.groups[i%len(g.o.groups)].id},
			createdAt: g.ago(30*day, 600*day),
		}
		if extra := g.o.groups[g.rng.IntN(len(g.o.groups))]; g.rng.IntN(3) == 0 &&
			extra.id != u.groupIDs[0] {
			u.groupIDs = append(u.groupIDs, extra.id)
		}
		if i >= n-inactive {
			u.deactivatedAt = g.ago(day, 60*day)
		}
		g.o.users = append(g.o.users, u)
	}
}

// seedTickets adds 8 to 12 tickets, every other one resolved.
func (g *seeder) seedTickets() {
	for i := range g.between(8, 12) {
		d := pick(g.rng, g.o.devices)
		reporter := g.o.users[g.rng.IntN(len(g.o.users))]
		created := g.ago(time.Hour, 25*day)
		t := &ticket{
			id: g.o.newID(), title: fmt.Sprintf(pick(g.rng, ticketTitles), d.name),
			description: pick(g.rng, ticketDescriptions), status: "open", deviceID: d.id,
			userName: reporter.name, userEmail: reporter.email, createdAt: created,
			updatedAt: created,
		}
		g.seedComments(t)
		if i%2 == 1 {
			t.status = "resolved"
			t.updatedAt = t.updatedAt.Add(time.Duration(g.between(5, 600)) * time.Minute)
			t.comments = append(t.comments, g.o.newComment("Ticket marked as resolved", true,
				"System", t.updatedAt))
		}
		g.o.tickets = append(g.o.tickets, t)
	}
}

func (g *seeder) seedComments(t *ticket) {
	at := t.createdAt
	for range g.rng.IntN(4) {
		at = at.Add(time.Duration(g.between(10, 300)) * time.Minute)
		author := g.o.users[g.rng.IntN(len(g.o.users))].name
		t.comments = append(t.comments, g.o.newComment(pick(g.rng, commentTexts), false, author,
			at.Add(time.Duration(g.rng.IntN(1000))*time.Millisecond)))
		t.updatedAt = at
	}
}

// newComment numbers a new comment from the org's counter.
func (o *org) newComment(text string, system bool, author string, at time.Time) *comment {
	o.nextCommentID++
	return &comment{
		id: o.nextCommentID, text: text, createdAt: at, system: system,
		user: author, owner: o.name, ownerType: "organization",
	}
}

// seedLabels creates the asset labels of each category.
func (g *seeder) seedLabels() {
	add := func(category string, names ...string) {
		for _, n := range names {
			g.o.labels[category] = append(g.o.labels[category], &label{id: g.o.newID(), name: n})
		}
	}
	seen := map[string]bool{}
	for _, m := range g.cat.models {
		if !seen[m.vendor] {
			seen[m.vendor] = true
			add("manufacturer", m.vendor)
		}
		add("device_model", m.name)
	}
	add("manufacturer", "Generic")
	for _, k := range kindOrder {
		add("device_type", kinds[k].label)
	}
	add("device_type", "Rack", "Accessory")
	add("status", assetStatuses...)
}

// label finds a label of a category by name.
func (o *org) label(category, name string) *label {
	return findFirst(o.labels[category], func(l *label) bool { return l.name == name })
}

// seedAssets records most connected devices as assets, plus accessories.
func (g *seeder) seedAssets() {
	n := g.between(12, 17)
	for i := range n {
		a := &asset{
			id: g.o.newID(), purchasedAt: g.ago(100*day, 1000*day),
			comments: pick(g.rng, assetComments), labels: map[string]*label{},
			createdAt: g.ago(30*day, 90*day),
		}
		if i < n*2/3 {
			g.deviceAsset(a, pick(g.rng, g.o.devices))
		} else {
			g.accessoryAsset(a)
		}
		a.updatedAt = a.createdAt
		g.o.assets = append(g.o.assets, a)
	}
}

func (g *seeder) deviceAsset(a *asset, d *device) {
	k := kinds[d.model.kind]
	a.name, a.serial, a.spaceID, a.icon = d.name, d.sn, d.spaceID, k.icon
	a.labels["manufacturer"] = g.o.label("manufacturer", d.model.vendor)
	a.labels["device_model"] = g.o.label("device_model", d.model.name)
	a.labels["device_type"] = g.o.label("device_type", k.label)
	a.labels["status"] = g.o.label("status", pick(g.rng, assetStatuses[:3]))
}

func (g *seeder) accessoryAsset(a *asset) {
	spec := pick(g.rng, accessorySpecs)
	room := g.rooms[g.rng.IntN(len(g.rooms))]
	a.name = spec.name + " " + room.name
	a.serial = fmt.Sprintf("ACC-%06d", g.rng.IntN(1000000))
	a.spaceID, a.icon = room.id, spec.icon
	a.labels["manufacturer"] = g.o.label("manufacturer", "Generic")
	a.labels["device_type"] = g.o.label("device_type", spec.deviceType)
	a.labels["status"] = g.o.label("status", pick(g.rng, assetStatuses))
}

// seedNotes adds notes to random devices, sites and rooms.
func (g *seeder) seedNotes() {
	for range g.between(6, 10) {
		g.o.deviceNotes = append(g.o.deviceNotes, &note{
			id: g.o.newID(), content: pick(g.rng, deviceNoteTexts),
			deviceID: pick(g.rng, g.o.devices).id, createdAt: g.ago(time.Hour, 60*day),
		})
	}
	for range g.between(4, 6) {
		sp := g.o.spaces[1+g.rng.IntN(len(g.o.spaces)-1)]
		g.o.spaceNotes = append(g.o.spaceNotes, &note{
			id: g.o.newID(), content: pick(g.rng, spaceNoteTexts), spaceID: sp.id,
			createdAt: g.ago(time.Hour, 60*day),
		})
	}
}

// seedLicenses licenses most devices and keeps some spare licences in every
// other state.
func (g *seeder) seedLicenses() {
	for _, d := range g.o.devices {
		if g.rng.IntN(10) < 7 {
			l := g.newLicense("inuse", d.model)
			l.deviceID, l.deviceSN, l.boundSN = d.id, d.sn, d.sn
			l.activatedAt = g.ago(10*day, 300*day)
			g.o.licenses = append(g.o.licenses, l)
		}
	}
	spare := []string{"error", "disabled", "renew", "remove"}
	for range g.between(4, 7) {
		spare = append(spare, "available")
	}
	for _, state := range spare {
		g.o.licenses = append(g.o.licenses, g.newLicense(state, pick(g.rng, g.cat.models)))
	}
}

func (g *seeder) newLicense(state string, m *deviceModel) *license {
	return &license{
		id: g.o.newID(), state: state, createdAt: g.ago(10*day, 500*day),
		expiresAt: g.ref.Add(time.Duration(g.between(20, 700)) * day),
		warranty:  g.rng.IntN(3) == 0, transferable: g.rng.IntN(2) == 0,
		order: fmt.Sprintf("SO-%05d", g.rng.IntN(100000)), product: pick(g.rng, g.cat.products),
		model: m,
	}
}
