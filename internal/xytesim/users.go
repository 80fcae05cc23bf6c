package xytesim

import (
	"net/mail"
	"slices"
	"strings"
)

// userJSON is a user (reference §2.2, row 30).
type userJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	GroupNames    []string `json:"group_names"`
	DeactivatedAt *string  `json:"deactivated_at"`
	CreatedAt     string   `json:"created_at"`
}

// groupJSON is a group with its members.
type groupJSON struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	CreatedAt string       `json:"created_at"`
	Users     []memberJSON `json:"users"`
}

type memberJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

func (o *org) userView(u *user) userJSON {
	names := []string{}
	for _, id := range u.groupIDs {
		if g := o.group(id); g != nil {
			names = append(names, g.name)
		}
	}
	return userJSON{
		ID: u.id, Name: u.name, Email: u.email, GroupNames: names,
		DeactivatedAt: optStamp(u.deactivatedAt), CreatedAt: stamp(u.createdAt),
	}
}

func (o *org) groupView(g *group) groupJSON {
	members := []memberJSON{}
	for _, u := range o.users {
		if slices.Contains(u.groupIDs, g.id) {
			members = append(members, memberJSON{ID: u.id, Name: u.name, Email: u.email})
		}
	}
	return groupJSON{ID: g.id, Name: g.name, CreatedAt: stamp(g.createdAt), Users: members}
}

func (c *call) user() (*user, error) {
	if u := c.org.user(c.param("user_id")); u != nil {
		return u, nil
	}
	return nil, notFound("User")
}

func (c *call) group() (*group, error) {
	if g := c.org.group(c.param("group_id")); g != nil {
		return g, nil
	}
	return nil, notFound("Group")
}

// listUsers lists active users only, as the docs say.
func (s *Server) listUsers(c *call) (any, error) {
	p, err := c.page(maxPerPage)
	if err != nil {
		return nil, err
	}
	active := slices.DeleteFunc(slices.Clone(c.org.users), func(u *user) bool {
		return !u.deactivatedAt.IsZero()
	})
	return listNextPage(active, p, c.org.userView), nil
}

func (s *Server) getUser(c *call) (any, error) {
	u, err := c.user()
	if err != nil {
		return nil, err
	}
	return c.org.userView(u), nil
}

// createUser needs an email unique across the partner's orgs and at least
// one group of the caller's org; the messages are the hub's.
func (s *Server) createUser(c *call) (any, error) {
	var b struct {
		Email    string   `json:"email"`
		Name     string   `json:"name"`
		GroupIDs []string `json:"group_ids"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(b.Email))
	if err := s.checkNewUser(c.org, email, b.GroupIDs); err != nil {
		return nil, err
	}
	u := &user{
		id: c.org.newID(), email: email, groupIDs: slices.Clone(b.GroupIDs), createdAt: c.now,
		name: nameOr(strings.TrimSpace(b.Name), email),
	}
	c.org.users = append(c.org.users, u)
	return c.org.userView(u), nil
}

func (s *Server) checkNewUser(o *org, email string, groupIDs []string) error {
	if email == "" {
		return invalid("Email can't be blank")
	}
	if _, err := mail.ParseAddress(email); err != nil {
		return invalid("Email is invalid")
	}
	if len(groupIDs) == 0 {
		return invalid("You have to assign the user at least to one group")
	}
	for _, id := range groupIDs {
		if o.group(id) == nil {
			return invalid("Group %s not found", id)
		}
	}
	for _, other := range s.orgs {
		if slices.ContainsFunc(other.users, func(u *user) bool { return u.email == email }) {
			return invalid("Email has already been taken")
		}
	}
	return nil
}

// nameOr is the name, or the email's local part when the name is blank.
func nameOr(name, email string) string {
	if name != "" {
		return name
	}
	local, _, _ := strings.Cut(email, "@")
	return local
}

// deactivateUser and resendWelcome answer {"success": true}: the hub's
// answer is [?].
func (s *Server) deactivateUser(c *call) (any, error) {
	u, err := c.user()
	if err != nil {
		return nil, err
	}
	if u.deactivatedAt.IsZero() {
		u.deactivatedAt = c.now
	}
	return success, nil
}

func (s *Server) resendWelcome(c *call) (any, error) {
	u, err := c.user()
	if err != nil {
		return nil, err
	}
	if !u.deactivatedAt.IsZero() {
		return nil, invalid("User is deactivated")
	}
	return success, nil
}

func (s *Server) listGroups(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	return listNextPage(c.org.groups, p, c.org.groupView), nil
}

func (s *Server) getGroup(c *call) (any, error) {
	g, err := c.group()
	if err != nil {
		return nil, err
	}
	return c.org.groupView(g), nil
}

// groupBody is the body of group create and update.
type groupBody struct {
	Name    *string  `json:"name"`
	UserIDs []string `json:"user_ids"`
}

// groupName validates a new group name: required and unique in the org.
func (o *org) groupName(name *string, self *group) (string, error) {
	if name == nil || strings.TrimSpace(*name) == "" {
		return "", invalid("Parameter name is required")
	}
	n := strings.TrimSpace(*name)
	if slices.ContainsFunc(o.groups, func(g *group) bool { return g != self && g.name == n }) {
		return "", invalid("Name has already been taken")
	}
	return n, nil
}

// createGroup ignores user ids that are not in the caller's org, as the
// docs describe.
func (s *Server) createGroup(c *call) (any, error) {
	var b groupBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	name, err := c.org.groupName(b.Name, nil)
	if err != nil {
		return nil, err
	}
	g := &group{id: c.org.newID(), name: name, createdAt: c.now}
	c.org.groups = append(c.org.groups, g)
	c.org.addMembers(g, b.UserIDs)
	return c.org.groupView(g), nil
}

func (s *Server) updateGroup(c *call) (any, error) {
	g, err := c.group()
	if err != nil {
		return nil, err
	}
	var b groupBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if g.name, err = c.org.groupName(b.Name, g); err != nil {
		return nil, err
	}
	return c.org.groupView(g), nil
}

func (s *Server) deleteGroup(c *call) (any, error) {
	g, err := c.group()
	if err != nil {
		return nil, err
	}
	c.org.groups = slices.DeleteFunc(c.org.groups, func(x *group) bool { return x == g })
	for _, u := range c.org.users {
		u.groupIDs = slices.DeleteFunc(u.groupIDs, func(id string) bool { return id == g.id })
	}
	return success, nil
}

// addMembers adds the org's users among ids to the group.
func (o *org) addMembers(g *group, ids []string) {
	for _, id := range ids {
		if u := o.user(id); u != nil && !slices.Contains(u.groupIDs, g.id) {
			u.groupIDs = append(u.groupIDs, g.id)
		}
	}
}

// userIDs reads a required, non-empty user_ids body.
func (c *call) userIDs() ([]string, error) {
	var b groupBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if len(b.UserIDs) == 0 {
		return nil, invalid("Parameter user_ids is required")
	}
	return b.UserIDs, nil
}

func (s *Server) addGroupUsers(c *call) (any, error) {
	g, err := c.group()
	if err != nil {
		return nil, err
	}
	ids, err := c.userIDs()
	if err != nil {
		return nil, err
	}
	c.org.addMembers(g, ids)
	return c.org.groupView(g), nil
}

func (s *Server) removeGroupUsers(c *call) (any, error) {
	g, err := c.group()
	if err != nil {
		return nil, err
	}
	ids, err := c.userIDs()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if u := c.org.user(id); u != nil {
			u.groupIDs = slices.DeleteFunc(u.groupIDs, func(x string) bool { return x == g.id })
		}
	}
	return c.org.groupView(g), nil
}

// addExternalUser lets a user of another org of the same partner into the
// group; the simulator checks the address and answers with the group.
func (s *Server) addExternalUser(c *call) (any, error) {
	g, err := c.group()
	if err != nil {
		return nil, err
	}
	var b struct {
		Email string `json:"email"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if strings.TrimSpace(b.Email) == "" {
		return nil, invalid("Email can't be blank")
	}
	if _, err := mail.ParseAddress(b.Email); err != nil {
		return nil, invalid("Email is invalid")
	}
	return c.org.groupView(g), nil
}
