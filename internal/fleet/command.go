package fleet

import (
	"context"
	"fmt"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// SendCommandEndpoint is the catalog key of a command send.
const SendCommandEndpoint = "commands.sendCommand"

// CommandList is the commands sent to one device, newest first as the hub
// sends them.
type CommandList struct {
	DeviceID string    `json:"device_id"`
	Commands []Command `json:"commands"`
}

// ListCommands returns the commands sent to a device, only those with the
// given status when status is not empty.
func ListCommands(ctx context.Context, c *xyte.Client, deviceID, status string) (*CommandList, error) {
	p, err := c.ListCommands(ctx, deviceID)
	if err != nil {
		return nil, fmt.Errorf("list commands of device %q: %w", deviceID, err)
	}
	out := &CommandList{DeviceID: deviceID, Commands: []Command{}}
	for i := range p.Items {
		if status == "" || strings.EqualFold(p.Items[i].Status, status) {
			out.Commands = append(out.Commands, CommandView(&p.Items[i]))
		}
	}
	return out, nil
}

// CommandRequest is the request that sends cmd to a device, for plans.
func CommandRequest(deviceID string, cmd xyte.SendCommandRequest) xyte.Request {
	return xyte.Request{Path: map[string]string{"device_id": deviceID}, Body: cmd}
}

// CheckCommand refuses a command the hub could not run, before anything is
// sent or planned.
func CheckCommand(deviceID string, cmd xyte.SendCommandRequest) error {
	if err := xyte.ValidateID("device_id", deviceID); err != nil {
		return err
	}
	if strings.TrimSpace(cmd.Name) == "" && strings.TrimSpace(cmd.FriendlyName) == "" {
		return &xyte.ArgumentError{Name: "name", Reason: "is required (or friendly_name)"}
	}
	return nil
}

// SendCommand sends a command to a device and returns it as the hub recorded
// it.
func SendCommand(ctx context.Context, c *xyte.Client, deviceID string,
	cmd xyte.SendCommandRequest) (*Command, error) {
	if err := CheckCommand(deviceID, cmd); err != nil {
		return nil, err
	}
	sent, err := c.SendCommand(ctx, deviceID, cmd)
	if err != nil {
		return nil, fmt.Errorf("send command %q to device %q: %w", commandName(cmd), deviceID, err)
	}
	v := CommandView(sent)
	if v.DeviceID == "" {
		v.DeviceID = deviceID
	}
	return &v, nil
}

// FriendlyName turns a command name such as power_on into "Power on".
func FriendlyName(name string) string {
	s := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func commandName(cmd xyte.SendCommandRequest) string {
	if cmd.Name != "" {
		return cmd.Name
	}
	return cmd.FriendlyName
}

// PresetRun is the outcome of a preset in a room.
type PresetRun struct {
	Preset  string       `json:"preset"`
	Room    Room         `json:"room"`
	DryRun  bool         `json:"dry_run"`
	Steps   []StepResult `json:"steps"`
	Summary string       `json:"summary"`
}

// StepResult is the outcome of one command of a preset on one device.
type StepResult struct {
	Step       int    `json:"step" jsonschema:"step number in the preset, from 1"`
	Command    string `json:"command"`
	DeviceID   string `json:"device_id,omitempty"`
	DeviceName string `json:"device_name,omitempty"`
	Outcome    string `json:"outcome" jsonschema:"sent, planned (dry run), skipped or failed"`
	CommandID  string `json:"command_id,omitempty"`
	Status     string `json:"status,omitempty" jsonschema:"command status the hub reported"`
	Reason     string `json:"reason,omitempty" jsonschema:"why a step was skipped or failed"`
	Plan       *Plan  `json:"plan,omitempty"`
}

// RunPreset runs a preset in the room a name means: each step's command goes
// to the devices it names, in order. A step whose device is not in the room
// is skipped, and a failed send does not stop later steps, unless the hub
// refused the key itself. A dry run sends nothing and returns the plans.
func RunPreset(ctx context.Context, c *xyte.Client, room string, p *Preset,
	dryRun bool) (*PresetRun, error) {
	r, err := ResolveRoom(ctx, c, room)
	if err != nil {
		return nil, err
	}
	devices, _, err := AllDevices(ctx, c, r.SpaceID)
	if err != nil {
		return nil, err
	}
	run := &PresetRun{Preset: p.Name, Room: *r, DryRun: dryRun, Steps: []StepResult{}}
	for i, step := range p.Steps {
		results, err := runStep(ctx, c, i+1, step, devices, dryRun)
		run.Steps = append(run.Steps, results...)
		if err != nil {
			return nil, err
		}
	}
	run.Summary = summarize(run.Steps)
	return run, nil
}

// runStep sends one step's command to each device it names. It returns an
// error only for failures that would fail every later step too.
func runStep(ctx context.Context, c *xyte.Client, n int, step PresetStep, devices []xyte.Device,
	dryRun bool) ([]StepResult, error) {
	targets, reason := stepTargets(step, devices)
	if len(targets) == 0 {
		return []StepResult{{Step: n, Command: step.Command, Outcome: "skipped", Reason: reason}}, nil
	}
	cmd := xyte.SendCommandRequest{Name: step.Command, FriendlyName: step.FriendlyName,
		ExtraParams: step.Params}
	if cmd.FriendlyName == "" {
		cmd.FriendlyName = FriendlyName(step.Command)
	}
	var out []StepResult
	for _, d := range targets {
		res := StepResult{Step: n, Command: step.Command, DeviceID: d.ID, DeviceName: d.Name}
		err := sendOrPlan(ctx, c, d.ID, cmd, dryRun, &res)
		out = append(out, res)
		if code := xyte.CodeOf(err); code == xyte.CodeUnauthorized || code == xyte.CodeForbidden {
			return out, err
		}
	}
	return out, nil
}

func sendOrPlan(ctx context.Context, c *xyte.Client, id string, cmd xyte.SendCommandRequest,
	dryRun bool, res *StepResult) error {
	var err error
	if dryRun {
		res.Plan, err = PlanRequest(SendCommandEndpoint, CommandRequest(id, cmd))
		res.Outcome = "planned"
	} else {
		var sent *Command
		if sent, err = SendCommand(ctx, c, id, cmd); err == nil {
			res.Outcome, res.CommandID, res.Status = "sent", sent.ID, sent.Status
		}
	}
	if err != nil {
		res.Outcome, res.Reason, res.Plan = "failed", fmt.Sprintf("%s: %v", xyte.CodeOf(err), err), nil
	}
	return err
}

// stepTargets returns the room's devices a step names, or why there are none.
func stepTargets(step PresetStep, devices []xyte.Device) ([]xyte.Device, string) {
	var out []xyte.Device
	if step.Device != "" {
		for _, d := range devices {
			if d.ID == step.Device || strings.EqualFold(d.Name, step.Device) {
				return []xyte.Device{d}, ""
			}
		}
		return nil, fmt.Sprintf("no device in the room has the id or name %q", step.Device)
	}
	kind := kindOf(strings.ToLower(step.DeviceType))
	for _, d := range devices {
		if DeviceKind(&d) == kind {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Sprintf("no %s in the room", kind)
	}
	return out, ""
}

func summarize(steps []StepResult) string {
	counts := map[string]int{}
	for _, s := range steps {
		counts[s.Outcome]++
	}
	var parts []string
	for _, o := range []string{"sent", "planned", "skipped", "failed"} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	// Every step has at least one result, so parts is never empty.
	return strings.Join(parts, ", ")
}
