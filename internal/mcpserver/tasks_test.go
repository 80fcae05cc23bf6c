package mcpserver_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
)

// TestTaskToolsOnQueue drives the task tools over a real queue (SQLite, no
// workers, so tasks stay queued): submit, status, list, cancel, and another
// tenant who sees none of it.
func TestTaskToolsOnQueue(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, mcpserver.Options{})
	ctx := context.Background()
	q, err := tasks.Open(ctx, tasks.Options{DataDir: t.TempDir(), Client: newClient(t, plain.url, ""),
		Secret: "q7Xv2Lm9Rt4Wz8Kp1Hs6Nd3Jf5Gb0Ac9", Workers: 0,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, plain.url, ""), Tasks: q})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tenantSession(t, srv, keyA), tenantSession(t, srv, keyB)

	task := mustSucceed(t, a, "send_command_async", map[string]any{
		"device_id": plain.a.DeviceIDs[0], "name": "reboot"})
	wantField(t, task, "status", "queued")
	id := task["task_id"]
	wantField(t, mustSucceed(t, a, "get_task_status", map[string]any{"task_id": id}), "status", "queued")
	list := mustSucceed(t, a, "list_tasks", map[string]any{"limit": 10})
	if got := list["tasks"].([]any); len(got) != 1 || got[0].(map[string]any)["task_id"] != id {
		t.Fatalf("list_tasks: %v", list)
	}

	mustFail(t, b, "get_task_status", map[string]any{"task_id": id}, "not_found", "task_id")
	mustFail(t, b, "cancel_task", map[string]any{"task_id": id}, "not_found", "task_id")
	if got := mustSucceed(t, b, "list_tasks", nil)["tasks"].([]any); len(got) != 0 {
		t.Fatalf("tenant B lists A's tasks: %v", got)
	}

	wantField(t, mustSucceed(t, a, "cancel_task", map[string]any{"task_id": id}), "status", "cancelled")
	mustFail(t, a, "cancel_task", map[string]any{"task_id": id}, "invalid_params", "no longer queued")
	if n := len(plain.sim.Requests()); n != 0 {
		t.Fatalf("a queued then cancelled task reached the upstream %d times", n)
	}
}

// TestTasksNeedTheCallersKey: a server whose own key belongs to no known
// tenant cannot own tasks, so every task tool but a dry run refuses.
func TestTasksNeedTheCallersKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, e.url, keyA)})
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv, context.Background())
	send := map[string]any{"device_id": e.a.DeviceIDs[0], "name": "reboot"}
	mustFail(t, cs, "send_command_async", send, "unauthorized", "Authorization")
	mustFail(t, cs, "get_task_status", map[string]any{"task_id": "t1"}, "unauthorized")
	mustFail(t, cs, "list_tasks", nil, "unauthorized")
	mustFail(t, cs, "cancel_task", map[string]any{"task_id": "t1"}, "unauthorized")
	send["dry_run"] = true
	wantField(t, mustSucceed(t, cs, "send_command_async", send), "status", "planned")
	if n := len(writes(e.sim.Requests())); n != 0 {
		t.Errorf("%d writes without a task owner", n)
	}
}

// TestTaskNamedByFriendlyName: a task sent with only a friendly name shows
// that name as its command.
func TestTaskNamedByFriendlyName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	task := mustSucceed(t, e.cs, "send_command_async", map[string]any{
		"device_id": e.a.DeviceIDs[0], "name": "", "friendly_name": "Power on"})
	wantField(t, task, "command", "Power on")
	wantField(t, task, "status", "done")
}

// TestTaskStoreFailure: when the task store fails, the task tools answer
// with a tool error saying what failed, not a protocol error.
func TestTaskStoreFailure(t *testing.T) {
	t.Parallel()
	plain := newEnv(t, mcpserver.Options{})
	q, err := tasks.Open(context.Background(), tasks.Options{DataDir: t.TempDir(),
		Client: newClient(t, plain.url, ""), Secret: "q7Xv2Lm9Rt4Wz8Kp1Hs6Nd3Jf5Gb0Ac9",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mcpserver.New(mcpserver.Options{Client: newClient(t, plain.url, ""), Tasks: q})
	if err != nil {
		t.Fatal(err)
	}
	a := tenantSession(t, srv, keyA)
	q.Close()
	for tool, args := range map[string]map[string]any{
		"send_command_async": {"device_id": plain.a.DeviceIDs[0], "name": "reboot"},
		"list_tasks":         nil,
	} {
		res := callTool(t, a, tool, args)
		if !res.IsError || !strings.Contains(text(res), "task") {
			t.Errorf("%s with the store closed: %q", tool, text(res))
		}
	}
	if n := len(writes(plain.sim.Requests())); n != 0 {
		t.Errorf("%d commands sent without a stored task", n)
	}
}
