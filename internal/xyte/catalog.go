package xyte

import (
	"strings"
)

// API names one of the two upstream APIs an endpoint belongs to.
type API string

// The upstream APIs. Each has its own key and path prefix.
const (
	APIOrganization API = "organization"
	APIPartner      API = "partner"
)

// Prefix returns the path prefix of the API, relative to the hub root.
func (a API) Prefix() string {
	if a == APIPartner {
		return "/core/v1/partner"
	}
	return "/core/v1/organization"
}

// Class says what calling an endpoint does to the fleet.
type Class string

// Endpoint classes. Only GET endpoints are reads; every other method is a write,
// and DELETE endpoints (plus a few irreversible actions) are destructive.
const (
	ClassRead        Class = "read"
	ClassWrite       Class = "write"
	ClassDestructive Class = "destructive"
)

// ParamType is the JSON type of a parameter value.
type ParamType string

// Parameter types, named as in JSON Schema.
const (
	TypeString  ParamType = "string"
	TypeInteger ParamType = "integer"
	TypeBoolean ParamType = "boolean"
	TypeObject  ParamType = "object"
	TypeArray   ParamType = "array"
	// TypeAny accepts any JSON value (the hub takes an object or a string).
	TypeAny ParamType = "any"
)

// ParamIn says where a parameter travels in the request.
type ParamIn string

// Parameter locations.
const (
	InPath  ParamIn = "path"
	InQuery ParamIn = "query"
	InBody  ParamIn = "body"
)

// Param describes one parameter of an endpoint.
type Param struct {
	Name        string    `json:"name"`
	In          ParamIn   `json:"in"`
	Type        ParamType `json:"type"`
	Required    bool      `json:"required,omitempty"`
	Enum        []string  `json:"enum,omitempty"`
	Description string    `json:"description,omitempty"`
}

// Endpoint describes one upstream endpoint: how to call it and what it does.
type Endpoint struct {
	// Key is the stable name of the endpoint, such as "devices.getDevices".
	Key    string `json:"key"`
	API    API    `json:"api"`
	Group  string `json:"group"`
	Method string `json:"method"`
	// Path is the template relative to the API prefix, with {name} for each
	// path parameter, such as "/devices/{device_id}".
	Path   string  `json:"path"`
	Params []Param `json:"params,omitempty"`
	Class  Class   `json:"class"`
	// SideEffect marks writes that act on hardware or people (a command sent
	// to a device, an email, a notification), beyond the hub's own records.
	SideEffect  bool   `json:"side_effect,omitempty"`
	Description string `json:"description"`
}

// ReadOnly reports whether calling the endpoint changes nothing.
func (e Endpoint) ReadOnly() bool { return e.Class == ClassRead }

// Param returns the parameter with the given name.
func (e Endpoint) Param(name string) (Param, bool) {
	for _, p := range e.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Catalog returns every known endpoint, organization API first, in a stable order.
// The slice is a copy; callers may keep or change it.
func Catalog() []Endpoint {
	out := make([]Endpoint, len(catalog))
	copy(out, catalog)
	return out
}

// Lookup returns the endpoint with the given key.
func Lookup(key string) (Endpoint, bool) {
	i, ok := catalogIndex[key]
	if !ok {
		return Endpoint{}, false
	}
	return catalog[i], true
}

var catalogIndex = func() map[string]int {
	m := make(map[string]int, len(catalog))
	for i, e := range catalog {
		m[e.Key] = i
	}
	return m
}()

// Parameter constructors keep the table below readable.

func pathParam(name, desc string) Param {
	return Param{Name: name, In: InPath, Type: TypeString, Required: true, Description: desc}
}

func intPathParam(name, desc string) Param {
	return Param{Name: name, In: InPath, Type: TypeInteger, Required: true, Description: desc}
}

func query(name string, t ParamType, desc string) Param {
	return Param{Name: name, In: InQuery, Type: t, Description: desc}
}

func body(name string, t ParamType, desc string) Param {
	return Param{Name: name, In: InBody, Type: t, Description: desc}
}

func required(p Param) Param {
	p.Required = true
	return p
}

func enum(p Param, values ...string) Param {
	p.Enum = values
	return p
}

var (
	deviceID    = pathParam("device_id", "Device id (UUID).")
	spaceID     = intPathParam("space_id", "Space id (integer).")
	ticketID    = pathParam("ticket_id", "Ticket id (UUID).")
	page        = query("page", TypeInteger, "Page number, from 1.")
	perPage     = query("per_page", TypeInteger, "Items per page (at most 100).")
	pageParams  = []Param{page, perPage}
	spaceConfig = body("config", TypeObject,
		"Space settings: img, location, temperature_units, priority_factor, inherit_* flags.")
)

func params(groups ...[]Param) []Param {
	var out []Param
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func list(p ...Param) []Param { return p }

// catalog is the master list: 64 organization endpoints and 14 partner endpoints,
// as the hub documents them. Paths are relative to API.Prefix().
var catalog = []Endpoint{
	// Devices.
	{Key: "devices.getDevices", Group: "devices", Method: "GET", Path: "/devices", Class: ClassRead,
		Params:      params(pageParams, list(query("space_id", TypeInteger, "Only devices in this space."))),
		Description: "List devices, 100 per page at most."},
	{Key: "devices.getDevice", Group: "devices", Method: "GET", Path: "/devices/{device_id}",
		Class: ClassRead, Params: list(deviceID),
		Description: "Get one device with its state and status."},
	{Key: "devices.claimDevice", Group: "devices", Method: "POST", Path: "/devices/claim",
		Class: ClassWrite, SideEffect: true,
		Params: list(
			body("name", TypeString, "Display name for the device."),
			required(body("space_id", TypeInteger, "Space to put the device in.")),
			body("mac", TypeString, "MAC address (with sn, for models that claim by MAC and serial)."),
			body("sn", TypeString, "Serial number."),
			body("cloud_id", TypeString, "Cloud id (for models that claim by cloud id)."),
		),
		Description: "Claim a device into the organization."},
	{Key: "devices.updateDevice", Group: "devices", Method: "PATCH", Path: "/devices/{device_id}",
		Class: ClassWrite,
		Params: list(deviceID,
			body("configuration", TypeObject, "Device configuration."),
			body("custom_parameters", TypeObject, "Custom parameters, label to value (edge devices)."),
			body("name", TypeString, "Display name."),
			body("device_host_address", TypeString, "Host address."),
			body("sub_model", TypeString, "Sub-model."),
			body("sn", TypeString, "Serial number."),
			body("mac", TypeString, "MAC address."),
			body("custom_model_name", TypeString, "Custom model name."),
			body("custom_vendor_name", TypeString, "Custom vendor name."),
			body("skip_connectivity_check", TypeBoolean, "Skip the connectivity check."),
		),
		Description: "Update a device's name, configuration or identity fields."},
	{Key: "devices.deleteDevice", Group: "devices", Method: "DELETE", Path: "/devices/{device_id}",
		Class: ClassDestructive, Params: list(deviceID),
		Description: "Delete a device from the organization."},
	{Key: "devices.getHistories", Group: "devices", Method: "GET", Path: "/devices/histories",
		Class: ClassRead,
		Params: list(
			query("from", TypeInteger, "Window start, Unix seconds (default: 7 days ago)."),
			query("to", TypeInteger, "Window end, Unix seconds (default: now); at most 31 days after from."),
			page,
			query("per_page", TypeInteger, "Items per page (at most 1000)."),
			enum(query("status", TypeString, "Only devices whose current status is this."),
				"online", "offline", "unavailable", "error"),
			query("device_id", TypeString, "Only this device."),
			query("space_id", TypeInteger, "Only devices in this space."),
			query("name", TypeString, "Only devices with this name."),
		),
		Description: "Search device state histories in a window of at most 31 days."},
	{Key: "devices.moveDevice", Group: "devices", Method: "POST", Path: "/devices/{device_id}/move",
		Class:       ClassWrite,
		Params:      list(deviceID, required(body("space_id", TypeInteger, "Destination space."))),
		Description: "Move a device to another space."},
	{Key: "devices.mergeDevice", Group: "devices", Method: "POST", Path: "/devices/{device_id}/merge",
		Class: ClassWrite, SideEffect: true,
		Params: list(deviceID,
			required(body("with_device_ids", TypeArray, "Shadow device ids to merge in."))),
		Description: "Merge shadow devices into a device."},
	{Key: "devices.splitDevice", Group: "devices", Method: "POST", Path: "/devices/{device_id}/split",
		Class: ClassWrite, SideEffect: true,
		Params: list(deviceID,
			required(body("shadow_device_id", TypeString, "Shadow device to split off."))),
		Description: "Split a shadow device off a merged device."},
	{Key: "devices.suspendIncidents", Group: "devices", Method: "POST",
		Path: "/devices/{device_id}/suspend_incidents", Class: ClassWrite, Params: list(deviceID),
		Description: "Stop opening incidents for a device."},
	{Key: "devices.resumeIncidents", Group: "devices", Method: "POST",
		Path: "/devices/{device_id}/resume_incidents", Class: ClassWrite, Params: list(deviceID),
		Description: "Resume opening incidents for a device."},

	// Commands.
	{Key: "commands.getCommands", Group: "commands", Method: "GET",
		Path: "/devices/{device_id}/commands", Class: ClassRead, Params: list(deviceID),
		Description: "List the commands sent to a device."},
	{Key: "commands.sendCommand", Group: "commands", Method: "POST",
		Path: "/devices/{device_id}/commands", Class: ClassWrite, SideEffect: true,
		Params: list(deviceID,
			body("name", TypeString, "Command name as the device knows it, such as reboot."),
			body("friendly_name", TypeString, "Human-readable command name."),
			body("file_id", TypeString, "File for commands that need one."),
			body("extra_params", TypeObject, "Custom command fields."),
		),
		Description: "Send a command to a device (acts on real hardware)."},
	{Key: "commands.cancelCommand", Group: "commands", Method: "DELETE",
		Path: "/devices/{device_id}/commands/{command_id}", Class: ClassWrite,
		Params:      list(deviceID, pathParam("command_id", "Command id (UUID).")),
		Description: "Cancel a command that has not run yet."},

	// Organization.
	{Key: "getOrganizationInfo", Group: "organization", Method: "GET", Path: "/info", Class: ClassRead,
		Description: "Get the organization's name, plan, contacts and statistics."},

	// Incidents.
	{Key: "incidents.getIncidents", Group: "incidents", Method: "GET", Path: "/incidents",
		Class: ClassRead,
		Params: list(
			query("from", TypeInteger, "Window start, Unix seconds (default: a week ago)."),
			query("to", TypeInteger, "Window end, Unix seconds (default: now)."),
			page,
			query("page_size", TypeInteger, "Items per page (at most 500)."),
			query("space_id", TypeInteger, "Only incidents in this space."),
			enum(query("status", TypeString, "Incident status."), "active", "closed"),
			enum(query("priority", TypeString, "Incident priority."),
				"critical", "high", "moderate", "low", "planning"),
			query("title", TypeString, "Title filter."),
			query("description", TypeString, "Description filter."),
			query("issue", TypeString, "Issue filter, such as offline."),
			query("device_model", TypeString, "Device model filter."),
			query("partner_name", TypeString, "Partner name filter."),
			query("sub_model", TypeString, "Sub-model filter."),
		),
		Description: "List incidents with filters."},
	{Key: "incidents.deleteIncident", Group: "incidents", Method: "DELETE", Path: "/incidents/{id}",
		Class: ClassDestructive, Params: list(pathParam("id", "Incident id (UUID).")),
		Description: "Delete (close) an incident."},

	// Spaces.
	{Key: "spaces.getSpaces", Group: "spaces", Method: "GET", Path: "/spaces", Class: ClassRead,
		Params: params(pageParams, list(
			query("id", TypeInteger, "Only this space."),
			query("parent_id", TypeInteger, "Only children of this space."),
			query("name", TypeString, "Name filter."),
			query("path_includes", TypeString, "Only spaces whose path includes this text."),
			query("space_type", TypeString, "Space type, such as room."),
			query("created_before", TypeString, "Created before this time (ISO 8601)."),
			query("created_after", TypeString, "Created after this time (ISO 8601)."),
		)),
		Description: "List spaces with filters."},
	{Key: "spaces.getSpace", Group: "spaces", Method: "GET", Path: "/spaces/{space_id}",
		Class: ClassRead, Params: list(spaceID), Description: "Get one space."},
	{Key: "spaces.createSpace", Group: "spaces", Method: "POST", Path: "/spaces", Class: ClassWrite,
		Params: list(required(body("name", TypeString, "Space name.")),
			body("parent_id", TypeInteger, "Parent space (default: the root)."), spaceConfig),
		Description: "Create a space."},
	{Key: "spaces.findOrCreateSpace", Group: "spaces", Method: "POST", Path: "/spaces/find_or_create",
		Class: ClassWrite,
		Params: list(
			required(body("name", TypeString, "Path split on /, such as Building A/Floor 2/Room 223.")),
			body("parent_id", TypeInteger, "Parent space (default: the root)."), spaceConfig),
		Description: "Find a space by path, creating each missing level; returns the leaf."},
	{Key: "spaces.updateSpace", Group: "spaces", Method: "PUT", Path: "/spaces/{space_id}",
		Class: ClassWrite,
		Params: list(spaceID, body("name", TypeString, "Space name."),
			body("parent_id", TypeInteger, "Parent space."), spaceConfig),
		Description: "Update a space."},
	{Key: "spaces.deleteSpace", Group: "spaces", Method: "DELETE", Path: "/spaces/{space_id}",
		Class: ClassDestructive, Params: list(spaceID), Description: "Delete a space."},

	// Tickets.
	{Key: "tickets.getTickets", Group: "tickets", Method: "GET", Path: "/tickets", Class: ClassRead,
		Description: "List open tickets."},
	{Key: "tickets.getTicket", Group: "tickets", Method: "GET", Path: "/tickets/{ticket_id}",
		Class: ClassRead, Params: list(ticketID), Description: "Get a ticket with its comments."},
	{Key: "tickets.updateTicket", Group: "tickets", Method: "PUT", Path: "/tickets/{ticket_id}",
		Class: ClassWrite,
		Params: list(ticketID, body("title", TypeString, "New title."),
			body("description", TypeString, "New description.")),
		Description: "Update a ticket's title or description."},
	{Key: "tickets.markResolved", Group: "tickets", Method: "POST",
		Path: "/tickets/{ticket_id}/resolved", Class: ClassWrite, SideEffect: true,
		Params: list(ticketID), Description: "Mark a ticket resolved (notifies its followers)."},
	{Key: "tickets.sendMessage", Group: "tickets", Method: "POST", Path: "/tickets/{ticket_id}/message",
		Class:       ClassWrite,
		Params:      list(ticketID, required(body("message", TypeString, "Message text."))),
		Description: "Add a message to a ticket."},

	// Users.
	{Key: "users.getUsers", Group: "users", Method: "GET", Path: "/users", Class: ClassRead,
		Params: pageParams, Description: "List active users."},
	{Key: "users.getUser", Group: "users", Method: "GET", Path: "/users/{id}", Class: ClassRead,
		Params: list(pathParam("id", "User id (UUID).")), Description: "Get one user."},
	{Key: "users.createUser", Group: "users", Method: "POST", Path: "/users", Class: ClassWrite,
		SideEffect: true,
		Params: list(required(body("email", TypeString, "Email address.")),
			required(body("name", TypeString, "Full name.")),
			required(body("group_ids", TypeArray, "Groups to put the user in (at least one)."))),
		Description: "Create a user (sends a welcome email)."},
	{Key: "users.deactivateUser", Group: "users", Method: "POST", Path: "/users/{id}/deactivate",
		Class: ClassDestructive, SideEffect: true, Params: list(pathParam("id", "User id (UUID).")),
		Description: "Deactivate a user (locks them out)."},
	{Key: "users.resendWelcomeEmail", Group: "users", Method: "POST",
		Path: "/users/{id}/resend_welcome", Class: ClassWrite, SideEffect: true,
		Params: list(pathParam("id", "User id (UUID).")), Description: "Resend a user's welcome email."},

	// Groups.
	{Key: "groups.getGroups", Group: "groups", Method: "GET", Path: "/groups", Class: ClassRead,
		Params: pageParams, Description: "List user groups."},
	{Key: "groups.getGroup", Group: "groups", Method: "GET", Path: "/groups/{id}", Class: ClassRead,
		Params: list(pathParam("id", "Group id (UUID).")), Description: "Get one group."},
	{Key: "groups.createGroup", Group: "groups", Method: "POST", Path: "/groups", Class: ClassWrite,
		Params: list(required(body("name", TypeString, "Group name (unique).")),
			body("user_ids", TypeArray, "Users to add.")),
		Description: "Create a user group."},
	{Key: "groups.updateGroup", Group: "groups", Method: "PUT", Path: "/groups/{id}", Class: ClassWrite,
		Params: list(pathParam("id", "Group id (UUID)."),
			required(body("name", TypeString, "New name."))),
		Description: "Rename a group."},
	{Key: "groups.deleteGroup", Group: "groups", Method: "DELETE", Path: "/groups/{id}",
		Class: ClassDestructive, Params: list(pathParam("id", "Group id (UUID).")),
		Description: "Delete a group."},
	{Key: "groups.addUsersToGroup", Group: "groups", Method: "POST", Path: "/groups/{id}/add_users",
		Class: ClassWrite,
		Params: list(pathParam("id", "Group id (UUID)."),
			required(body("user_ids", TypeArray, "Users to add."))),
		Description: "Add users to a group."},
	{Key: "groups.removeUsersFromGroup", Group: "groups", Method: "POST",
		Path: "/groups/{id}/remove_users", Class: ClassWrite,
		Params: list(pathParam("id", "Group id (UUID)."),
			required(body("user_ids", TypeArray, "Users to remove."))),
		Description: "Remove users from a group (revokes their access)."},
	{Key: "groups.addExternalUserToGroup", Group: "groups", Method: "POST",
		Path: "/groups/{id}/add_external_user", Class: ClassWrite,
		Params: list(pathParam("id", "Group id (UUID)."),
			required(body("email", TypeString, "Email of the external user."))),
		Description: "Add a user from another organization to a group."},

	// Assets.
	{Key: "assets.getAssets", Group: "assets", Method: "GET", Path: "/assets", Class: ClassRead,
		Params: params(pageParams, list(query("name", TypeString, "Name filter."),
			query("serial_number", TypeString, "Serial number filter."),
			query("space_id", TypeInteger, "Only assets in this space."))),
		Description: "List assets."},
	{Key: "assets.getAsset", Group: "assets", Method: "GET", Path: "/assets/{asset_id}",
		Class: ClassRead, Params: list(pathParam("asset_id", "Asset id (UUID).")),
		Description: "Get one asset."},
	{Key: "assets.getAssetLabels", Group: "assets", Method: "GET", Path: "/assets/labels/{category}",
		Class: ClassRead,
		Params: list(enum(pathParam("category", "Label category."),
			"manufacturer", "device_model", "device_type", "status")),
		Description: "List the labels of one asset category."},
	{Key: "assets.createAsset", Group: "assets", Method: "POST", Path: "/assets", Class: ClassWrite,
		Params: assetBody(true), Description: "Create an asset."},
	{Key: "assets.updateAsset", Group: "assets", Method: "PUT", Path: "/assets/{asset_id}",
		Class:       ClassWrite,
		Params:      append(list(pathParam("asset_id", "Asset id (UUID).")), assetBody(false)...),
		Description: "Update an asset."},
	{Key: "assets.deleteAsset", Group: "assets", Method: "DELETE", Path: "/assets/{asset_id}",
		Class: ClassDestructive, Params: list(pathParam("asset_id", "Asset id (UUID).")),
		Description: "Delete an asset."},

	// Notes.
	{Key: "notes.getAllDeviceNotes", Group: "notes", Method: "GET", Path: "/devices/notes",
		Class: ClassRead, Params: pageParams, Description: "List the notes of every device."},
	{Key: "notes.getDeviceNotes", Group: "notes", Method: "GET", Path: "/devices/{device_id}/notes",
		Class: ClassRead, Params: params(list(deviceID), pageParams),
		Description: "List a device's notes."},
	{Key: "notes.createDeviceNote", Group: "notes", Method: "POST", Path: "/devices/{device_id}/notes",
		Class:       ClassWrite,
		Params:      list(deviceID, required(body("content", TypeString, "Note text."))),
		Description: "Add a note to a device."},
	{Key: "notes.deleteDeviceNote", Group: "notes", Method: "DELETE",
		Path: "/devices/{device_id}/notes/{id}", Class: ClassDestructive,
		Params:      list(deviceID, pathParam("id", "Note id.")),
		Description: "Delete a device note."},
	{Key: "notes.getAllSpaceNotes", Group: "notes", Method: "GET", Path: "/spaces/notes",
		Class: ClassRead, Params: pageParams, Description: "List the notes of every space."},
	{Key: "notes.getSpaceNotes", Group: "notes", Method: "GET", Path: "/spaces/{space_id}/notes",
		Class: ClassRead, Params: params(list(spaceID), pageParams),
		Description: "List a space's notes."},
	{Key: "notes.createSpaceNote", Group: "notes", Method: "POST", Path: "/spaces/{space_id}/notes",
		Class:       ClassWrite,
		Params:      list(spaceID, required(body("content", TypeString, "Note text."))),
		Description: "Add a note to a space."},
	{Key: "notes.deleteSpaceNote", Group: "notes", Method: "DELETE",
		Path: "/spaces/{space_id}/notes/{id}", Class: ClassDestructive,
		Params:      list(spaceID, pathParam("id", "Note id.")),
		Description: "Delete a space note."},

	// Licenses, models, edges.
	{Key: "licenses.getLicenses", Group: "licenses", Method: "GET", Path: "/licenses",
		Class: ClassRead,
		Params: params(pageParams, list(
			query("state", TypeString,
				"Comma-separated states: available, inuse, remove, error, disabled, renew."),
			query("assigned", TypeBoolean, "Only assigned (true) or unassigned (false)."),
			query("device_id", TypeString, "Only licenses of this device."),
			query("product_id", TypeString, "Only licenses of this product."),
			query("device_model_id", TypeString, "Only licenses for this device model."),
			query("bound_device_sn", TypeString, "Only licenses bound to this serial number."),
			query("warranty", TypeBoolean, "Warranty filter."),
			query("transferable", TypeBoolean, "Transferable filter."),
			query("expires_before", TypeString, "Expires before this time (ISO 8601)."),
			query("expires_after", TypeString, "Expires after this time (ISO 8601)."),
			query("order_short_id", TypeString, "Order short id."),
		)),
		Description: "List licenses, newest first."},
	{Key: "models.getModels", Group: "models", Method: "GET", Path: "/models", Class: ClassRead,
		Params: params(pageParams, list(query("search", TypeString, "Text search."),
			query("edge_only", TypeBoolean, "Only models that connect through an edge."))),
		Description: "List device models."},
	{Key: "models.getModel", Group: "models", Method: "GET", Path: "/models/{id}", Class: ClassRead,
		Params: list(pathParam("id", "Model id (UUID).")), Description: "Get one device model."},
	{Key: "edges.getEdges", Group: "edges", Method: "GET", Path: "/edges", Class: ClassRead,
		Params: pageParams, Description: "List edge proxies."},
	{Key: "edges.devices.startPing", Group: "edges", Method: "POST",
		Path: "/edges/devices/start_ping", Class: ClassWrite, SideEffect: true,
		Params: list(required(body("proxy_id", TypeString, "Edge proxy id.")),
			required(body("device_ip", TypeString, "Address to ping."))),
		Description: "Start a ping from an edge proxy to an address."},
	{Key: "edges.devices.getPingStatus", Group: "edges", Method: "GET",
		Path: "/edges/devices/get_ping_status", Class: ClassRead,
		Params: list(required(query("proxy_id", TypeString, "Edge proxy id.")),
			required(query("device_ip", TypeString, "Address that was pinged."))),
		Description: "Get the result of a ping started from an edge proxy."},
	{Key: "edges.devices.startClaim", Group: "edges", Method: "POST",
		Path: "/edges/devices/start_claim", Class: ClassWrite, SideEffect: true,
		Params: list(
			required(body("proxy_id", TypeString, "Edge proxy id.")),
			required(body("device_model_id", TypeString, "Model of the device.")),
			body("space_id", TypeInteger, "Space to put the device in."),
			required(body("device_ip", TypeString, "Device address.")),
			body("display_name", TypeString, "Display name."),
			body("custom_parameters", TypeObject, "Custom parameters, label to value."),
			body("custom_partner_name", TypeString, "Custom partner name."),
			body("custom_model_name", TypeString, "Custom model name."),
			body("mac", TypeString, "MAC address."),
			body("sn", TypeString, "Serial number."),
			body("skip_connectivity_check", TypeBoolean, "Skip the connectivity check."),
		),
		Description: "Start claiming a device behind an edge proxy."},
	{Key: "edges.devices.getClaimStatus", Group: "edges", Method: "GET",
		Path: "/edges/devices/get_claim_status", Class: ClassRead,
		Params: list(required(query("proxy_id", TypeString, "Edge proxy id.")),
			required(query("device_ip", TypeString, "Device address."))),
		Description: "Get the result of an edge claim."},
	{Key: "edges.devices.updateHostname", Group: "edges", Method: "POST",
		Path: "/edges/devices/{device_id}/update_hostname", Class: ClassWrite,
		Params: list(deviceID, required(body("device_ip", TypeString, "New address or host name.")),
			body("skip_connectivity_check", TypeBoolean, "Skip the connectivity check.")),
		Description: "Change the address an edge proxy uses for a device."},

	// Partner API.
	partner("partner.devices.getDevices", "GET", "/devices", ClassRead, nil,
		"List the partner's devices across organizations."),
	partner("partner.devices.getDeviceInfo", "GET", "/devices/{device_id}", ClassRead,
		list(deviceID), "Get one partner device."),
	partner("partner.devices.deleteDevice", "DELETE", "/devices/{device_id}", ClassDestructive,
		list(deviceID), "Delete a partner device."),
	partner("partner.devices.getCommands", "GET", "/devices/{device_id}/commands", ClassRead,
		list(deviceID), "List a partner device's commands."),
	partner("partner.devices.getConfiguration", "GET", "/devices/{device_id}/config", ClassRead,
		list(deviceID), "Get a partner device's configuration."),
	partner("partner.devices.getStateHistory", "GET", "/devices/{device_id}/history", ClassRead,
		list(deviceID), "Get a partner device's state history."),
	partner("partner.devices.getStateHistoryMultiDevices", "GET", "/devices/histories", ClassRead,
		nil, "Get the state histories of several partner devices."),
	partner("partner.devices.getTelemetries", "GET", "/devices/{device_id}/telemetries", ClassRead,
		list(deviceID), "Get a partner device's telemetries."),
	partner("partner.organizations.createOrganization", "POST", "/organizations", ClassWrite,
		list(required(body("name", TypeString, "Organization name.")),
			body("admin_contact_email", TypeString, "Admin contact email."),
			body("admin_contact_name", TypeString, "Admin contact name."),
			body("finance_contact_email", TypeString, "Finance contact email."),
			body("finance_contact_name", TypeString, "Finance contact name.")),
		"Create an organization under the partner."),
	partner("partner.tickets.getTickets", "GET", "/tickets", ClassRead, nil,
		"List the partner's tickets."),
	partner("partner.tickets.getTicket", "GET", "/tickets/{ticket_id}", ClassRead,
		list(ticketID), "Get one partner ticket."),
	partner("partner.tickets.updateTicket", "PUT", "/tickets/{ticket_id}", ClassWrite,
		list(ticketID, body("title", TypeString, "New title."),
			body("description", TypeString, "New description.")),
		"Update a partner ticket."),
	partner("partner.tickets.addComment", "POST", "/tickets/{ticket_id}/message", ClassWrite,
		list(ticketID, required(body("message", TypeString, "Message text."))),
		"Add a comment to a partner ticket."),
	partner("partner.tickets.closeTicket", "POST", "/tickets/{ticket_id}/resolved", ClassWrite,
		list(ticketID), "Close a partner ticket."),
}

func assetBody(create bool) []Param {
	name := body("name", TypeString, "Asset name.")
	if create {
		name = required(name)
	}
	label := "Either {\"id\": ...} of an existing label or a plain name (created if new)."
	return list(name,
		body("serial_number", TypeString, "Serial number."),
		body("space_id", TypeInteger, "Space the asset is in."),
		body("purchased_at", TypeString, "Purchase time (ISO 8601)."),
		body("comments", TypeString, "Free text."),
		body("icon_name", TypeString, "Icon name."),
		body("manufacturer", TypeAny, "Manufacturer label. "+label),
		body("device_model", TypeAny, "Device model label. "+label),
		body("device_type", TypeAny, "Device type label. "+label),
		body("status", TypeAny, "Status label. "+label),
	)
}

func partner(key, method, path string, class Class, ps []Param, desc string) Endpoint {
	group := strings.Split(key, ".")[1]
	return Endpoint{Key: key, API: APIPartner, Group: "partner." + group, Method: method,
		Path: path, Class: class, Params: ps, Description: desc}
}

func init() {
	for i := range catalog {
		if catalog[i].API == "" {
			catalog[i].API = APIOrganization
		}
	}
}
