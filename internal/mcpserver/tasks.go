package mcpserver

import (
	"context"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
)

type taskIn struct {
	TaskID string `json:"task_id" jsonschema:"task id returned by send_command_async"`
}

type asyncOut struct {
	TaskID string         `json:"task_id,omitempty"`
	Status string         `json:"status" jsonschema:"queued, running, done or failed; planned on a dry run"`
	Result *fleet.Command `json:"result,omitempty" jsonschema:"the command as the hub recorded it, once done"`
	Plan   *fleet.Plan    `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

func (s *Server) addTaskTools() {
	addTool(s, toolSpec{name: "send_command_async", title: "Send command as a task",
		effect: destructive,
		description: "Send a command to a device as a task and return its task id; follow " +
			"it with get_task_status. Same arguments as send_command. The command acts on " +
			"real hardware and is sent once.",
	}, s.sendCommandAsync)
	addTool(s, toolSpec{name: "get_task_status", title: "Get task status", effect: read,
		closedWorld: true,
		description: "Get the status and result of a task started by send_command_async. " +
			"Only tasks started with the same API key are visible.",
	}, s.taskStatus)
}

func (s *Server) sendCommandAsync(ctx context.Context, c *call, in sendCommandIn) (*asyncOut, error) {
	id, err := s.deviceID(c, in.DeviceID)
	if err != nil {
		return nil, err
	}
	cmd := in.request()
	if err := fleet.CheckCommand(id, cmd); err != nil {
		return nil, err
	}
	out := &asyncOut{Status: "planned"}
	out.Plan, err = dryRunOr(in.DryRun, fleet.SendCommandEndpoint, fleet.CommandRequest(id, cmd),
		func() error {
			t, err := s.tasks.Start(ctx, c.client, c.tenant, fleet.CommandJob{DeviceID: id, Command: cmd})
			if err != nil {
				return err
			}
			out.TaskID, out.Status, out.Result = t.ID, t.Status, t.Result
			return nil
		})
	return out, err
}

func (s *Server) taskStatus(ctx context.Context, c *call, in taskIn) (*fleet.Task, error) {
	if in.TaskID == "" {
		return nil, invalid("task_id", "must not be empty")
	}
	return s.tasks.Task(ctx, c.tenant, in.TaskID)
}
