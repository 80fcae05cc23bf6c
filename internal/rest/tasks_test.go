package rest_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// newTaskFixture serves the REST routes with the /v1/tasks routes on a
// synchronous task service, every request as the test tenant.
func newTaskFixture(t *testing.T, readOnly bool) *fixture {
	t.Helper()
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: testKey}},
		CommandDelay: time.Hour})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	client := newClient(t, up.URL)
	ts, err := tasks.NewSync(tasks.SyncOptions{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	api := rest.New(rest.Options{Client: client, Tasks: ts, ReadOnly: readOnly})
	return &fixture{sim: sim, url: serve(t, api, testKey)}
}

// TestTaskRoutes: a submitted task is listed and fetched by its id; a
// finished task cannot be cancelled; unknown ids answer 404.
func TestTaskRoutes(t *testing.T) {
	t.Parallel()
	f := newTaskFixture(t, false)
	var empty rest.TaskList
	if f.getJSON(t, "/v1/tasks", &empty); empty.Tasks == nil || len(empty.Tasks) != 0 {
		t.Fatalf("no tasks yet: %+v", empty)
	}
	device := f.sim.DeviceIDs(testKey)[0]
	status, _, body := f.do(t, "POST", "/v1/tasks", `{"device_id":"`+device+`","name":"reboot"}`)
	var task tasks.Task
	if err := json.Unmarshal(body, &task); status != 200 || err != nil || task.ID == "" {
		t.Fatalf("submit = %d %s", status, body)
	}
	var list rest.TaskList
	f.getJSON(t, "/v1/tasks?limit=1", &list)
	if len(list.Tasks) != 1 || list.Tasks[0].ID != task.ID {
		t.Errorf("list %+v, want task %s", list, task.ID)
	}
	var got tasks.Task
	if f.getJSON(t, "/v1/tasks/"+task.ID, &got); got.ID != task.ID || got.DeviceID != device {
		t.Errorf("get %+v, want task %s of %s", got, task.ID, device)
	}

	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"DELETE", "/v1/tasks/" + task.ID, 400, "invalid_params"},
		{"DELETE", "/v1/tasks/0123456789abcdef0123456789abcdef", 404, "not_found"},
		{"GET", "/v1/tasks/0123456789abcdef0123456789abcdef", 404, "not_found"},
	} {
		status, _, body := f.do(t, tc.method, tc.path, "")
		var e rest.ErrorBody
		_ = json.Unmarshal(body, &e)
		if status != tc.status || e.Error != tc.code {
			t.Errorf("%s %s = %d %s, want %d %s", tc.method, tc.path, status, body,
				tc.status, tc.code)
		}
	}
}

// TestTaskRoutesBadInput: every refusal is a 400 invalid_params naming the
// input, and sends no command.
func TestTaskRoutesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path, body, names string
	}{
		{"POST", "/v1/tasks?wait=1", `{"device_id":"d1","name":"reboot"}`, "wait"},
		{"POST", "/v1/tasks", `{"device_id":"d1","name":`, "body"},
		{"POST", "/v1/tasks", `{"device_id":" d1","name":"reboot"}`, "device_id"},
		{"POST", "/v1/tasks", `{"device_id":"d1"}`, "name"},
		{"GET", "/v1/tasks?limit=0", "", "limit"},
		{"GET", "/v1/tasks?limit=201", "", "limit"},
		{"GET", "/v1/tasks/%20t1", "", "task_id"},
		{"GET", "/v1/tasks/t1?verbose=1", "", "verbose"},
		{"DELETE", "/v1/tasks/%20t1", "", "task_id"},
		{"DELETE", "/v1/tasks/t1?force=1", "", "force"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			t.Parallel()
			f := newTaskFixture(t, false)
			status, _, body := f.do(t, tc.method, tc.path, tc.body)
			var e rest.ErrorBody
			_ = json.Unmarshal(body, &e)
			if status != 400 || e.Error != "invalid_params" || !strings.Contains(e.Message, tc.names) {
				t.Fatalf("%s %s = %d %s, want 400 naming %q", tc.method, tc.path, status, body,
					tc.names)
			}
			if n := len(f.sim.Requests()); n != 0 {
				t.Errorf("bad input made %d upstream calls", n)
			}
		})
	}
}

// TestTaskWritesReadOnly: a read-only server refuses to submit or cancel
// tasks, and still lists them.
func TestTaskWritesReadOnly(t *testing.T) {
	t.Parallel()
	f := newTaskFixture(t, true)
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/v1/tasks", `{"device_id":"d1","name":"reboot"}`},
		{"DELETE", "/v1/tasks/0123456789abcdef0123456789abcdef", ""},
	} {
		status, _, body := f.do(t, tc.method, tc.path, tc.body)
		var e rest.ErrorBody
		_ = json.Unmarshal(body, &e)
		if status != 403 || e.Error != "read_only" {
			t.Errorf("%s %s on a read-only server = %d %s", tc.method, tc.path, status, body)
		}
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("refused writes made %d upstream calls", n)
	}
	var list rest.TaskList
	f.getJSON(t, "/v1/tasks", &list)
}
