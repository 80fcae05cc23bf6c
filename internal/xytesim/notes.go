package xytesim

import (
	"slices"
	"strings"
)

// noteJSON is a device or space note; the hub's shape is [?], so it keeps
// to the fields a note obviously has.
type noteJSON struct {
	ID        string `json:"id"`
	DeviceID  string `json:"device_id,omitempty"`
	SpaceID   int64  `json:"space_id,omitempty"`
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
}

func noteView(n *note) noteJSON {
	return noteJSON{
		ID: n.id, DeviceID: n.deviceID, SpaceID: n.spaceID, Content: n.content,
		CreatedAt: stamp(n.createdAt),
	}
}

// listNotes pages the notes that match, newest first.
func listNotes(c *call, notes []*note, match func(*note) bool) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(slices.Clone(notes), func(n *note) bool { return !match(n) })
	slices.SortStableFunc(out, func(a, b *note) int { return b.createdAt.Compare(a.createdAt) })
	return listNextPage(out, p, noteView), nil
}

// noteContent reads the required content of a new note.
func (c *call) noteContent() (string, error) {
	var b struct {
		Content string `json:"content"`
	}
	if err := c.decode(&b); err != nil {
		return "", err
	}
	if strings.TrimSpace(b.Content) == "" {
		return "", invalid("Content can't be blank")
	}
	return b.Content, nil
}

func all(*note) bool { return true }

func (s *Server) listAllDeviceNotes(c *call) (any, error) {
	return listNotes(c, c.org.deviceNotes, all)
}

func (s *Server) listDeviceNotes(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	return listNotes(c, c.org.deviceNotes, func(n *note) bool { return n.deviceID == d.id })
}

func (s *Server) createDeviceNote(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	content, err := c.noteContent()
	if err != nil {
		return nil, err
	}
	n := &note{id: c.org.newID(), content: content, deviceID: d.id, createdAt: c.now}
	c.org.deviceNotes = append(c.org.deviceNotes, n)
	return noteView(n), nil
}

func (s *Server) deleteDeviceNote(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	id := c.param("note_id")
	before := len(c.org.deviceNotes)
	c.org.deviceNotes = slices.DeleteFunc(c.org.deviceNotes, func(n *note) bool {
		return n.id == id && n.deviceID == d.id
	})
	if len(c.org.deviceNotes) == before {
		return nil, notFound("Note")
	}
	return success, nil
}

func (s *Server) listAllSpaceNotes(c *call) (any, error) {
	return listNotes(c, c.org.spaceNotes, all)
}

func (s *Server) listSpaceNotes(c *call) (any, error) {
	sp, err := c.pathSpace()
	if err != nil {
		return nil, err
	}
	return listNotes(c, c.org.spaceNotes, func(n *note) bool { return n.spaceID == sp.id })
}

func (s *Server) createSpaceNote(c *call) (any, error) {
	sp, err := c.pathSpace()
	if err != nil {
		return nil, err
	}
	content, err := c.noteContent()
	if err != nil {
		return nil, err
	}
	n := &note{id: c.org.newID(), content: content, spaceID: sp.id, createdAt: c.now}
	c.org.spaceNotes = append(c.org.spaceNotes, n)
	return noteView(n), nil
}

func (s *Server) deleteSpaceNote(c *call) (any, error) {
	sp, err := c.pathSpace()
	if err != nil {
		return nil, err
	}
	id := c.param("note_id")
	before := len(c.org.spaceNotes)
	c.org.spaceNotes = slices.DeleteFunc(c.org.spaceNotes, func(n *note) bool {
		return n.id == id && n.spaceID == sp.id
	})
	if len(c.org.spaceNotes) == before {
		return nil, notFound("Note")
	}
	return success, nil
}
