package mcpserver

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func liveCall(id string) *call { return &call{session: sessionRef{id: id}, tenant: "t1"} }

// TestContextStoreIsBounded: the store keeps at most its limit of session
// contexts; a new one drops the oldest, and updating one keeps its place.
func TestContextStoreIsBounded(t *testing.T) {
	t.Parallel()
	st := newContextStore(2)
	st.set(liveCall("a"), sessionContext{DeviceID: "A"})
	st.set(liveCall("b"), sessionContext{DeviceID: "B"})
	st.set(liveCall("a"), sessionContext{DeviceID: "A2"})
	st.set(liveCall("c"), sessionContext{DeviceID: "C"})
	for id, want := range map[string]string{"a": "", "b": "B", "c": "C"} {
		if got := st.get(liveCall(id)).DeviceID; got != want {
			t.Errorf("session %s: default device %q, want %q", id, got, want)
		}
	}
}

// endedSession returns the key of a session object that is no longer
// referenced, as a closed in-memory or stdio session becomes.
func endedSession() sessionRef {
	return sessionKey(new(mcp.ServerSession))
}

// TestContextStoreDropsEndedSessionsFirst: when full, the store drops the
// contexts of sessions that have ended before any live session's.
func TestContextStoreDropsEndedSessionsFirst(t *testing.T) {
	t.Parallel()
	st := newContextStore(2)
	st.set(liveCall("old"), sessionContext{DeviceID: "OLD"})
	ended := endedSession()
	st.set(&call{session: ended, tenant: "t1"}, sessionContext{DeviceID: "ENDED"})
	runtime.GC()
	if !ended.gone() {
		t.Fatal("the ended session's object was not collected")
	}
	st.set(liveCall("new"), sessionContext{DeviceID: "NEW"})
	if got := st.get(liveCall("old")).DeviceID; got != "OLD" {
		t.Errorf("the oldest live session lost its default (%q) while an ended one was kept", got)
	}
	if got := st.get(liveCall("new")).DeviceID; got != "NEW" {
		t.Errorf("new session's default %q", got)
	}
}

// TestNoSessionNoDefaults: a call that comes with no session reads no
// defaults and cannot set any.
func TestNoSessionNoDefaults(t *testing.T) {
	t.Parallel()
	client, err := xyte.New(xyte.Options{BaseURL: "http://127.0.0.1:1", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Client: client, Sessions: true})
	if err != nil {
		t.Fatal(err)
	}
	c := &call{client: client, session: sessionKey(nil), tenant: baseTenantID}
	if _, err := s.setContext(context.Background(), c, setContextIn{DeviceID: "d1"}); err == nil ||
		!strings.Contains(err.Error(), "keeps no session") {
		t.Errorf("set_context without a session: %v", err)
	}
	if _, err := s.deviceID(c, ""); err == nil || !strings.Contains(err.Error(), "device_id") {
		t.Errorf("device id without a session or an argument: %v", err)
	}
}
