package xytesim

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// handlerFunc serves one endpoint while the Server's lock is held. It returns
// the value to send as JSON with 200, noContent for 204, or an error; an
// *apiError picks the status.
type handlerFunc func(s *Server, c *call) (any, error)

// route is one endpoint of either API.
type route struct {
	name    string   // catalog key, e.g. "devices.getDevice"
	method  string   // HTTP method
	path    string   // path below the API prefix, e.g. "/devices/{device_id}"
	partner bool     // Partner API (partner keys) rather than Organization API
	pattern string   // ServeMux pattern: method, prefix and path
	params  []string // wildcard names in path order
	handle  handlerFunc
}

// Endpoint describes one simulated route.
type Endpoint struct {
	// Name is the catalog key, e.g. "devices.getDevice" or
	// "partner.devices.getDevices".
	Name string
	// Method is the HTTP method.
	Method string
	// Path is the path below the API prefix, with {wildcards}.
	Path string
	// Pattern is the full ServeMux pattern, e.g.
	// "GET /core/v1/organization/devices/{device_id}".
	Pattern string
	// Partner reports whether the route belongs to the Partner API.
	Partner bool
}

// Endpoints lists every simulated route: the 64 Organization API endpoints,
// then the 14 Partner API endpoints.
func Endpoints() []Endpoint {
	out := make([]Endpoint, 0, len(allRoutes))
	for _, rt := range allRoutes {
		out = append(out, Endpoint{
			Name: rt.name, Method: rt.method, Path: rt.path,
			Pattern: rt.pattern, Partner: rt.partner,
		})
	}
	return out
}

// matchKeys are the strings a Fault.Route may use to target the route.
func (rt *route) matchKeys() []string {
	if rt == nil {
		return nil
	}
	return []string{rt.pattern, rt.name, rt.method + " " + rt.path}
}

// endpointSpec is one row of the route tables below.
type endpointSpec struct {
	name, method, path string
	handle             handlerFunc
}

// orgEndpoints are the Organization API routes (reference §2.1 and §2.2,
// rows 1 to 28 and 30 to 65). Row 29, device analytics, is not a hub route,
// so it answers 404 like any unknown path.
var orgEndpoints = []endpointSpec{
	{"devices.getDevices", "GET", "/devices", (*Server).listDevices},
	{"devices.getDevice", "GET", "/devices/{device_id}", (*Server).getDevice},
	{"devices.claimDevice", "POST", "/devices/claim", (*Server).claimDevice},
	{"devices.updateDevice", "PATCH", "/devices/{device_id}", (*Server).updateDevice},
	{"devices.deleteDevice", "DELETE", "/devices/{device_id}", (*Server).deleteDevice},
	{"devices.getHistories", "GET", "/devices/histories", (*Server).listHistories},
	{"devices.moveDevice", "POST", "/devices/{device_id}/move", (*Server).moveDevice},
	{"devices.mergeDevice", "POST", "/devices/{device_id}/merge", (*Server).mergeDevice},
	{"devices.splitDevice", "POST", "/devices/{device_id}/split", (*Server).splitDevice},
	{"devices.suspendIncidents", "POST", "/devices/{device_id}/suspend_incidents",
		(*Server).suspendIncidents},
	{"devices.resumeIncidents", "POST", "/devices/{device_id}/resume_incidents",
		(*Server).resumeIncidents},
	{"commands.getCommands", "GET", "/devices/{device_id}/commands", (*Server).listCommands},
	{"commands.sendCommand", "POST", "/devices/{device_id}/commands", (*Server).sendCommand},
	{"commands.cancelCommand", "DELETE", "/devices/{device_id}/commands/{command_id}",
		(*Server).cancelCommand},
	{"getOrganizationInfo", "GET", "/info", (*Server).getInfo},
	{"incidents.getIncidents", "GET", "/incidents", (*Server).listIncidents},
	{"incidents.deleteIncident", "DELETE", "/incidents/{incident_id}", (*Server).deleteIncident},
	{"spaces.getSpaces", "GET", "/spaces", (*Server).listSpaces},
	{"spaces.getSpace", "GET", "/spaces/{space_id}", (*Server).getSpace},
	{"spaces.createSpace", "POST", "/spaces", (*Server).createSpace},
	{"spaces.findOrCreateSpace", "POST", "/spaces/find_or_create", (*Server).findOrCreateSpace},
	{"spaces.updateSpace", "PUT", "/spaces/{space_id}", (*Server).updateSpace},
	{"spaces.deleteSpace", "DELETE", "/spaces/{space_id}", (*Server).deleteSpace},
	{"tickets.getTickets", "GET", "/tickets", (*Server).listTickets},
	{"tickets.getTicket", "GET", "/tickets/{ticket_id}", (*Server).getTicket},
	{"tickets.updateTicket", "PUT", "/tickets/{ticket_id}", (*Server).updateTicket},
	{"tickets.markResolved", "POST", "/tickets/{ticket_id}/resolved", (*Server).resolveTicket},
	{"tickets.sendMessage", "POST", "/tickets/{ticket_id}/message", (*Server).messageTicket},
	{"users.getUsers", "GET", "/users", (*Server).listUsers},
	{"users.getUser", "GET", "/users/{user_id}", (*Server).getUser},
	{"users.createUser", "POST", "/users", (*Server).createUser},
	{"users.deactivateUser", "POST", "/users/{user_id}/deactivate", (*Server).deactivateUser},
	{"users.resendWelcomeEmail", "POST", "/users/{user_id}/resend_welcome",
		(*Server).resendWelcome},
	{"groups.getGroups", "GET", "/groups", (*Server).listGroups},
	{"groups.getGroup", "GET", "/groups/{group_id}", (*Server).getGroup},
	{"groups.createGroup", "POST", "/groups", (*Server).createGroup},
	{"groups.updateGroup", "PUT", "/groups/{group_id}", (*Server).updateGroup},
	{"groups.deleteGroup", "DELETE", "/groups/{group_id}", (*Server).deleteGroup},
	{"groups.addUsersToGroup", "POST", "/groups/{group_id}/add_users", (*Server).addGroupUsers},
	{"groups.removeUsersFromGroup", "POST", "/groups/{group_id}/remove_users",
		(*Server).removeGroupUsers},
	{"groups.addExternalUserToGroup", "POST", "/groups/{group_id}/add_external_user",
		(*Server).addExternalUser},
	{"assets.getAssets", "GET", "/assets", (*Server).listAssets},
	{"assets.getAsset", "GET", "/assets/{asset_id}", (*Server).getAsset},
	{"assets.getAssetLabels", "GET", "/assets/labels/{category}", (*Server).listAssetLabels},
	{"assets.createAsset", "POST", "/assets", (*Server).createAsset},
	{"assets.updateAsset", "PUT", "/assets/{asset_id}", (*Server).updateAsset},
	{"assets.deleteAsset", "DELETE", "/assets/{asset_id}", (*Server).deleteAsset},
	{"notes.getAllDeviceNotes", "GET", "/devices/notes", (*Server).listAllDeviceNotes},
	{"notes.getDeviceNotes", "GET", "/devices/{device_id}/notes", (*Server).listDeviceNotes},
	{"notes.createDeviceNote", "POST", "/devices/{device_id}/notes", (*Server).createDeviceNote},
	{"notes.deleteDeviceNote", "DELETE", "/devices/{device_id}/notes/{note_id}",
		(*Server).deleteDeviceNote},
	{"notes.getAllSpaceNotes", "GET", "/spaces/notes", (*Server).listAllSpaceNotes},
	{"notes.getSpaceNotes", "GET", "/spaces/{space_id}/notes", (*Server).listSpaceNotes},
	{"notes.createSpaceNote", "POST", "/spaces/{space_id}/notes", (*Server).createSpaceNote},
	{"notes.deleteSpaceNote", "DELETE", "/spaces/{space_id}/notes/{note_id}",
		(*Server).deleteSpaceNote},
	{"licenses.getLicenses", "GET", "/licenses", (*Server).listLicenses},
	{"models.getModels", "GET", "/models", (*Server).listModels},
	{"models.getModel", "GET", "/models/{model_id}", (*Server).getModel},
	{"edges.getEdges", "GET", "/edges", (*Server).listEdges},
	{"edges.devices.startPing", "POST", "/edges/devices/start_ping", (*Server).startPing},
	{"edges.devices.getPingStatus", "GET", "/edges/devices/get_ping_status",
		(*Server).getPingStatus},
	{"edges.devices.startClaim", "POST", "/edges/devices/start_claim", (*Server).startClaim},
	{"edges.devices.getClaimStatus", "GET", "/edges/devices/get_claim_status",
		(*Server).getClaimStatus},
	{"edges.devices.updateHostname", "POST", "/edges/devices/{device_id}/update_hostname",
		(*Server).updateHostname},
}

// partnerEndpoints are the Partner API routes (reference §2.3).
var partnerEndpoints = []endpointSpec{
	{"partner.devices.getDevices", "GET", "/devices", (*Server).partnerListDevices},
	{"partner.devices.getDeviceInfo", "GET", "/devices/{device_id}", (*Server).partnerGetDevice},
	{"partner.devices.deleteDevice", "DELETE", "/devices/{device_id}",
		(*Server).partnerDeleteDevice},
	{"partner.devices.getCommands", "GET", "/devices/{device_id}/commands",
		(*Server).partnerListCommands},
	{"partner.devices.getConfiguration", "GET", "/devices/{device_id}/config",
		(*Server).partnerGetConfig},
	{"partner.devices.getStateHistory", "GET", "/devices/{device_id}/history",
		(*Server).partnerDeviceHistory},
	{"partner.devices.getStateHistoryMultiDevices", "GET", "/devices/histories",
		(*Server).partnerHistories},
	{"partner.devices.getTelemetries", "GET", "/devices/{device_id}/telemetries",
		(*Server).partnerTelemetries},
	{"partner.organizations.createOrganization", "POST", "/organizations",
		(*Server).partnerCreateOrg},
	{"partner.tickets.getTickets", "GET", "/tickets", (*Server).partnerListTickets},
	{"partner.tickets.getTicket", "GET", "/tickets/{ticket_id}", (*Server).partnerGetTicket},
	{"partner.tickets.updateTicket", "PUT", "/tickets/{ticket_id}", (*Server).partnerUpdateTicket},
	{"partner.tickets.addComment", "POST", "/tickets/{ticket_id}/message",
		(*Server).partnerMessageTicket},
	{"partner.tickets.closeTicket", "POST", "/tickets/{ticket_id}/resolved",
		(*Server).partnerResolveTicket},
}

// allRoutes is every route, Organization API first.
var allRoutes = buildRoutes()

var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

func buildRoutes() []*route {
	var out []*route
	add := func(specs []endpointSpec, prefix string, partner bool) {
		for _, sp := range specs {
			rt := &route{
				name: sp.name, method: sp.method, path: sp.path, partner: partner,
				pattern: sp.method + " " + prefix + sp.path, handle: sp.handle,
			}
			for _, m := range wildcard.FindAllStringSubmatch(sp.path, -1) {
				rt.params = append(rt.params, m[1])
			}
			out = append(out, rt)
		}
	}
	add(orgEndpoints, OrgPrefix, false)
	add(partnerEndpoints, PartnerPrefix, true)
	return out
}

// newMux routes every endpoint, and everything else, through s.serve.
//
// The catch-all "/" pattern means a known path with the wrong method also
// reaches s.serve with no route, and answers 404 {"error":"Not found"}: the
// hub is a Rails app, whose router answers 404 rather than 405 (reference
// §6.1 leaves this open).
func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range allRoutes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, unshield(r, rt), rt)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, unshield(r, nil), nil)
	})
	return mux
}

// receivedURL is the context key of the URL as received, set when shield
// had to change it for routing.
type receivedURL struct{}

// slashStandIn replaces, for routing only, a segment that decodes to "/".
const slashStandIn = "_"

// shield works around a ServeMux rule: a {wildcard} never matches a
// segment that decodes to exactly "/" (an id of "/" sent as %2F), which the
// hub would route like any other id. Such segments are swapped for a
// stand-in while ServeMux routes; unshield restores the request.
func shield(r *http.Request) *http.Request {
	segs := strings.Split(r.URL.EscapedPath(), "/")
	changed := false
	for i, seg := range segs {
		if strings.EqualFold(seg, "%2F") {
			segs[i], changed = slashStandIn, true
		}
	}
	if !changed {
		return r
	}
	routed := r.WithContext(context.WithValue(r.Context(), receivedURL{}, r.URL))
	u := *r.URL
	u.RawPath = strings.Join(segs, "/")
	u.Path, _ = url.PathUnescape(u.RawPath) // every segment was valid before
	routed.URL = &u
	return routed
}

// unshield puts back the URL shield changed and decodes the route's path
// values from it by position.
func unshield(r *http.Request, rt *route) *http.Request {
	received, ok := r.Context().Value(receivedURL{}).(*url.URL)
	if !ok {
		return r
	}
	r.URL = received // r is the copy shield made
	if rt == nil {
		return r
	}
	segs := strings.Split(received.EscapedPath(), "/")
	prefix := strings.Count(OrgPrefix, "/") // both prefixes have three segments
	for i, seg := range strings.Split(rt.path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			v, _ := url.PathUnescape(segs[prefix+i])
			r.SetPathValue(strings.TrimSuffix(name, "}"), v)
		}
	}
	return r
}

// isCleanPath reports whether p has no empty, "." or ".." segment and no
// trailing slash: the only paths ServeMux routes without a redirect.
func isCleanPath(p string) bool {
	if p == "/" {
		return true
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
