package xytesim

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// commandJSON is a command record (reference §3.2).
type commandJSON struct {
	ID           string         `json:"id"`
	DeviceID     string         `json:"device_id"`
	Name         string         `json:"name"`
	FriendlyName string         `json:"friendly_name"`
	Status       string         `json:"status"`
	Parameters   map[string]any `json:"parameters"`
	FileID       *string        `json:"file_id"`
	Message      *string        `json:"message"`
	CreatedAt    string         `json:"created_at"`
	UpdatedAt    string         `json:"updated_at"`
}

// status is the command's state at now, computed from its timestamps: it
// is pending for one delay, in_progress for another, then done, unless it
// settled earlier (cancelled, or seeded as failed or done).
func (cmd *command) status(now time.Time, delay time.Duration) (string, time.Time) {
	if cmd.final != "" {
		return cmd.final, cmd.finalAt
	}
	switch age := now.Sub(cmd.createdAt); {
	case age < delay:
		return "pending", cmd.createdAt
	case age < 2*delay:
		return "in_progress", cmd.createdAt.Add(delay)
	}
	return "done", cmd.createdAt.Add(2 * delay)
}

func (s *Server) commandView(cmd *command, now time.Time) commandJSON {
	status, updated := cmd.status(now, s.cfg.CommandDelay)
	params := cmd.params
	if params == nil {
		params = map[string]any{}
	}
	return commandJSON{
		ID: cmd.id, DeviceID: cmd.deviceID, Name: cmd.name, FriendlyName: cmd.friendly,
		Status: status, Parameters: params, FileID: optString(cmd.fileID),
		Message: optString(cmd.message), CreatedAt: stamp(cmd.createdAt), UpdatedAt: stamp(updated),
	}
}

// deviceCommands lists a device's commands, newest first.
func (o *org) deviceCommands(deviceID string) []*command {
	var out []*command
	for _, cmd := range slices.Backward(o.commands) {
		if cmd.deviceID == deviceID {
			out = append(out, cmd)
		}
	}
	slices.SortStableFunc(out, func(a, b *command) int { return b.createdAt.Compare(a.createdAt) })
	return out
}

// listCommands answers with items and both page keys: the hub's envelope is
// unknown ([?]), and every client loop handles this one.
func (s *Server) listCommands(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	return listBoth(c.org.deviceCommands(d.id), p, func(cmd *command) commandJSON {
		return s.commandView(cmd, c.now)
	}), nil
}

// sendBody is the body of POST /devices/{device_id}/commands.
type sendBody struct {
	Name         string         `json:"name"`
	FriendlyName string         `json:"friendly_name"`
	FileID       string         `json:"file_id"`
	ExtraParams  map[string]any `json:"extra_params"`
}

// sendCommand queues a command. The hub accepts name or friendly_name and
// refuses a command with neither (reference §5).
func (s *Server) sendCommand(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	var b sendBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	name, friendly := strings.TrimSpace(b.Name), strings.TrimSpace(b.FriendlyName)
	if name == "" && friendly == "" {
		return nil, invalid("A valid command name or friendly_name is required")
	}
	cmd := &command{
		id: c.org.newID(), deviceID: d.id, name: cmp.Or(name, friendly),
		friendly: cmp.Or(friendly, name), params: b.ExtraParams, fileID: b.FileID, createdAt: c.now,
	}
	c.org.commands = append(c.org.commands, cmd)
	return s.commandView(cmd, c.now), nil
}

// cancelCommand stops a command that has not finished and answers with it
// (the hub's answer is [?]). A settled command cannot be cancelled: 422.
func (s *Server) cancelCommand(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	id := c.param("command_id")
	cmd := findFirst(c.org.commands, func(x *command) bool {
		return x.id == id && x.deviceID == d.id
	})
	if cmd == nil {
		return nil, notFound("Command")
	}
	if status, _ := cmd.status(c.now, s.cfg.CommandDelay); status != "pending" &&
		status != "in_progress" {
		return nil, invalid("Command is already %s", status)
	}
	cmd.final, cmd.finalAt = "cancelled", c.now
	return s.commandView(cmd, c.now), nil
}
