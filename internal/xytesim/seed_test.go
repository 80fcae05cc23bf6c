package xytesim

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(
	`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// seedPaths are the reads that together show all of an org's seeded data.
var seedPaths = []string{
	"/info", "/devices", "/devices?page=2", "/devices/histories?per_page=1000", "/incidents",
	"/spaces", "/tickets", "/users", "/groups", "/assets", "/devices/notes", "/spaces/notes",
	"/licenses", "/models", "/edges", "/assets/labels/status",
}

// fetchAll concatenates the answers of seedPaths for key.
func fetchAll(t *testing.T, s *sim, key string) []byte {
	t.Helper()
	var all bytes.Buffer
	for _, p := range seedPaths {
		all.Write(s.must(t, "GET", p, key, nil).body)
	}
	return all.Bytes()
}

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := func(seed int64) Config {
		c := twoOrgs(newClock())
		c.Seed = seed
		return c
	}
	one, two, other := newSim(t, cfg(7)), newSim(t, cfg(7)), newSim(t, cfg(8))
	for _, key := range []string{keyA, keyB} {
		if !bytes.Equal(fetchAll(t, one, key), fetchAll(t, two, key)) {
			t.Fatalf("same seed, different data for org %s", KeyHash(key))
		}
	}
	if bytes.Equal(fetchAll(t, one, keyA), fetchAll(t, other, keyA)) {
		t.Fatal("different seeds, same data")
	}
	if bytes.Equal(fetchAll(t, one, keyA), fetchAll(t, one, keyB)) {
		t.Fatal("two orgs, same data")
	}
}

func TestSeedSizes(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			s := New(Config{Seed: seed, Now: newClock().Now})
			checkSeed(t, s.orgs[0])
		})
	}
}

// checkSeed checks the minimums every seeded org must meet.
func checkSeed(t *testing.T, o *org) {
	t.Helper()
	count := func(kind string) int {
		return countOf(o.spaces, func(sp *space) bool { return sp.kind == kind })
	}
	if count("root") != 1 || count("site") < 3 || count("floor") < 6 || count("room") < 12 {
		t.Errorf("spaces: %d sites, %d floors, %d rooms", count("site"), count("floor"),
			count("room"))
	}
	if len(o.devices) < 40 {
		t.Errorf("%d devices, want at least 40", len(o.devices))
	}
	kinds, statuses, effective := map[string]int{}, map[string]int{}, map[string]int{}
	for _, d := range o.devices {
		kinds[d.model.kind]++
		statuses[d.status]++
		effective[d.effective]++
		if !uuidV4.MatchString(d.id) {
			t.Errorf("device id %q is not a v4 UUID", d.id)
		}
	}
	for _, k := range kindOrder {
		if kinds[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	for _, st := range []string{"online", "offline", "error"} {
		if statuses[st] == 0 {
			t.Errorf("no device with status %s", st)
		}
	}
	for _, st := range []string{"ok", "warning", "error", "offline", "never_seen"} {
		if effective[st] == 0 {
			t.Errorf("no device with effective status %s", st)
		}
	}
	if effective["never_seen"] < 2 || effective["offline"] < 3 {
		t.Errorf("effective statuses %v: want a few never seen and several offline", effective)
	}
	checkSeedRest(t, o)
}

func checkSeedRest(t *testing.T, o *org) {
	t.Helper()
	prios := map[string]map[string]bool{"active": {}, "closed": {}}
	for _, in := range o.incidents {
		prios[in.status][in.priority] = true
	}
	for status, seen := range prios {
		if len(seen) != len(priorities) {
			t.Errorf("%s incidents cover priorities %v, want all", status, seen)
		}
	}
	open := countOf(o.tickets, func(tk *ticket) bool { return tk.status == "open" })
	comments := countOf(o.tickets, func(tk *ticket) bool { return len(tk.comments) > 0 })
	if open == 0 || open == len(o.tickets) || comments == 0 {
		t.Errorf("tickets: %d of %d open, %d with comments", open, len(o.tickets), comments)
	}
	for _, u := range o.users {
		if !strings.HasSuffix(u.email, ".example.com") {
			t.Errorf("email %q is not under example.com", u.email)
		}
	}
	for name, n := range map[string]int{
		"users": len(o.users), "groups": len(o.groups), "assets": len(o.assets),
		"device notes": len(o.deviceNotes), "space notes": len(o.spaceNotes),
		"licenses": len(o.licenses), "edges": len(o.edges), "commands": len(o.commands),
	} {
		if n == 0 {
			t.Errorf("no %s", name)
		}
	}
}

func TestSeedShapes(t *testing.T) {
	t.Parallel()
	s, clock := newTwoOrgSim(t)
	devices := items[deviceJSON](t, s.must(t, "GET", "/devices", keyA, nil))
	fullPath := regexp.MustCompile(`^Alpha Works/[^/]+/Floor \d+/[^/]+$`)
	for _, d := range devices {
		if !fullPath.MatchString(d.Space.FullPath) {
			t.Errorf("device %s in %q", d.Name, d.Space.FullPath)
		}
		if (d.EffectiveStatus == "never_seen") != (d.LastSeenAt == nil) {
			t.Errorf("device %s: %s, last seen %v", d.Name, d.EffectiveStatus, d.LastSeenAt)
		}
	}
	spaces := items[spaceJSON](t, s.must(t, "GET", "/spaces", keyA, nil))
	types := map[string]bool{}
	for _, sp := range spaces {
		types[sp.SpaceType] = true
		if (sp.ParentID == nil) != (sp.SpaceType == "root") {
			t.Errorf("space %d (%s) parent %v", sp.ID, sp.SpaceType, sp.ParentID)
		}
	}
	if len(types) != 4 {
		t.Errorf("space types %v, want root, site, floor and room", types)
	}

	checkHistories(t, s.Server, clock.Now())
}

// checkHistories checks that histories reach back 30 days, stay reasonably
// sized and come newest first with unique ids.
func checkHistories(t *testing.T, s *Server, now time.Time) {
	t.Helper()
	month := historyQuery{from: now.Add(-31 * 24 * time.Hour), to: now, now: now}
	rows := s.histories(s.orgs[0], month)
	oldest, _ := time.Parse(isoMillis, rows[len(rows)-1].CreatedAt)
	if age := now.Sub(oldest); age < 29*24*time.Hour {
		t.Errorf("oldest history row is %v old, want about 30 days", age)
	}
	if len(rows) > 20000 {
		t.Errorf("%d history rows in 31 days; keep it reasonably sized", len(rows))
	}
	ids := map[string]bool{}
	for _, r := range rows {
		if ids[r.UUID] || !uuidV4.MatchString(r.UUID) {
			t.Fatalf("history uuid %q repeated or malformed", r.UUID)
		}
		ids[r.UUID] = true
	}
	newestFirst := func(a, b historyJSON) int { return strings.Compare(b.CreatedAt, a.CreatedAt) }
	if !slices.IsSortedFunc(rows, newestFirst) {
		t.Error("histories are not newest first")
	}
}

// BenchmarkNew measures seeding one organization, which every test pays for
// each simulator it starts (target: well under 20 ms).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	seed := int64(0)
	for b.Loop() {
		seed++
		New(Config{Seed: seed})
	}
}
