package mcpserver

import (
	"context"
	"fmt"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
)

type noArgs struct{}

func (s *Server) addOrganizationTools() {
	addTool(s, toolSpec{name: "get_organization_info", title: "Get organization info",
		effect: read,
		description: "Get the organization the API key belongs to: name, plan, partner, " +
			"contacts and statistics (devices, spaces, open tickets and incidents).",
	}, s.organizationInfo)
}

func (s *Server) organizationInfo(ctx context.Context, c *call, _ noArgs) (*fleet.Organization, error) {
	info, err := c.client.OrganizationInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("get organization info: %w", err)
	}
	v := fleet.OrganizationView(info)
	return &v, nil
}
