package mcpserver

import (
	"context"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
)

func (s *Server) addOverviewTools() {
	addTool(s, toolSpec{name: "fleet_overview", title: "Fleet overview", effect: read,
		description: "Summarize the whole fleet: devices by status, effective status, model " +
			"and site; offline devices (longest unseen first) and never-seen devices; open " +
			"incidents by priority; open tickets. The resource report://fleet has the same " +
			"as Markdown.",
	}, s.overview)
}

func (s *Server) overview(ctx context.Context, c *call, _ noArgs) (*fleet.Snapshot, error) {
	return fleet.Overview(ctx, c.client)
}
