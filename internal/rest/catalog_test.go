package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
)

// catalogServer returns an MCP server with one tool and, when withResources,
// one resource and one resource template.
func catalogServer(withResources bool) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "catalog-test", Version: "1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "ping", Description: "Answers pong."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{}, nil, nil
		})
	if withResources {
		read := func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		}
		s.AddResource(&mcp.Resource{URI: "fleet://overview", Name: "overview",
			MIMEType: "application/json"}, read)
		s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "device://{device_id}",
			Name: "device"}, read)
	}
	return s
}

// TestCatalogListsMCPServer: /v1/tools and /v1/resources show what an MCP
// client of the server would see, and [] when it offers no resources.
func TestCatalogListsMCPServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		withResources bool
		wantResources []string
	}{
		{"tools and resources", true, []string{"fleet://overview", "device://{device_id}"}},
		{"tools only", false, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := rest.New(rest.Options{MCP: catalogServer(tc.withResources)})
			f := &fixture{url: serve(t, api, testKey)}
			var tools rest.ToolList
			f.getJSON(t, "/v1/tools", &tools)
			if len(tools.Items) != 1 || tools.Items[0].Name != "ping" ||
				tools.Items[0].InputSchema == nil {
				t.Errorf("tools %+v", tools)
			}
			var res rest.ResourceList
			f.getJSON(t, "/v1/resources", &res)
			got := []string{}
			for _, r := range res.Items {
				got = append(got, r.URI+r.URITemplate)
			}
			if strings.Join(got, " ") != strings.Join(tc.wantResources, " ") {
				t.Errorf("resources %v, want %v", got, tc.wantResources)
			}
		})
	}
}

// TestCatalogFailureIsInternal: when the MCP server cannot be listed, the
// catalog routes answer 500 internal_error without the cause, which goes to
// the log instead; a later request tries again.
func TestCatalogFailureIsInternal(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"tools/list", "resources/list", "resources/templates/list"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var failing sync.Mutex
			fail := true
			s := catalogServer(true)
			s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
				return func(ctx context.Context, m string, req mcp.Request) (mcp.Result, error) {
					failing.Lock()
					defer failing.Unlock()
					if m == method && fail {
						return nil, errors.New("catalog store is down")
					}
					return next(ctx, m, req)
				}
			})
			logs := &lockedbuf.Buffer{}
			api := rest.New(rest.Options{MCP: s, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
			f := &fixture{url: serve(t, api, testKey)}
			for _, path := range []string{"/v1/tools", "/v1/resources"} {
				status, _, body := f.do(t, "GET", path, "")
				var e rest.ErrorBody
				_ = json.Unmarshal(body, &e)
				if status != 500 || e.Error != "internal_error" || strings.Contains(e.Message, "down") {
					t.Errorf("GET %s = %d %s, want 500 internal_error", path, status, body)
				}
			}
			if l := logs.String(); !strings.Contains(l, `"msg":"rest call failed"`) ||
				!strings.Contains(l, "catalog store is down") || !strings.Contains(l, "GET /v1/tools") {
				t.Errorf("log lacks the failure:\n%s", l)
			}
			failing.Lock()
			fail = false
			failing.Unlock()
			var tools rest.ToolList
			f.getJSON(t, "/v1/tools", &tools)
			if len(tools.Items) != 1 {
				t.Errorf("tools after recovery: %+v", tools)
			}
		})
	}
}
