package fleet

import (
	"context"
	"fmt"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// SpaceFilter selects and pages spaces; every field is sent to the hub.
type SpaceFilter struct {
	ParentID     int64
	Name         string
	PathIncludes string
	SpaceType    string
	Page         int
	PerPage      int // 1 to 100; 0 means DefaultPerPage
}

// SpaceList is one page of spaces.
type SpaceList struct {
	Spaces  []Space `json:"spaces"`
	Page    int     `json:"page"`
	PerPage int     `json:"per_page"`
	HasMore bool    `json:"has_more" jsonschema:"another page follows: call again with page+1"`
}

// ListSpaces returns one page of spaces.
func ListSpaces(ctx context.Context, c *xyte.Client, f SpaceFilter) (*SpaceList, error) {
	page, per, err := paging(f.Page, f.PerPage, xyte.MaxPerPage)
	if err != nil {
		return nil, err
	}
	p, err := c.ListSpaces(ctx, xyte.ListSpacesOptions{
		Page: page, PerPage: per, ParentID: f.ParentID, Name: f.Name,
		PathIncludes: f.PathIncludes, SpaceType: f.SpaceType,
	})
	if err != nil {
		return nil, fmt.Errorf("list spaces: %w", err)
	}
	out := &SpaceList{Spaces: []Space{}, Page: page, PerPage: per, HasMore: morePages(p, per)}
	for i := range p.Items {
		out.Spaces = append(out.Spaces, SpaceView(&p.Items[i], false))
	}
	return out, nil
}

// GetSpace returns one space with its configuration.
func GetSpace(ctx context.Context, c *xyte.Client, id int64) (*Space, error) {
	s, err := c.GetSpace(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get space %d: %w", id, err)
	}
	v := SpaceView(s, true)
	return &v, nil
}

// AllSpaces returns every space, up to MaxScanPages pages.
func AllSpaces(ctx context.Context, c *xyte.Client) ([]xyte.Space, error) {
	var out []xyte.Space
	for page := 1; page <= MaxScanPages; page++ {
		p, err := c.ListSpaces(ctx, xyte.ListSpacesOptions{Page: page, PerPage: xyte.MaxPerPage})
		if err != nil {
			return nil, fmt.Errorf("list spaces page %d: %w", page, err)
		}
		out = append(out, p.Items...)
		if !morePages(p, xyte.MaxPerPage) {
			break
		}
	}
	return out, nil
}
