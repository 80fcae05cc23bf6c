package rest

import (
	"cmp"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// routeDoc documents one route in the OpenAPI document.
type routeDoc struct {
	id      string // operationId
	summary string
	tag     string
	query   []paramDoc
	body    any  // a value of the request body's type; nil for none
	result  any  // a value of the 200 answer's type
	write   bool // set by upstream: the route changes something upstream
}

// paramDoc documents one query parameter.
type paramDoc struct {
	name, typ, desc string
	enum            []string
}

var (
	pPage    = paramDoc{name: "page", typ: "integer", desc: "Page number, from 1."}
	pPerPage = paramDoc{name: "per_page", typ: "integer", desc: "Page size, 1 to 100."}
	pSpaceID = paramDoc{name: "space_id", typ: "integer", desc: "Only this space."}
	pFrom    = paramDoc{name: "from", typ: "string", desc: "Start: RFC 3339 or Unix seconds."}
	pTo      = paramDoc{name: "to", typ: "string", desc: "End: RFC 3339 or Unix seconds."}
)

var (
	docListDevices = routeDoc{id: "listDevices", tag: "devices", result: fleet.DeviceList{},
		summary: "List the organization's devices, one page at a time.",
		query: []paramDoc{pSpaceID,
			{name: "status", typ: "string", desc: "Status or effective status, any case."},
			{name: "name_contains", typ: "string", desc: "Part of the name, any case."},
			pPage, pPerPage}}
	docGetDevice = routeDoc{id: "getDevice", tag: "devices", result: fleet.Device{},
		summary: "Get one device with its state."}
	docDeviceStatus = routeDoc{id: "getDeviceStatus", tag: "devices", result: fleet.Status{},
		summary: "Get a device's status summary with its open incidents."}
	docListCommands = routeDoc{id: "listDeviceCommands", tag: "commands",
		result: fleet.CommandList{}, summary: "List the commands sent to a device.",
		query: []paramDoc{{name: "status", typ: "string", desc: "Only this status.",
			enum: []string{"pending", "in_progress", "done", "failed",
				"cancelled"}}}}
	docSendCommand = routeDoc{id: "sendCommand", tag: "commands", result: fleet.Command{},
		body:    xyte.SendCommandRequest{},
		summary: "Send a command to a device. It acts on hardware and is never retried."}
	docCancelCommand = routeDoc{id: "cancelCommand", tag: "commands", result: object{},
		summary: "Cancel a command that has not run yet."}
	docHistories = routeDoc{id: "searchHistories", tag: "devices", result: fleet.HistoryList{},
		summary: "Search device state histories (window at most 31 days).",
		query: []paramDoc{pFrom, pTo,
			{name: "status", typ: "string", desc: "Devices whose current status is this.",
				enum: []string{"online", "offline", "unavailable", "error"}},
			{name: "device_id", typ: "string", desc: "Only this device."},
			pSpaceID,
			{name: "name", typ: "string", desc: "Only devices with this name."},
			pPage, {name: "per_page", typ: "integer", desc: "Page size, 1 to 1000."}}}
	docListSpaces = routeDoc{id: "listSpaces", tag: "spaces", result: fleet.SpaceList{},
		summary: "List the organization's spaces.",
		query: []paramDoc{
			{name: "parent_id", typ: "integer", desc: "Only children of this space."},
			{name: "name", typ: "string", desc: "Only spaces with this name."},
			{name: "path_includes", typ: "string", desc: "Only spaces whose path holds this."},
			{name: "space_type", typ: "string", desc: "Only spaces of this type."},
			pPage, pPerPage}}
	docGetSpace = routeDoc{id: "getSpace", tag: "spaces", result: fleet.Space{},
		summary: "Get one space with its configuration."}
	docListIncidents = routeDoc{id: "listIncidents", tag: "incidents",
		result:  fleet.IncidentList{},
		summary: "List incidents (default window: the last week).",
		query: []paramDoc{pFrom, pTo,
			{name: "status", typ: "string", enum: []string{"active", "closed"}},
			{name: "priority", typ: "string",
				enum: []string{"critical", "high", "moderate", "low", "planning"}},
			pSpaceID,
			{name: "device_model", typ: "string"}, {name: "issue", typ: "string"},
			{name: "title", typ: "string"},
			pPage, {name: "per_page", typ: "integer", desc: "Page size, 1 to 500."}}}
	docListTickets = routeDoc{id: "listTickets", tag: "tickets", result: fleet.TicketList{},
		summary: "List the organization's tickets.",
		query:   []paramDoc{{name: "status", typ: "string", desc: "Only this status."}}}
	docGetTicket = routeDoc{id: "getTicket", tag: "tickets", result: fleet.Ticket{},
		summary: "Get a ticket with its comments."}
	docUpdateTicket = routeDoc{id: "updateTicket", tag: "tickets", result: fleet.Ticket{},
		body: xyte.UpdateTicketRequest{}, summary: "Change a ticket's title or description."}
	docResolveTicket = routeDoc{id: "resolveTicket", tag: "tickets", result: Success{},
		summary: "Mark a ticket resolved."}
	docTicketMessage = routeDoc{id: "sendTicketMessage", tag: "tickets", result: Success{},
		body: TicketMessage{}, summary: "Add a message to a ticket."}
	docOrganization = routeDoc{id: "getOrganization", tag: "organization",
		result:  fleet.Organization{},
		summary: "Get the organization the key belongs to."}
	docOverview = routeDoc{id: "getFleetOverview", tag: "organization",
		result: fleet.Snapshot{}, summary: "Summarize the fleet's health: devices by " +
			"status, model and site, offline devices, open incidents and tickets."}
	docTools = routeDoc{id: "listTools", tag: "mcp", result: ToolList{},
		summary: "List the MCP tools this server offers."}
	docResources = routeDoc{id: "listResources", tag: "mcp", result: ResourceList{},
		summary: "List the MCP resources and resource templates this server offers."}
	docOpenAPI = routeDoc{id: "getOpenAPI", tag: "meta", result: object{},
		summary: "This OpenAPI document. Needs no key."}
)

// object stands for an answer of any JSON object.
type object struct{}

// errorStatuses are the error answers every route may give, by status.
var errorStatuses = map[string]string{
	"400": "Bad input (invalid_params); nothing was sent upstream.",
	"401": "No Xyte key, or the Xyte API refused it (missing_xyte_key, unauthorized).",
	"403": "Key not allowed (invalid_token, forbidden, read_only).",
	"404": "Not found.",
	"413": "Request body too large.",
	"429": "The Xyte API is rate limiting; see Retry-After.",
	"502": "The Xyte API failed or could not be reached.",
	"503": "The server is shutting down.",
	"504": "The Xyte API did not answer in time.",
}

func (a *API) openAPI(*http.Request) (any, error) { return a.OpenAPI() }

// OpenAPI returns the OpenAPI 3.1 document of every route. Body and answer
// schemas are inferred from the Go types the routes decode and encode.
func (a *API) OpenAPI() (map[string]any, error) {
	a.docMu.Lock()
	defer a.docMu.Unlock()
	if a.doc != nil {
		return a.doc, nil
	}
	schemas := map[string]any{}
	paths := map[string]any{}
	for _, rt := range a.routes {
		op, err := operation(rt, schemas)
		if err != nil {
			return nil, fmt.Errorf("openapi %s: %w", rt.Pattern(), err)
		}
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	if _, err := schemaRef(ErrorBody{}, schemas); err != nil {
		return nil, err
	}
	a.doc = map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "xyte-mcp REST API",
			"version": cmp.Or(a.opts.Version, "dev"),
			"description": "The Xyte Organization API calls of the MCP tools, as plain " +
				"JSON routes. Send the organization's Xyte API key in Authorization " +
				"(bare or as 'Bearer <key>'); a single-tenant server uses its own key " +
				"when none is sent. MCP Streamable HTTP is served at /mcp and /v1/mcp.",
		},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"xyteKey": map[string]any{"type": "http", "scheme": "bearer",
					"description": "The Xyte organization API key."},
			},
			"schemas": schemas,
		},
		"security": []any{map[string]any{"xyteKey": []any{}}},
	}
	return a.doc, nil
}

var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

// operation returns the OpenAPI operation object of a route, adding the
// schemas it refers to.
func operation(rt Route, schemas map[string]any) (map[string]any, error) {
	d := rt.doc
	result, err := schemaRef(d.result, schemas)
	if err != nil {
		return nil, err
	}
	op := map[string]any{
		"operationId": d.id,
		"summary":     d.summary,
		"tags":        []string{d.tag},
		"responses":   responses(result),
	}
	if params := parameters(rt); len(params) > 0 {
		op["parameters"] = params
	}
	if d.body != nil {
		body, err := schemaRef(d.body, schemas)
		if err != nil {
			return nil, err
		}
		op["requestBody"] = map[string]any{"required": true, "content": jsonContent(body)}
	}
	if rt.Public {
		op["security"] = []any{}
	}
	return op, nil
}

func parameters(rt Route) []any {
	var params []any
	for _, m := range wildcard.FindAllStringSubmatch(rt.Path, -1) {
		typ := "string"
		if m[1] == "space_id" {
			typ = "integer"
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"schema": map[string]any{"type": typ}})
	}
	for _, p := range rt.doc.query {
		schema := map[string]any{"type": p.typ}
		if len(p.enum) > 0 {
			schema["enum"] = p.enum
		}
		param := map[string]any{"name": p.name, "in": "query", "schema": schema}
		if p.desc != "" {
			param["description"] = p.desc
		}
		params = append(params, param)
	}
	return params
}

// schemaRef adds the JSON Schema of v's type to schemas, named after the
// type, and returns its name.
func schemaRef(v any, schemas map[string]any) (string, error) {
	t := reflect.TypeOf(v)
	name := t.Name()
	if name == "object" {
		name = "Object"
	}
	if _, ok := schemas[name]; ok {
		return name, nil
	}
	if t == reflect.TypeFor[object]() {
		schemas[name] = map[string]any{"type": "object"}
		return name, nil
	}
	s, err := jsonschema.ForType(t, &jsonschema.ForOptions{IgnoreInvalidTypes: true})
	if err != nil {
		return "", err
	}
	schemas[name] = s
	return name, nil
}

func responses(result string) map[string]any {
	out := map[string]any{"200": map[string]any{"description": "OK",
		"content": jsonContent(result)}}
	for status, desc := range errorStatuses {
		out[status] = map[string]any{"description": desc, "content": jsonContent("ErrorBody")}
	}
	return out
}

func jsonContent(schema string) map[string]any {
	return map[string]any{"application/json": map[string]any{
		"schema": map[string]any{"$ref": "#/components/schemas/" + schema}}}
}
