package xytesim

import (
	"net/http"
	"testing"
	"time"
)

func TestCommandLifecycle(t *testing.T) {
	t.Parallel()
	clock := newClock()
	cfg := twoOrgs(clock)
	cfg.CommandDelay = 2 * time.Second
	s := newSim(t, cfg)
	dev := s.snapshot(t, keyA).DeviceIDs[0]
	sent := decodeAs[commandJSON](t, s.must(t, "POST", "/devices/"+dev+"/commands", keyA,
		map[string]any{"name": "set_input", "friendly_name": "Switch input",
			"extra_params": map[string]string{"input": "hdmi2"}}))
	if sent.Status != "pending" || sent.DeviceID != dev || sent.Parameters["input"] != "hdmi2" {
		t.Fatalf("sent command = %+v", sent)
	}
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{time.Second, "pending"},
		{1500 * time.Millisecond, "in_progress"},
		{time.Second, "in_progress"},
		{time.Second, "done"},
		{time.Hour, "done"},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		list := items[commandJSON](t, s.must(t, "GET", "/devices/"+dev+"/commands", keyA, nil))
		if list[0].ID != sent.ID || list[0].Status != st.want {
			t.Fatalf("after +%v: newest command %s is %s, want %s %s", st.advance, list[0].ID,
				list[0].Status, sent.ID, st.want)
		}
	}
	res := s.org(t, "DELETE", "/devices/"+dev+"/commands/"+sent.ID, keyA, nil)
	wantError(t, res, http.StatusUnprocessableEntity, "already done")
}

func TestCancelCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
	}{
		{"pending", 0},
		{"in_progress", 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, clock := newTwoOrgSim(t)
			dev := s.snapshot(t, keyA).DeviceIDs[2]
			path := "/devices/" + dev + "/commands"
			sent := decodeAs[commandJSON](t, s.must(t, "POST", path, keyA,
				map[string]string{"friendly_name": "Reboot"}))
			if sent.Name != "Reboot" {
				t.Fatalf("name = %q; a missing name falls back to friendly_name", sent.Name)
			}
			clock.Advance(tt.after)
			got := decodeAs[commandJSON](t, s.must(t, "DELETE", path+"/"+sent.ID, keyA, nil))
			if got.Status != "cancelled" {
				t.Fatalf("cancelled command is %s", got.Status)
			}
			clock.Advance(time.Hour)
			list := items[commandJSON](t, s.must(t, "GET", path, keyA, nil))
			if list[0].Status != "cancelled" {
				t.Fatalf("an hour later the command is %s", list[0].Status)
			}
			wantError(t, s.org(t, "DELETE", path+"/"+sent.ID, keyA, nil), 422, "cancelled")
		})
	}
}

func TestCancelCommandOfAnotherDevice(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	ids := s.snapshot(t, keyA).DeviceIDs
	sent := decodeAs[commandJSON](t, s.must(t, "POST", "/devices/"+ids[0]+"/commands", keyA,
		map[string]string{"name": "reboot"}))
	res := s.org(t, "DELETE", "/devices/"+ids[1]+"/commands/"+sent.ID, keyA, nil)
	wantError(t, res, http.StatusNotFound, "Command not found")
}
