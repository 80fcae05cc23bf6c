package mcpserver

import (
	"context"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Subscriptions to a tenant's events use a URI that names the tenant,
// events://tenant/{tenant_id}/recent. The SDK notifies every session
// subscribed to a URI, so one URI shared by all tenants would tell tenant B
// when tenant A receives an event; with a URI per tenant, and subscriptions
// refused for any tenant but the caller's, each notification reaches only
// the tenant's own sessions.
const tenantEventsPrefix = "events://tenant/"

// tenantEventsURI is the subscribable URI of a tenant's recent events.
func tenantEventsURI(tenantID string) string {
	return tenantEventsPrefix + tenantID + "/recent"
}

// subscribe accepts a subscription to the caller's own events URI only.
func (s *Server) subscribe(ctx context.Context, req *mcp.SubscribeRequest) error {
	c, err := s.resolve(ctx, req.Extra, req.Session)
	if err != nil {
		return err
	}
	if req.Params.URI != tenantEventsURI(eventTenant(c)) {
		return &toolError{code: xyte.CodeInvalidParams, msg: "uri: only this key's events " +
			"can be subscribed to; read events://recent for its subscribe_uri"}
	}
	return nil
}

// unsubscribe has nothing to release: the SDK keeps the subscriptions.
func (s *Server) unsubscribe(context.Context, *mcp.UnsubscribeRequest) error { return nil }

// eventPublished tells the tenant's subscribed sessions that its events
// changed, off the publishing request's path (the bus runs hooks inline). It
// runs on the replica where the event was published; sessions live on one
// replica, so with several replicas a session hears of the events published
// through its own replica.
func (s *Server) eventPublished(tenantID string, _ events.Event) {
	go func() {
		_ = s.mcp.ResourceUpdated(context.Background(),
			&mcp.ResourceUpdatedNotificationParams{URI: tenantEventsURI(tenantID)})
	}()
}

// readTenantEvents serves events://tenant/{tenant_id}/recent: the caller's
// own events, and not found for any other tenant's id.
func (s *Server) readTenantEvents(ctx context.Context, c *call, uri string) (any, error) {
	id, _ := strings.CutSuffix(strings.TrimPrefix(uri, tenantEventsPrefix), "/recent")
	if id != eventTenant(c) {
		return nil, &toolError{code: xyte.CodeNotFound, msg: "no such event stream"}
	}
	return s.readRecentEvents(ctx, c, uri)
}
