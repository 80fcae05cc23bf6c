package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

type taskIn struct {
	TaskID string `json:"task_id" jsonschema:"task id returned by send_command_async"`
}

type listTasksIn struct {
	Limit int `json:"limit,omitempty" jsonschema:"most recent tasks to return, 1 to 200 (default 50)"`
}

// taskView is a task as tools show it.
type taskView struct {
	TaskID     string         `json:"task_id"`
	Status     string         `json:"status" jsonschema:"queued, running, done, error, cancelled or unknown"`
	DeviceID   string         `json:"device_id"`
	Command    string         `json:"command" jsonschema:"the command name sent"`
	Result     map[string]any `json:"result,omitempty" jsonschema:"the command as the hub recorded it, once done"`
	Error      string         `json:"error,omitempty" jsonschema:"why the task ended in error or unknown"`
	Code       string         `json:"code,omitempty" jsonschema:"failure code, such as not_found or interrupted"`
	CreatedAt  string         `json:"created_at"`
	UpdatedAt  string         `json:"updated_at"`
	FinishedAt string         `json:"finished_at,omitempty"`
}

type asyncOut struct {
	taskView
	Plan *fleet.Plan `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

type taskListOut struct {
	Tasks []taskView `json:"tasks"`
}

func (s *Server) addTaskTools() {
	addTool(s, toolSpec{name: "send_command_async", title: "Send command as a task",
		effect: destructive,
		description: "Send a command to a device as a background task and return its task id " +
			"at once; follow it with get_task_status. Same arguments as send_command. The " +
			"command acts on real hardware and is sent at most once: a task whose worker " +
			"stopped mid-send ends as unknown and is never sent again.",
	}, s.sendCommandAsync)
	addTool(s, toolSpec{name: "get_task_status", title: "Get task status", effect: read,
		closedWorld: true,
		description: "Get the status and result of a task started by send_command_async. " +
			"Only tasks started with the same API key are visible.",
	}, s.taskStatus)
	addTool(s, toolSpec{name: "list_tasks", title: "List tasks", effect: read, closedWorld: true,
		description: "List the most recent tasks started with this API key, newest first.",
	}, s.listTasks)
	addTool(s, toolSpec{name: "cancel_task", title: "Cancel a queued task", effect: write,
		closedWorld: true, idempotent: true,
		description: "Cancel a task that is still queued; a running or finished task cannot " +
			"be cancelled.",
	}, s.cancelTask)
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
	out := &asyncOut{taskView: taskView{Status: "planned", DeviceID: id, Command: cmd.Name}}
	out.Plan, err = dryRunOr(in.DryRun, fleet.SendCommandEndpoint, fleet.CommandRequest(id, cmd),
		func() error {
			if c.who.IsZero() {
				return errNoTaskOwner
			}
			t, err := s.tasks.SubmitCommand(ctx, c.who, id, cmd)
			if err != nil {
				return taskError(err)
			}
			out.taskView = viewTask(t)
			return nil
		})
	return out, err
}

func (s *Server) taskStatus(ctx context.Context, c *call, in taskIn) (*taskView, error) {
	if in.TaskID == "" {
		return nil, invalid("task_id", "must not be empty")
	}
	if c.who.IsZero() {
		return nil, errNoTaskOwner
	}
	t, err := s.tasks.Get(ctx, c.who, in.TaskID)
	if err != nil {
		return nil, taskError(err)
	}
	v := viewTask(t)
	return &v, nil
}

func (s *Server) listTasks(ctx context.Context, c *call, in listTasksIn) (*taskListOut, error) {
	if in.Limit < 0 || in.Limit > tasks.MaxListLimit {
		return nil, invalid("limit", "must be between 1 and 200")
	}
	if c.who.IsZero() {
		return nil, errNoTaskOwner
	}
	list, err := s.tasks.List(ctx, c.who, in.Limit)
	if err != nil {
		return nil, taskError(err)
	}
	out := &taskListOut{Tasks: make([]taskView, 0, len(list))}
	for _, t := range list {
		out.Tasks = append(out.Tasks, viewTask(t))
	}
	return out, nil
}

func (s *Server) cancelTask(ctx context.Context, c *call, in taskIn) (*taskView, error) {
	if in.TaskID == "" {
		return nil, invalid("task_id", "must not be empty")
	}
	if c.who.IsZero() {
		return nil, errNoTaskOwner
	}
	t, err := s.tasks.Cancel(ctx, c.who, in.TaskID)
	if err != nil {
		return nil, taskError(err)
	}
	v := viewTask(t)
	return &v, nil
}

var errNoTaskOwner = &toolError{code: xyte.CodeUnauthorized,
	msg: "tasks need the caller's Xyte API key: send one in the Authorization header"}

// taskError maps task service errors to tool errors. Another tenant's task
// id answers exactly like an id that does not exist.
func taskError(err error) error {
	switch {
	case errors.Is(err, tasks.ErrNotFound):
		return &toolError{code: xyte.CodeNotFound, msg: "task_id: no such task"}
	case errors.Is(err, tasks.ErrNotCancellable):
		return &toolError{code: xyte.CodeInvalidParams,
			msg: "task_id: the task is no longer queued, so it cannot be cancelled"}
	case errors.Is(err, tasks.ErrNoTenant):
		return errNoTaskOwner
	}
	return err
}

func viewTask(t tasks.Task) taskView {
	v := taskView{TaskID: t.ID, Status: t.Status, DeviceID: t.DeviceID, Command: t.Command.Name,
		Error: t.Error, Code: t.Code, CreatedAt: stamp(t.CreatedAt), UpdatedAt: stamp(t.UpdatedAt),
		FinishedAt: stamp(t.FinishedAt)}
	if v.Command == "" {
		v.Command = t.Command.FriendlyName
	}
	if len(t.Result) > 0 {
		_ = json.Unmarshal(t.Result, &v.Result)
	}
	return v
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
