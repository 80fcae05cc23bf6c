package tasks

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

func newSyncTasks(t *testing.T, up *upstream, perTenant int) *Sync {
	t.Helper()
	s, err := NewSync(SyncOptions{Client: up.client, PerTenant: perTenant})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSyncSendsAtOnce(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	s := newSyncTasks(t, up, 0)
	ctx := context.Background()

	task, err := s.SubmitCommand(ctx, tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != StatusDone || len(task.Result) == 0 || !wellFormedID(task.ID) {
		t.Fatalf("task = %+v, want done with a result", task)
	}
	if n := up.sends(); n != 1 {
		t.Errorf("simulator got %d sends, want 1", n)
	}
	if got, err := s.Get(ctx, tenantA, task.ID); err != nil || got.ID != task.ID {
		t.Errorf("A gets %+v (%v)", got, err)
	}
	if list, err := s.List(ctx, tenantA, 0); err != nil || len(list) != 1 {
		t.Errorf("A lists %d tasks (%v), want 1", len(list), err)
	}
	if _, err := s.Cancel(ctx, tenantA, task.ID); !errors.Is(err, ErrNotCancellable) {
		t.Errorf("cancel: %v, want ErrNotCancellable", err)
	}
}

func TestSyncTenantsApart(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	s := newSyncTasks(t, up, 0)
	ctx := context.Background()
	task, err := s.SubmitCommand(ctx, tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{task.ID, newID()} {
		if _, err := s.Get(ctx, tenantB, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("B gets %s: %v, want ErrNotFound", id, err)
		}
		if _, err := s.Cancel(ctx, tenantB, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("B cancels %s: %v, want ErrNotFound", id, err)
		}
	}
	if list, err := s.List(ctx, tenantB, 0); err != nil || len(list) != 0 {
		t.Errorf("B lists %d tasks (%v), want none", len(list), err)
	}
}

func TestSyncForgetsOldest(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	s := newSyncTasks(t, up, 2)
	ctx := context.Background()
	var ids []string
	for range 3 {
		task, err := s.SubmitCommand(ctx, tenantA, up.device, reboot)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.ID)
	}
	if _, err := s.Get(ctx, tenantA, ids[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("oldest task: %v, want ErrNotFound", err)
	}
	list, err := s.List(ctx, tenantA, 0)
	if err != nil || len(list) != 2 || list[0].ID != ids[2] || list[1].ID != ids[1] {
		t.Errorf("list = %+v (%v), want the two newest, newest first", list, err)
	}
}

func TestSubmitRefuses(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	s := newSyncTasks(t, up, 0)
	tests := []struct {
		name   string
		device string
		cmd    xyte.SendCommandRequest
	}{
		{"no name", up.device, xyte.SendCommandRequest{}},
		{"empty device", "", reboot},
		{"path device", "..", reboot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SubmitCommand(context.Background(), tenantA, tt.device, tt.cmd)
			if !errors.Is(err, xyte.ErrInvalidArgument) {
				t.Errorf("err = %v, want an invalid argument", err)
			}
		})
	}
	if n := up.sends(); n != 0 {
		t.Errorf("simulator got %d sends, want none", n)
	}
}

// TestSendOutcomes checks which failures end a task in error (not carried
// out) and which in unknown (may have been carried out).
func TestSendOutcomes(t *testing.T) {
	t.Parallel()
	route := "commands.sendCommand"
	tests := []struct {
		name   string
		fault  *xytesim.Fault
		device func(up *upstream) string
		status string
		code   xyte.Code
	}{
		{name: "unknown device", device: func(up *upstream) string { return "no-such-device" },
			status: StatusError, code: xyte.CodeNotFound},
		{name: "rate limited", fault: &xytesim.Fault{Route: route, Status: 429},
			status: StatusError, code: xyte.CodeRateLimited},
		{name: "refused", fault: &xytesim.Fault{Route: route, Status: 422},
			status: StatusError, code: xyte.CodeInvalidParams},
		{name: "server error", fault: &xytesim.Fault{Route: route, Status: 502},
			status: StatusUnknown, code: xyte.CodeUpstream},
		{name: "answer lost", fault: &xytesim.Fault{Route: route, DropAfterBody: true},
			status: StatusUnknown, code: xyte.CodeNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t)
			if tt.fault != nil {
				if err := up.sim.SetFaults(*tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			device := up.device
			if tt.device != nil {
				device = tt.device(up)
			}
			task, err := newSyncTasks(t, up, 0).SubmitCommand(context.Background(), tenantA,
				device, reboot)
			if err != nil {
				t.Fatal(err)
			}
			if task.Status != tt.status || task.Code != string(tt.code) || task.Error == "" {
				t.Errorf("task = %+v, want %s/%s", task, tt.status, tt.code)
			}
			assertNoKey(t, "the task error", task.Error)
			if n := up.sends(); n != 1 {
				t.Errorf("simulator got %d sends, want exactly 1", n)
			}
		})
	}
}

// TestSyncForgetsOldestOverall: past the total bound the oldest task of any
// tenant is forgotten, and List returns at most the limit asked for, newest
// first.
func TestSyncForgetsOldestOverall(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	s, err := NewSync(SyncOptions{Client: up.client, PerTenant: 5, Total: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	submit := func(tn tenant.Tenant, device string) Task {
		t.Helper()
		task, err := s.SubmitCommand(ctx, tn, device, reboot)
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	a := submit(tenantA, up.device)
	deviceB := up.sim.DeviceIDs(keyB)[0]
	b1, b2 := submit(tenantB, deviceB), submit(tenantB, deviceB)

	if _, err := s.Get(ctx, tenantA, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("A's task, the oldest overall: %v, want ErrNotFound", err)
	}
	if list, err := s.List(ctx, tenantA, 0); err != nil || len(list) != 0 {
		t.Errorf("A lists %d tasks (%v), want none", len(list), err)
	}
	if list, err := s.List(ctx, tenantB, 1); err != nil || len(list) != 1 || list[0].ID != b2.ID {
		t.Errorf("B's newest task = %+v (%v), want %s", list, err, b2.ID)
	}
	if _, err := s.Get(ctx, tenantB, b1.ID); err != nil {
		t.Errorf("B's older task: %v, want it kept", err)
	}
}

func TestNewSyncNeedsClient(t *testing.T) {
	t.Parallel()
	if _, err := NewSync(SyncOptions{}); err == nil ||
		!strings.Contains(err.Error(), "an upstream client is required") {
		t.Errorf("NewSync without a client: %v, want an error naming the client", err)
	}
}
