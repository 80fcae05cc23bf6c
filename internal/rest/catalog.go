package rest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ToolInfo describes one MCP tool in GET /v1/tools.
type ToolInfo struct {
	Name         string               `json:"name"`
	Title        string               `json:"title,omitempty"`
	Description  string               `json:"description,omitempty"`
	InputSchema  any                  `json:"inputSchema,omitempty"`
	OutputSchema any                  `json:"outputSchema,omitempty"`
	Annotations  *mcp.ToolAnnotations `json:"annotations,omitempty"`
}

// ToolList is the answer of GET /v1/tools.
type ToolList struct {
	Items []ToolInfo `json:"items"`
}

// ResourceInfo describes one MCP resource or resource template in
// GET /v1/resources. Exactly one of URI and URITemplate is set.
type ResourceInfo struct {
	URI         string `json:"uri,omitempty"`
	URITemplate string `json:"uriTemplate,omitempty"`
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	MIMEType    string `json:"mimeType,omitempty"`
}

// ResourceList is the answer of GET /v1/resources.
type ResourceList struct {
	Items []ResourceInfo `json:"items"`
}

// catalogLists holds what the MCP server offers. It does not change while
// the server runs, so it is listed once.
type catalogLists struct {
	tools     ToolList
	resources ResourceList
}

func (a *API) listTools(r *http.Request) (any, error) {
	lists, err := a.catalog(r.Context())
	if err != nil {
		return nil, err
	}
	return lists.tools, nil
}

func (a *API) listResources(r *http.Request) (any, error) {
	lists, err := a.catalog(r.Context())
	if err != nil {
		return nil, err
	}
	return lists.resources, nil
}

// catalog lists the MCP server's tools and resources through an in-memory
// MCP client, the same way any client sees them.
func (a *API) catalog(ctx context.Context) (*catalogLists, error) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	if a.lists != nil {
		return a.lists, nil
	}
	lists := &catalogLists{tools: ToolList{Items: []ToolInfo{}},
		resources: ResourceList{Items: []ResourceInfo{}}}
	if a.opts.MCP != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := listCatalog(ctx, a.opts.MCP, lists); err != nil {
			return nil, fmt.Errorf("list mcp catalog: %w", err)
		}
	}
	a.lists = lists
	return lists, nil
}

func listCatalog(ctx context.Context, server *mcp.Server, out *catalogLists) error {
	serverEnd, clientEnd := mcp.NewInMemoryTransports()
	ss, err := server.Connect(ctx, serverEnd, nil)
	if err != nil {
		return err
	}
	defer ss.Close()
	client := mcp.NewClient(&mcp.Implementation{Name: "xyte-mcp-rest", Version: "1"}, nil)
	cs, err := client.Connect(ctx, clientEnd, nil)
	if err != nil {
		return err
	}
	defer cs.Close()

	caps := &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{},
		Resources: &mcp.ResourceCapabilities{}}
	if ir := cs.InitializeResult(); ir != nil && ir.Capabilities != nil {
		caps = ir.Capabilities
	}
	if caps.Tools != nil {
		for t, err := range cs.Tools(ctx, nil) {
			if err != nil {
				return err
			}
			out.tools.Items = append(out.tools.Items, ToolInfo{Name: t.Name, Title: t.Title,
				Description: t.Description, InputSchema: t.InputSchema,
				OutputSchema: t.OutputSchema, Annotations: t.Annotations})
		}
	}
	if caps.Resources == nil {
		return nil
	}
	return listResourceCatalog(ctx, cs, out)
}

func listResourceCatalog(ctx context.Context, cs *mcp.ClientSession, out *catalogLists) error {
	for r, err := range cs.Resources(ctx, nil) {
		if err != nil {
			return err
		}
		out.resources.Items = append(out.resources.Items, ResourceInfo{URI: r.URI, Name: r.Name,
			Title: r.Title, Description: r.Description, MIMEType: r.MIMEType})
	}
	for t, err := range cs.ResourceTemplates(ctx, nil) {
		if err != nil {
			return err
		}
		out.resources.Items = append(out.resources.Items, ResourceInfo{URITemplate: t.URITemplate,
			Name: t.Name, Title: t.Title, Description: t.Description, MIMEType: t.MIMEType})
	}
	return nil
}
