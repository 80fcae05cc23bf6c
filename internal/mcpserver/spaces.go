package mcpserver

import (
	"context"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
)

type listSpacesIn struct {
	ParentID     int64  `json:"parent_id,omitempty" jsonschema:"only children of this space"`
	Name         string `json:"name,omitempty" jsonschema:"only spaces whose name contains this text"`
	PathIncludes string `json:"path_includes,omitempty" jsonschema:"only spaces whose full path contains this text"`
	SpaceType    string `json:"space_type,omitempty" jsonschema:"only spaces of this type, such as site, floor or room"`
	Page         int    `json:"page,omitempty" jsonschema:"page number, from 1 (default 1)"`
	PerPage      int    `json:"per_page,omitempty" jsonschema:"spaces per page, 1 to 100 (default 25)"`
}

type spaceIn struct {
	SpaceID int64 `json:"space_id" jsonschema:"space id (integer)"`
}

func (s *Server) addSpaceTools() {
	addTool(s, toolSpec{name: "list_spaces", title: "List spaces", effect: read,
		description: "List the organization's spaces (sites, buildings, floors, rooms), one " +
			"page at a time, with their full paths.",
	}, s.listSpaces)
	addTool(s, toolSpec{name: "get_space", title: "Get space", effect: read,
		description: "Get one space with its path and configuration.",
	}, s.getSpace)
}

func (s *Server) listSpaces(ctx context.Context, c *call, in listSpacesIn) (*fleet.SpaceList, error) {
	return fleet.ListSpaces(ctx, c.client, fleet.SpaceFilter{
		ParentID: in.ParentID, Name: in.Name, PathIncludes: in.PathIncludes,
		SpaceType: in.SpaceType, Page: in.Page, PerPage: in.PerPage,
	})
}

func (s *Server) getSpace(ctx context.Context, c *call, in spaceIn) (*fleet.Space, error) {
	if in.SpaceID <= 0 {
		return nil, invalid("space_id", "must be a positive integer")
	}
	return fleet.GetSpace(ctx, c.client, in.SpaceID)
}
