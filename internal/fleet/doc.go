// Package fleet holds the service calls that the MCP tools and the REST routes
// share: device lists with client-side filters, device status summaries, the
// fleet overview, room matching and diagnosis, meeting-room presets, history
// windows, dry-run plans and command tasks.
//
// Everything here is transport-free. Each call takes the *xyte.Client of the
// tenant it acts for, so a caller can never mix one tenant's key with another's
// data; nothing in this package keeps a client or a key between calls.
//
// The view types (Device, Incident, Ticket, ...) are what callers show: plain
// JSON with snake_case names, timestamps as RFC 3339 strings, and no fields
// that could carry a key.
package fleet
