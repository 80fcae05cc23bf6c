package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

func TestLabelsStayBounded(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	s, err := New(reg, []string{"get_device"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		id := strings.Repeat("x", i)
		s.Attempt("devices.getDevice/"+id, 404, xyte.CodeNotFound, time.Millisecond)
		s.ToolCall("tool_"+id, "weird "+id, time.Millisecond)
	}
	s.Attempt("devices.getDevice", 200, "", time.Millisecond)
	s.ToolCall("get_device", "ok", time.Millisecond)
	if n := testutil.CollectAndCount(s.upstreamCalls); n != 2 {
		t.Fatalf("%d upstream series after 100 odd endpoints; want 2", n)
	}
	if n := testutil.CollectAndCount(s.toolCalls); n != 2 {
		t.Fatalf("%d tool series after 100 odd tools; want 2", n)
	}
	want := `
# HELP xyte_mcp_tool_calls_total MCP tool calls, by tool name and outcome (ok, or an error code).
# TYPE xyte_mcp_tool_calls_total counter
xyte_mcp_tool_calls_total{outcome="ok",tool="get_device"} 1
xyte_mcp_tool_calls_total{outcome="other",tool="other"} 100
`
	if err := testutil.CollectAndCompare(s.toolCalls, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}
