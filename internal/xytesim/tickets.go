package xytesim

import (
	"slices"
	"strings"
	"time"
)

// ticketJSON is a ticket as listed (reference §3.4).
type ticketJSON struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Status      string  `json:"status"`
	CreatedAt   string  `json:"created_at"`
	DeviceID    *string `json:"device_id"`
	UserName    string  `json:"user_name"`
	UserEmail   string  `json:"user_email"`
}

// ticketDetailJSON is a single ticket, with its comments.
type ticketDetailJSON struct {
	ticketJSON
	Comments []commentJSON `json:"comments"`
}

type commentJSON struct {
	ID        int64  `json:"id"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
	System    bool   `json:"system"`
	User      string `json:"user"`
	Owner     string `json:"owner"`
	OwnerType string `json:"owner_type"`
}

func ticketView(t *ticket) ticketJSON {
	return ticketJSON{
		ID: t.id, Title: t.title, Description: t.description, Status: t.status,
		CreatedAt: stamp(t.createdAt), DeviceID: optString(t.deviceID),
		UserName: t.userName, UserEmail: t.userEmail,
	}
}

func ticketDetail(t *ticket) ticketDetailJSON {
	return ticketDetailJSON{ticketJSON: ticketView(t), Comments: mapSlice(t.comments,
		func(cm *comment) commentJSON {
			return commentJSON{
				ID: cm.id, Text: cm.text, CreatedAt: stampMillis(cm.createdAt), System: cm.system,
				User: cm.user, Owner: cm.owner, OwnerType: cm.ownerType,
			}
		})}
}

// ticket finds the ticket_id path parameter in the caller's org.
func (c *call) ticket() (*ticket, error) {
	if t := c.org.ticket(c.param("ticket_id")); t != nil {
		return t, nil
	}
	return nil, notFound("Ticket")
}

// openTickets lists the open tickets, newest first.
func openTickets(tickets []*ticket) []*ticket {
	out := slices.DeleteFunc(slices.Clone(tickets), func(t *ticket) bool {
		return t.status != "open"
	})
	slices.SortStableFunc(out, func(a, b *ticket) int { return b.createdAt.Compare(a.createdAt) })
	return out
}

// listTickets answers with a bare array of open tickets, as the docs show.
func (s *Server) listTickets(c *call) (any, error) {
	return mapSlice(openTickets(c.org.tickets), ticketView), nil
}

func (s *Server) getTicket(c *call) (any, error) {
	t, err := c.ticket()
	if err != nil {
		return nil, err
	}
	return ticketDetail(t), nil
}

func (s *Server) updateTicket(c *call) (any, error) {
	t, err := c.ticket()
	if err != nil {
		return nil, err
	}
	if err := c.editTicket(t); err != nil {
		return nil, err
	}
	return ticketDetail(t), nil
}

// editTicket applies a title and description update; one is required and
// a title must not be blank.
func (c *call) editTicket(t *ticket) error {
	var b struct {
		Title       *string `json:"title"`
		Description *string `json:"description"`
	}
	if err := c.decode(&b); err != nil {
		return err
	}
	switch {
	case b.Title == nil && b.Description == nil:
		return invalid("Parameter title or description is required")
	case b.Title != nil && strings.TrimSpace(*b.Title) == "":
		return invalid("Title can't be blank")
	}
	if b.Title != nil {
		t.title = strings.TrimSpace(*b.Title)
	}
	if b.Description != nil {
		t.description = *b.Description
	}
	t.updatedAt = c.now
	return nil
}

func (s *Server) resolveTicket(c *call) (any, error) {
	t, err := c.ticket()
	if err != nil {
		return nil, err
	}
	resolve(t, c.now)
	return success, nil
}

// resolve closes a ticket; resolving it again changes nothing.
func resolve(t *ticket, now time.Time) {
	if t.status != "resolved" {
		t.status, t.updatedAt = "resolved", now
	}
}

func (s *Server) messageTicket(c *call) (any, error) {
	t, err := c.ticket()
	if err != nil {
		return nil, err
	}
	text, err := c.message()
	if err != nil {
		return nil, err
	}
	cm := c.org.newComment(text, false, "API", c.now)
	t.comments, t.updatedAt = append(t.comments, cm), c.now
	return success, nil
}

// message reads the message parameter from the JSON body or, as Rails
// merges both, from the query string.
func (c *call) message() (string, error) {
	var b struct {
		Message *string `json:"message"`
	}
	if err := c.decode(&b); err != nil {
		return "", err
	}
	text := c.q().Get("message")
	if b.Message != nil {
		text = *b.Message
	}
	if strings.TrimSpace(text) == "" {
		return "", invalid("Parameter message is required")
	}
	return text, nil
}
