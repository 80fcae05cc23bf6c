package mcpserver

import (
	"context"
	"sync"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// maxSessionContexts bounds the contexts kept; the oldest go first.
const maxSessionContexts = 10000

// sessionContext holds the defaults a session set with set_context.
type sessionContext struct {
	DeviceID string `json:"device_id,omitempty" jsonschema:"default device of later calls"`
	SpaceID  int64  `json:"space_id,omitempty" jsonschema:"default space of list_devices"`
}

// contextKey keys a context by session and tenant, so that a session can
// never read defaults another tenant set.
type contextKey struct {
	session sessionRef
	tenant  string
}

// contextStore keeps session contexts in memory, bounded: per process and
// not persisted. A restart, or a session routed to another replica, starts
// with no defaults; nothing else depends on them, since every tool also
// takes its ids as arguments.
type contextStore struct {
	limit int
	mu    sync.Mutex
	m     map[contextKey]sessionContext
	order []contextKey
}

func newContextStore(limit int) *contextStore {
	return &contextStore{limit: limit, m: map[contextKey]sessionContext{}}
}

func (st *contextStore) get(c *call) sessionContext {
	if c.session.isZero() {
		return sessionContext{}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.m[contextKey{c.session, c.tenant}]
}

func (st *contextStore) set(c *call, sc sessionContext) {
	k := contextKey{c.session, c.tenant}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.m[k]; !ok {
		if len(st.order) >= st.limit {
			st.evict()
		}
		st.order = append(st.order, k)
	}
	st.m[k] = sc
}

// evict drops the contexts of ended sessions, or else the oldest context.
func (st *contextStore) evict() {
	kept := st.order[:0]
	for _, k := range st.order {
		if k.session.gone() {
			delete(st.m, k)
			continue
		}
		kept = append(kept, k)
	}
	st.order = kept
	if len(st.order) >= st.limit {
		delete(st.m, st.order[0])
		st.order = st.order[1:]
	}
}

// deviceID returns the device a call names, or its session's default.
func (s *Server) deviceID(c *call, given string) (string, error) {
	if given == "" && s.opts.Sessions {
		given = s.contexts.get(c).DeviceID
	}
	if given == "" {
		if s.opts.Sessions {
			return "", invalid("device_id", "is required (or set a default with set_context)")
		}
		return "", invalid("device_id", "is required")
	}
	return given, xyte.ValidateID("device_id", given)
}

// spaceID returns the space a call names, or its session's default, or 0.
func (s *Server) spaceID(c *call, given int64) int64 {
	if given == 0 && s.opts.Sessions {
		return s.contexts.get(c).SpaceID
	}
	return given
}

type setContextIn struct {
	DeviceID string `json:"device_id,omitempty" jsonschema:"device to use when a later call gives no device_id"`
	SpaceID  int64  `json:"space_id,omitempty" jsonschema:"space to use when list_devices gives no space_id"`
	Clear    bool   `json:"clear,omitempty" jsonschema:"forget both defaults first"`
}

func (s *Server) addContextTools() {
	addTool(s, toolSpec{name: "set_context", title: "Set session defaults", effect: local,
		idempotent: true,
		description: "Set a default device and space for the rest of this session. Later " +
			"calls that omit device_id (get_device, get_device_status, list_device_commands, " +
			"send_command, send_command_async, cancel_command) use the default device, and " +
			"list_devices uses the default space. Both ids are checked with the hub first. " +
			"Defaults belong to this session and tenant only.",
	}, s.setContext)
}

func (s *Server) setContext(ctx context.Context, c *call, in setContextIn) (*sessionContext, error) {
	if c.session.isZero() {
		return nil, invalid("session", "this transport keeps no session; pass ids on each call")
	}
	sc := s.contexts.get(c)
	if in.Clear {
		sc = sessionContext{}
	}
	if in.DeviceID != "" {
		if _, err := fleet.GetDevice(ctx, c.client, in.DeviceID); err != nil {
			return nil, err
		}
		sc.DeviceID = in.DeviceID
	}
	if in.SpaceID != 0 {
		if _, err := fleet.GetSpace(ctx, c.client, in.SpaceID); err != nil {
			return nil, err
		}
		sc.SpaceID = in.SpaceID
	}
	s.contexts.set(c, sc)
	return &sc, nil
}
