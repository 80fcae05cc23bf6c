package mcpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/mcpserver"
)

var update = flag.Bool("update", false, "rewrite the golden tool snapshots in testdata/tools")

// allTools is every tool of a server with sessions, writes and all areas on.
var allTools = []string{
	"cancel_command", "cancel_task", "claim_device", "delete_device", "diagnose_av_issue",
	"find_and_control_device", "fleet_overview", "get_device", "get_device_status",
	"get_organization_info", "get_space", "get_task_status", "get_ticket", "list_device_commands",
	"list_devices", "list_incidents", "list_spaces", "list_tasks", "list_tickets",
	"mark_ticket_resolved",
	"move_device", "search_device_histories", "send_command", "send_command_async",
	"send_ticket_message", "set_context", "shutdown_meeting_room", "start_meeting_room_preset",
	"update_device", "update_ticket", "xyte_api_call", "xyte_endpoint_describe",
	"xyte_endpoints_list",
}

func TestList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{Sessions: true})
	ctx := context.Background()

	tools, err := e.cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, allTools) {
		t.Errorf("tools:\n got %v\nwant %v", names, allTools)
	}

	res, err := e.cs.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "resources", res.Resources, func(r *mcp.Resource) string { return r.URI },
		"devices://", "incidents://", "organization://info", "report://fleet", "spaces://",
		"tickets://")

	tmpl, err := e.cs.ListResourceTemplates(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "templates", tmpl.ResourceTemplates,
		func(r *mcp.ResourceTemplate) string { return r.URITemplate },
		"device://{device_id}", "device://{device_id}/commands", "device://{device_id}/histories",
		"ticket://{ticket_id}")

	prompts, err := e.cs.ListPrompts(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "prompts", prompts.Prompts, func(p *mcp.Prompt) string { return p.Name },
		"check_projectors_health", "proactive_projector_maintenance_check",
		"reboot_device_workflow", "troubleshoot_offline_device_workflow")

	init := e.cs.InitializeResult()
	if !strings.Contains(init.Instructions, "third-party content") {
		t.Errorf("instructions do not warn about third-party content: %q", init.Instructions)
	}
}

func checkNames[T any](t *testing.T, what string, items []T, name func(T) string, want ...string) {
	t.Helper()
	var got []string
	for _, it := range items {
		got = append(got, name(it))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func TestListOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      mcpserver.Options
		tool      string
		tmpl      string
		wantTool  bool
		wantTmpl  bool
		wantTools int
	}{
		{name: "no sessions", opts: mcpserver.Options{}, tool: "set_context",
			tmpl: "device://{device_id}/state", wantTools: len(allTools) - 1},
		{name: "no experimental logs", opts: mcpserver.Options{}, tool: "set_context",
			tmpl: "device://{device_id}/logs", wantTools: len(allTools) - 1},
		{name: "experimental", opts: mcpserver.Options{Sessions: true, ExperimentalAPIs: true},
			tool: "set_context", wantTool: true, tmpl: "device://{device_id}/state", wantTmpl: true,
			wantTools: len(allTools)},
		{name: "experimental logs",
			opts: mcpserver.Options{Sessions: true, ExperimentalAPIs: true},
			tool: "set_context", wantTool: true, tmpl: "device://{device_id}/logs", wantTmpl: true,
			wantTools: len(allTools)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts)
			tools, err := e.cs.ListTools(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			has := slices.ContainsFunc(tools.Tools, func(x *mcp.Tool) bool { return x.Name == tt.tool })
			if has != tt.wantTool || len(tools.Tools) != tt.wantTools {
				t.Errorf("%d tools, %s listed %v; want %d, %v", len(tools.Tools), tt.tool, has,
					tt.wantTools, tt.wantTool)
			}
			tmpl, err := e.cs.ListResourceTemplates(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			has = slices.ContainsFunc(tmpl.ResourceTemplates,
				func(x *mcp.ResourceTemplate) bool { return x.URITemplate == tt.tmpl })
			if has != tt.wantTmpl {
				t.Errorf("template %s listed %v, want %v", tt.tmpl, has, tt.wantTmpl)
			}
		})
	}
}

// TestToolSnapshots compares every tool's name, title, description,
// annotations and schemas with testdata/tools/<name>.json. Run
// go test ./internal/mcpserver -update to rewrite them after a deliberate
// change.
func TestToolSnapshots(t *testing.T) {
	t.Parallel()
	bus := events.NewMemoryBus(events.Options{})
	t.Cleanup(func() { _ = bus.Close() })
	e := newEnv(t, mcpserver.Options{Sessions: true, Events: bus})
	tools, err := e.cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "tools")
	seen := map[string]bool{}
	for _, tool := range tools.Tools {
		file := tool.Name + ".json"
		seen[file] = true
		got, err := json.MarshalIndent(tool, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		checkSnapshot(t, filepath.Join(dir, file), got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if !seen[ent.Name()] {
			if *update {
				_ = os.Remove(filepath.Join(dir, ent.Name()))
				continue
			}
			t.Errorf("snapshot %s has no tool; remove it or run with -update", ent.Name())
		}
	}
}

func checkSnapshot(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("missing snapshot %s (run go test ./internal/mcpserver -update): %v", path, err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("tool snapshot %s changed (run with -update if intended):\n%s", path, got)
	}
}

// TestAnnotations checks that every tool states all four hints and that the
// hints match what the tool does.
func TestAnnotations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{Sessions: true})
	tools, err := e.cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	destructive := []string{"claim_device", "delete_device", "send_command", "send_command_async",
		"mark_ticket_resolved", "find_and_control_device", "start_meeting_room_preset",
		"shutdown_meeting_room", "xyte_api_call"}
	for _, tool := range tools.Tools {
		a := tool.Annotations
		if a == nil || a.DestructiveHint == nil || a.OpenWorldHint == nil {
			t.Errorf("%s: annotations incomplete: %+v", tool.Name, a)
			continue
		}
		if want := slices.Contains(destructive, tool.Name); *a.DestructiveHint != want {
			t.Errorf("%s: destructiveHint %v, want %v", tool.Name, *a.DestructiveHint, want)
		}
		if a.ReadOnlyHint && *a.DestructiveHint {
			t.Errorf("%s: read-only and destructive", tool.Name)
		}
		if tool.OutputSchema == nil {
			t.Errorf("%s: no output schema", tool.Name)
		}
	}
}

// TestNewRefusesBadOptions: a server needs a client, and a presets directory
// that exists.
func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mcpserver.Options{})
	for name, opts := range map[string]mcpserver.Options{
		"no client": {},
		"presets directory": {Client: newClient(t, e.url, keyA),
			PresetsDir: filepath.Join(t.TempDir(), "missing")},
	} {
		if srv, err := mcpserver.New(opts); err == nil || srv != nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestToolNames: ToolNames is what tools/list shows, sorted; a read-only
// server has no write tools.
func TestToolNames(t *testing.T) {
	t.Parallel()
	for _, opts := range []mcpserver.Options{{Sessions: true}, {ReadOnly: true}} {
		e := newEnv(t, opts)
		tools, err := e.cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, tool := range tools.Tools {
			listed = append(listed, tool.Name)
		}
		slices.Sort(listed)
		if got := e.server.ToolNames(); !slices.Equal(got, listed) {
			t.Errorf("read-only %v: ToolNames %v, tools/list %v", opts.ReadOnly, got, listed)
		}
		if opts.ReadOnly && slices.Contains(e.server.ToolNames(), "send_command") {
			t.Error("a read-only server names send_command")
		}
	}
}
