package rest

import (
	"net/http"

	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// TaskRequest is the body of POST /v1/tasks: a command to send to a device
// as a background task.
type TaskRequest struct {
	DeviceID     string         `json:"device_id"`
	Name         string         `json:"name,omitempty"`
	FriendlyName string         `json:"friendly_name,omitempty"`
	FileID       string         `json:"file_id,omitempty"`
	ExtraParams  map[string]any `json:"extra_params,omitempty"`
}

// TaskList is the answer of GET /v1/tasks.
type TaskList struct {
	Tasks []tasks.Task `json:"tasks"`
}

var (
	docSubmitTask = routeDoc{id: "submitTask", tag: "tasks", body: TaskRequest{},
		result:  tasks.Task{},
		summary: "Send a command as a background task; answers at once with the task."}
	docListTasks = routeDoc{id: "listTasks", tag: "tasks", result: TaskList{},
		summary: "List this key's most recent tasks, newest first.",
		query: []paramDoc{{name: "limit", typ: "integer",
			desc: "Tasks to return, 1 to 200 (default 50)."}}}
	docGetTask = routeDoc{id: "getTask", tag: "tasks", result: tasks.Task{},
		summary: "Get one task; another key's task answers 404 like a missing one."}
	docCancelTask = routeDoc{id: "cancelTask", tag: "tasks", result: tasks.Task{},
		summary: "Cancel a task that is still queued."}
)

// taskRoutes are the /v1/tasks routes. Tasks belong to the tenant that
// submitted them; the tasks service answers another tenant's id exactly like
// an id that does not exist.
func (a *API) taskRoutes() []Route {
	return []Route{
		a.upstream(post, "/v1/tasks", a.submitTask, docSubmitTask),
		a.upstream(get, "/v1/tasks", a.listTasks, docListTasks),
		a.upstream(get, "/v1/tasks/{task_id}", a.getTask, docGetTask),
		a.upstream(del, "/v1/tasks/{task_id}", a.cancelTask, docCancelTask),
	}
}

// caller returns the tenant of a task route's request. Task routes are
// upstream routes, which answer 401 before calling them when there is none.
func caller(r *http.Request) tenant.Tenant {
	t, _ := tenant.FromContext(r.Context())
	return t
}

func (a *API) submitTask(r *http.Request, _ *xyte.Client) (any, error) {
	if err := noQuery(r); err != nil {
		return nil, err
	}
	var body TaskRequest
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	if err := xyte.ValidateID("device_id", body.DeviceID); err != nil {
		return nil, err
	}
	return a.opts.Tasks.SubmitCommand(r.Context(), caller(r), body.DeviceID,
		xyte.SendCommandRequest{Name: body.Name, FriendlyName: body.FriendlyName,
			FileID: body.FileID, ExtraParams: body.ExtraParams})
}

func (a *API) listTasks(r *http.Request, _ *xyte.Client) (any, error) {
	q := newQuery(r)
	limit := int(q.integer("limit", 1, tasks.MaxListLimit))
	if err := q.done(); err != nil {
		return nil, err
	}
	list, err := a.opts.Tasks.List(r.Context(), caller(r), limit)
	// An empty list is [], never null.
	return TaskList{Tasks: append([]tasks.Task{}, list...)}, err
}

func (a *API) getTask(r *http.Request, _ *xyte.Client) (any, error) {
	id, err := taskID(r)
	if err != nil {
		return nil, err
	}
	return a.opts.Tasks.Get(r.Context(), caller(r), id)
}

func (a *API) cancelTask(r *http.Request, _ *xyte.Client) (any, error) {
	id, err := taskID(r)
	if err != nil {
		return nil, err
	}
	return a.opts.Tasks.Cancel(r.Context(), caller(r), id)
}

// taskID returns the task id of a route with no query parameters.
func taskID(r *http.Request) (string, error) {
	id, err := pathID(r, "task_id")
	if err != nil {
		return "", err
	}
	return id, noQuery(r)
}
