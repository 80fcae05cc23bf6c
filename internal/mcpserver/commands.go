package mcpserver

import (
	"context"
	"fmt"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

type listCommandsIn struct {
	DeviceID string `json:"device_id,omitempty" jsonschema:"device id; may be omitted after set_context"`
	Status   string `json:"status,omitempty" jsonschema:"only commands with this status"`
}

type sendCommandIn struct {
	DeviceID     string         `json:"device_id,omitempty" jsonschema:"device id; may be omitted after set_context"`
	Name         string         `json:"name" jsonschema:"command name, such as power_on, reboot or set_input"`
	FriendlyName string         `json:"friendly_name,omitempty" jsonschema:"human-readable name (default: from name)"`
	FileID       string         `json:"file_id,omitempty" jsonschema:"file, for commands that need one"`
	ExtraParams  map[string]any `json:"extra_params,omitempty" jsonschema:"command parameters, such as input"`
	DryRun       bool           `json:"dry_run,omitempty" jsonschema:"only return the request that would be sent"`
}

type cancelCommandIn struct {
	DeviceID  string `json:"device_id,omitempty" jsonschema:"device id; may be omitted after set_context"`
	CommandID string `json:"command_id" jsonschema:"command id (UUID), from list_device_commands or send_command"`
	DryRun    bool   `json:"dry_run,omitempty" jsonschema:"only return the request that would be sent"`
}

type historiesIn struct {
	DeviceID string `json:"device_id,omitempty" jsonschema:"only this device"`
	SpaceID  int64  `json:"space_id,omitempty" jsonschema:"only devices in this space or below it"`
	Status   string `json:"status,omitempty" jsonschema:"only devices whose current status is this"`
	Name     string `json:"name,omitempty" jsonschema:"only devices with this name"`
	From     string `json:"from,omitempty" jsonschema:"start: RFC 3339 or Unix seconds; default 7 days before to"`
	To       string `json:"to,omitempty" jsonschema:"end: RFC 3339 or Unix seconds; default now; <= 31 days after from"`
	Page     int    `json:"page,omitempty" jsonschema:"page number, from 1 (default 1)"`
	PerPage  int    `json:"per_page,omitempty" jsonschema:"entries per page, 1 to 1000 (default 25)"`
}

type commandOut struct {
	Command *fleet.Command `json:"command,omitempty" jsonschema:"the command as the hub recorded it"`
	Plan    *fleet.Plan    `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

type cancelOut struct {
	Done      bool        `json:"done" jsonschema:"the hub stopped the command; false on a dry run"`
	DeviceID  string      `json:"device_id"`
	CommandID string      `json:"command_id"`
	Plan      *fleet.Plan `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

func (s *Server) addCommandTools() {
	addTool(s, toolSpec{name: "list_device_commands", title: "List device commands", effect: read,
		description: "List the commands sent to a device, newest first, with their status " +
			"(pending, in_progress, done, failed or cancelled).",
	}, s.listCommands)
	addTool(s, toolSpec{name: "send_command", title: "Send command", effect: destructive,
		description: "Send a command to a device, such as power_on, power_off, reboot or " +
			"set_input. It acts on real hardware and is sent once, never retried. Check the " +
			"outcome with list_device_commands.",
	}, s.sendCommand)
	addTool(s, toolSpec{name: "cancel_command", title: "Cancel command", effect: write,
		idempotent:  true,
		description: "Cancel a command that is still pending or in progress.",
	}, s.cancelCommand)
	addTool(s, toolSpec{name: "search_device_histories", title: "Search device histories",
		effect: read, enums: map[string][]string{"status": {"online", "offline", "unavailable", "error"}},
		description: "Search the state history of devices in a time window of at most 31 " +
			"days (default: the last 7 days). A longer window is refused before any request.",
	}, s.searchHistories)
}

func (s *Server) listCommands(ctx context.Context, c *call, in listCommandsIn) (*fleet.CommandList, error) {
	id, err := s.deviceID(c, in.DeviceID)
	if err != nil {
		return nil, err
	}
	return fleet.ListCommands(ctx, c.client, id, in.Status)
}

func (s *Server) sendCommand(ctx context.Context, c *call, in sendCommandIn) (*commandOut, error) {
	id, err := s.deviceID(c, in.DeviceID)
	if err != nil {
		return nil, err
	}
	cmd := in.request()
	if err := fleet.CheckCommand(id, cmd); err != nil {
		return nil, err
	}
	out := &commandOut{}
	out.Plan, err = dryRunOr(in.DryRun, fleet.SendCommandEndpoint, fleet.CommandRequest(id, cmd),
		func() error {
			var err error
			out.Command, err = fleet.SendCommand(ctx, c.client, id, cmd)
			return err
		})
	return out, err
}

func (in sendCommandIn) request() xyte.SendCommandRequest {
	cmd := xyte.SendCommandRequest{Name: in.Name, FriendlyName: in.FriendlyName, FileID: in.FileID,
		ExtraParams: in.ExtraParams}
	if cmd.FriendlyName == "" {
		cmd.FriendlyName = fleet.FriendlyName(in.Name)
	}
	return cmd
}

func (s *Server) cancelCommand(ctx context.Context, c *call, in cancelCommandIn) (*cancelOut, error) {
	id, err := s.deviceID(c, in.DeviceID)
	if err != nil {
		return nil, err
	}
	req := xyte.Request{Path: map[string]string{"device_id": id, "command_id": in.CommandID}}
	out := &cancelOut{DeviceID: id, CommandID: in.CommandID}
	out.Plan, err = dryRunOr(in.DryRun, "commands.cancelCommand", req, func() error {
		if _, err := c.client.CancelCommand(ctx, id, in.CommandID); err != nil {
			return fmt.Errorf("cancel command %q of device %q: %w", in.CommandID, id, err)
		}
		out.Done = true
		return nil
	})
	return out, err
}

func (s *Server) searchHistories(ctx context.Context, c *call, in historiesIn) (*fleet.HistoryList, error) {
	return fleet.SearchHistories(ctx, c.client, fleet.HistoryFilter{
		DeviceID: in.DeviceID, SpaceID: in.SpaceID, Status: in.Status, Name: in.Name,
		From: in.From, To: in.To, Page: in.Page, PerPage: in.PerPage,
	})
}
