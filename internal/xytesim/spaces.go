package xytesim

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// spaceJSON is a space (reference §3.6).
type spaceJSON struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	ParentID  *int64         `json:"parent_id"`
	SpaceType string         `json:"space_type"`
	FullPath  string         `json:"full_path"`
	CreatedAt string         `json:"created_at"`
	Config    map[string]any `json:"config"`
}

func (o *org) spaceView(sp *space) spaceJSON {
	v := spaceJSON{
		ID: sp.id, Name: sp.name, SpaceType: sp.kind, FullPath: o.fullPath(sp),
		CreatedAt: stamp(sp.createdAt), Config: sp.config,
	}
	if sp.parentID != 0 {
		parent := sp.parentID
		v.ParentID = &parent
	}
	return v
}

// pathSpace finds the space_id path parameter; a non-integer id is as
// unknown as a missing one.
func (c *call) pathSpace() (*space, error) {
	id, ok := parseSpaceID(c.param("space_id"))
	if !ok {
		return nil, notFound("Space")
	}
	if sp := c.org.space(id); sp != nil {
		return sp, nil
	}
	return nil, notFound("Space")
}

// spaceFilter is the query of GET /spaces.
type spaceFilter struct {
	id, parentID          int64
	name, path, spaceType string
	before, after         time.Time
}

func (s *Server) parseSpaceFilter(c *call) (spaceFilter, error) {
	q := c.q()
	f := spaceFilter{
		name: q.Get("name"), path: q.Get("path_includes"), spaceType: q.Get("space_type"),
	}
	for _, id := range []struct {
		param string
		dst   *int64
	}{{"id", &f.id}, {"parent_id", &f.parentID}} {
		param, dst := id.param, id.dst
		if v := q.Get(param); v != "" {
			n, ok := parseSpaceID(v)
			if !ok {
				return f, invalid("Invalid %s parameter", param)
			}
			*dst = n
		}
	}
	var err error
	if f.before, err = parseISO(q.Get("created_before"), "created_before"); err != nil {
		return f, err
	}
	f.after, err = parseISO(q.Get("created_after"), "created_after")
	return f, err
}

// parseISO reads an optional RFC 3339 query time; the zero time if empty.
func parseISO(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, invalid("Invalid %s parameter: use ISO 8601", name)
	}
	return t, nil
}

func (f spaceFilter) wants(o *org, sp *space) bool {
	return (f.id == 0 || sp.id == f.id) &&
		(f.parentID == 0 || sp.parentID == f.parentID) &&
		containsFold(sp.name, f.name) &&
		containsFold(o.fullPath(sp), f.path) &&
		(f.spaceType == "" || sp.kind == f.spaceType) &&
		(f.before.IsZero() || sp.createdAt.Before(f.before)) &&
		(f.after.IsZero() || sp.createdAt.After(f.after))
}

// listSpaces answers with items and both page keys ([?] in the reference).
func (s *Server) listSpaces(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	f, err := s.parseSpaceFilter(c)
	if err != nil {
		return nil, err
	}
	spaces := slices.DeleteFunc(slices.Clone(c.org.spaces), func(sp *space) bool {
		return !f.wants(c.org, sp)
	})
	return listBoth(spaces, p, c.org.spaceView), nil
}

func (s *Server) getSpace(c *call) (any, error) {
	sp, err := c.pathSpace()
	if err != nil {
		return nil, err
	}
	return c.org.spaceView(sp), nil
}

// spaceBody is the body of space create, find-or-create and update.
type spaceBody struct {
	Name     *string        `json:"name"`
	ParentID *flexID        `json:"parent_id"`
	Config   map[string]any `json:"config"`
}

// parent resolves parent_id, defaulting to the root.
func (b spaceBody) parent(o *org) (*space, error) {
	if b.ParentID == nil {
		return o.root(), nil
	}
	if sp := o.space(int64(*b.ParentID)); sp != nil {
		return sp, nil
	}
	return nil, invalid("Parent space not found")
}

func (s *Server) createSpace(c *call) (any, error) {
	var b spaceBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return nil, invalid("Parameter name is required")
	}
	parent, err := b.parent(c.org)
	if err != nil {
		return nil, err
	}
	sp := c.org.addSpace(parent, strings.TrimSpace(*b.Name), b.Config, c.now)
	return c.org.spaceView(sp), nil
}

// addSpace creates a child space; its type follows its depth below the
// root: site, floor, then room.
func (o *org) addSpace(parent *space, name string, config map[string]any, now time.Time) *space {
	depth := 1
	for cur := parent; cur.parentID != 0; cur = o.parent(cur) {
		depth++
	}
	kind := [...]string{"site", "floor", "room"}[min(depth, 3)-1]
	cfg := spaceConfig("")
	maps.Copy(cfg, config)
	sp := &space{id: o.nextSpaceID, parentID: parent.id, name: name, kind: kind,
		createdAt: now, config: cfg}
	o.nextSpaceID++
	o.spaces = append(o.spaces, sp)
	return sp
}

// findOrCreateSpace walks a "/"-separated path from parent_id (default the
// root), creating each missing level, and answers with the leaf. A path
// that starts with the root's own name, as full_path does, is accepted.
func (s *Server) findOrCreateSpace(c *call) (any, error) {
	var b spaceBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	segments := splitPath(b.Name)
	if len(segments) == 0 {
		return nil, invalid("Parameter name is required")
	}
	cur, err := b.parent(c.org)
	if err != nil {
		return nil, err
	}
	if cur == c.org.root() && len(segments) > 1 && segments[0] == cur.name {
		segments = segments[1:]
	}
	for i, name := range segments {
		child := findFirst(c.org.spaces, func(sp *space) bool {
			return sp.parentID == cur.id && sp.name == name
		})
		if child == nil {
			var cfg map[string]any
			if i == len(segments)-1 {
				cfg = b.Config
			}
			child = c.org.addSpace(cur, name, cfg, c.now)
		}
		cur = child
	}
	return c.org.spaceView(cur), nil
}

func splitPath(name *string) []string {
	if name == nil {
		return nil
	}
	var out []string
	for _, seg := range strings.Split(*name, "/") {
		if seg = strings.TrimSpace(seg); seg != "" {
			out = append(out, seg)
		}
	}
	return out
}

func (s *Server) updateSpace(c *call) (any, error) {
	sp, err := c.pathSpace()
	if err != nil {
		return nil, err
	}
	var b spaceBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return nil, invalid("Name can't be blank")
	}
	if b.ParentID != nil {
		if err := c.org.reparent(sp, b); err != nil {
			return nil, err
		}
	}
	if b.Name != nil {
		sp.name = strings.TrimSpace(*b.Name)
	}
	maps.Copy(sp.config, b.Config)
	return c.org.spaceView(sp), nil
}

// reparent moves a space under parent_id; the root stays the root and no
// space may move under itself.
func (o *org) reparent(sp *space, b spaceBody) error {
	parent, err := b.parent(o)
	switch {
	case err != nil:
		return err
	case sp.parentID == 0:
		return invalid("The root space cannot be moved")
	case o.within(parent.id, sp):
		return invalid("A space cannot be moved under itself")
	}
	sp.parentID = parent.id
	return nil
}

// deleteSpace removes an empty space. The hub's rules are [?]; refusing to
// orphan devices or sub-spaces is the safe reading.
func (s *Server) deleteSpace(c *call) (any, error) {
	sp, err := c.pathSpace()
	if err != nil {
		return nil, err
	}
	o := c.org
	switch {
	case sp.parentID == 0:
		return nil, invalid("The root space cannot be deleted")
	case slices.ContainsFunc(o.spaces, func(x *space) bool { return x.parentID == sp.id }):
		return nil, invalid("Space has sub-spaces")
	case slices.ContainsFunc(o.devices, func(d *device) bool { return d.spaceID == sp.id }):
		return nil, invalid("Space has devices")
	}
	o.spaces = slices.DeleteFunc(o.spaces, func(x *space) bool { return x == sp })
	o.spaceNotes = slices.DeleteFunc(o.spaceNotes, func(n *note) bool { return n.spaceID == sp.id })
	return success, nil
}
