package mcpserver

import (
	"context"
	"regexp"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// commandName is the shape of a command name a workflow may send.
var commandName = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

type controlIn struct {
	Room        string `json:"room" jsonschema:"room name or path, such as Berlin HQ/Boardroom"`
	DeviceType  string `json:"device_type,omitempty" jsonschema:"kind, model or name, such as projector"`
	Action      string `json:"action" jsonschema:"command, such as power_on, power_off, set_input or mute"`
	InputSource string `json:"input_source,omitempty" jsonschema:"input to select (extra_params.input), such as hdmi1"`
	DryRun      bool   `json:"dry_run,omitempty" jsonschema:"only pick the device and return the request"`
}

type controlOut struct {
	Room    fleet.Room     `json:"room"`
	Picked  fleet.Pick     `json:"picked"`
	Command *fleet.Command `json:"command,omitempty" jsonschema:"the command as the hub recorded it"`
	Plan    *fleet.Plan    `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

type diagnoseIn struct {
	Room             string `json:"room" jsonschema:"room name or path, such as Berlin HQ/Boardroom"`
	IssueDescription string `json:"issue_description,omitempty" jsonschema:"what the user reports (context only)"`
}

type presetIn struct {
	Room   string `json:"room" jsonschema:"room name or path, such as Berlin HQ/Boardroom"`
	Preset string `json:"preset,omitempty" jsonschema:"preset name: a-z, 0-9, _ and - (default: default)"`
	DryRun bool   `json:"dry_run,omitempty" jsonschema:"only return the commands that would be sent"`
}

type shutdownIn struct {
	Room   string `json:"room" jsonschema:"room name or path, such as Berlin HQ/Boardroom"`
	DryRun bool   `json:"dry_run,omitempty" jsonschema:"only return the commands that would be sent"`
}

func (s *Server) addRoomTools() {
	addTool(s, toolSpec{name: "find_and_control_device", title: "Find and control a room device",
		effect: destructive,
		description: "Find a room by name or path, pick its device of the kind named by " +
			"device_type, and send it a command. The result says which room and device were " +
			"picked and why. A room name that matches several rooms is refused with the " +
			"candidates; use dry_run to check the pick first.",
	}, s.findAndControl)
	addTool(s, toolSpec{name: "diagnose_av_issue", title: "Diagnose a room", effect: read,
		description: "Gather a room's AV health in one result: every device's status, last " +
			"seen time and recent history, the room's open incidents and the open tickets " +
			"about its devices, plus a list of findings.",
	}, s.diagnose)
	addTool(s, toolSpec{name: "start_meeting_room_preset", title: "Start a room preset",
		effect: destructive,
		description: "Run a meeting-room preset in a room: a list of commands sent to the " +
			"room's devices in order (the built-in default powers on displays and " +
			"projectors, wakes codecs and unmutes audio). Steps whose device is not in the " +
			"room are skipped and reported.",
	}, s.startPreset)
	addTool(s, toolSpec{name: "shutdown_meeting_room", title: "Shut down a room", effect: destructive,
		description: "Shut a meeting room down with the shutdown preset: mute audio, codecs " +
			"to standby, displays and projectors off. Reports each command sent or skipped.",
	}, s.shutdownRoom)
}

func (s *Server) findAndControl(ctx context.Context, c *call, in controlIn) (*controlOut, error) {
	if !commandName.MatchString(in.Action) {
		return nil, invalid("action", "must be a command name of 1 to 64 letters, digits, _ . : or -")
	}
	room, err := fleet.ResolveRoom(ctx, c.client, in.Room)
	if err != nil {
		return nil, err
	}
	devices, _, err := fleet.AllDevices(ctx, c.client, room.SpaceID)
	if err != nil {
		return nil, err
	}
	pick, err := fleet.PickDevice(devices, in.DeviceType)
	if err != nil {
		return nil, err
	}
	cmd := xyte.SendCommandRequest{Name: in.Action, FriendlyName: fleet.FriendlyName(in.Action)}
	if in.InputSource != "" {
		cmd.ExtraParams = map[string]any{"input": in.InputSource}
	}
	out := &controlOut{Room: *room, Picked: *pick}
	id := pick.Device.ID
	out.Plan, err = dryRunOr(in.DryRun, fleet.SendCommandEndpoint, fleet.CommandRequest(id, cmd),
		func() error {
			var err error
			out.Command, err = fleet.SendCommand(ctx, c.client, id, cmd)
			return err
		})
	return out, err
}

func (s *Server) diagnose(ctx context.Context, c *call, in diagnoseIn) (*fleet.Diagnosis, error) {
	return fleet.DiagnoseRoom(ctx, c.client, in.Room)
}

func (s *Server) startPreset(ctx context.Context, c *call, in presetIn) (*fleet.PresetRun, error) {
	name := in.Preset
	if name == "" {
		name = "default"
	}
	return s.runPreset(ctx, c, in.Room, name, in.DryRun)
}

func (s *Server) shutdownRoom(ctx context.Context, c *call, in shutdownIn) (*fleet.PresetRun, error) {
	return s.runPreset(ctx, c, in.Room, "shutdown", in.DryRun)
}

// runPreset loads a preset before any request, then runs it in the room.
func (s *Server) runPreset(ctx context.Context, c *call, room, name string,
	dry bool) (*fleet.PresetRun, error) {
	p, err := s.presets.Get(name)
	if err != nil {
		return nil, err
	}
	return fleet.RunPreset(ctx, c.client, room, p, dry)
}
