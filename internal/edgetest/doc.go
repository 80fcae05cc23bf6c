// Package edgetest holds black-box tests of the whole xyte-mcp server: the
// real HTTP server, built by internal/server exactly as `xyte-mcp serve`
// builds it, in front of the simulated Xyte API, driven over HTTP by plain
// requests and by the go-sdk MCP client.
//
// The tests cover the edge of the server: tenancy and authentication, CORS
// and Origin checks, body limits, JSON-RPC error handling, secret-free logs,
// tenant isolation, and the field reports that describe how comparable
// servers failed there. The package has no code of its own.
package edgetest
