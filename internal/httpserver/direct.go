package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// DirectCaller runs a tools/call without an MCP session, as
// mcpserver.Server.CallDirect does. ok is false when it ran nothing and the
// SDK is to answer the request.
type DirectCaller interface {
	CallDirect(ctx context.Context, extra *mcp.RequestExtra, name string,
		args json.RawMessage) (res *mcp.CallToolResult, ok bool, err error)
}

// directVersions are the MCP-Protocol-Version values a direct call may name:
// the revisions before the sessionless one that the SDK serves. No header
// means the oldest behaviour, which the SDK assumes as well.
var directVersions = []string{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}

// sdkMaxDepth is the deepest nesting of arrays and objects the SDK reads in
// a message; it answers a deeper one with an error.
const sdkMaxDepth = 1000

// serveDirect answers a stateless tools/call itself, through the MCP
// server's direct path, and reports whether it did. It declines, leaving the
// request to the SDK, unless the request is the plain form the SDK would
// answer with nothing but the tool's result: one request, no session, a
// protocol revision it knows, an Accept header the SDK takes, and params
// holding only the tool's name and its arguments. The answer is framed as
// the SDK frames it: one server-sent event.
func (s *Server) serveDirect(w http.ResponseWriter, r *http.Request, m message) bool {
	if s.direct == nil || s.cfg.Sessions || !m.single || m.method != "tools/call" ||
		m.id == nil || m.modern || r.Header.Get("Mcp-Session-Id") != "" {
		return false
	}
	if v := r.Header.Get("Mcp-Protocol-Version"); v != "" && !slices.Contains(directVersions, v) {
		return false
	}
	if !acceptsBoth(r.Header.Values("Accept")) || rebinding(r) {
		return false
	}
	name, args, ok := plainCallParams(m.params)
	// The SDK refuses a message nested deeper than it reads; the message
	// itself is one level above its params.
	if !ok || 1+jsonscan.Depth(m.params) > sdkMaxDepth {
		return false
	}
	id, ok := canonicalID(m.id)
	if !ok {
		return false
	}
	// The tenant authenticate found; the SDK's bearer middleware, which
	// hands it to the SDK's handler, comes after the edge.
	t, ok := tenant.FromContext(r.Context())
	if !ok {
		return false
	}
	extra := &mcp.RequestExtra{TokenInfo: t.TokenInfo(), Header: r.Header}
	res, ok, err := s.direct.CallDirect(r.Context(), extra, name, args)
	if !ok {
		return false
	}
	// The envelope is written by hand: encoding it as a struct would copy
	// and check the whole result once more.
	const prefix = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":"
	size := 256 + len(id)
	if err == nil && res != nil {
		if raw, ok := res.StructuredContent.(json.RawMessage); ok {
			// The JSON twice, once as escaped text: room for a quote in
			// every four bytes escaped.
			size += 2*len(raw) + len(raw)/4
		}
	}
	buf := append(make([]byte, 0, size), prefix...)
	buf = append(buf, id...)
	if err == nil {
		buf, err = appendResult(append(buf, `,"result":`...), res)
	}
	if err != nil {
		var wire *jsonrpc.Error
		if !errors.As(err, &wire) {
			wire = &jsonrpc.Error{Code: codeInternalError, Message: err.Error()}
		}
		payload, err := json.Marshal(wire)
		if err != nil {
			s.logger.Error("encode direct tool error", "tool", name, "error", err)
			writeRPCError(w, http.StatusInternalServerError, id, codeInternalError,
				"the tool result could not be encoded")
			return true
		}
		buf = append(append(append([]byte(prefix), id...), `,"error":`...), payload...)
	}
	buf = append(buf, "}\n\n"...)
	h := w.Header()
	h["Cache-Control"] = noCacheValue
	h["Content-Type"] = eventStreamValue
	h["Connection"] = keepAliveValue
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
	return true
}

// The headers of a direct answer, as the SDK sends them; shared, since
// nothing on the way out changes a header's values in place.
var (
	noCacheValue     = []string{"no-cache, no-transform"}
	eventStreamValue = []string{"text/event-stream"}
	keepAliveValue   = []string{"keep-alive"}
)

// appendResult appends a tool result, encoded as the SDK encodes it, to buf.
// The usual result, a structured value whose JSON is also the only text
// content, is written directly: through the SDK's encoder every byte of that
// JSON would be copied and checked several times over.
func appendResult(buf []byte, res *mcp.CallToolResult) ([]byte, error) {
	raw, ok := res.StructuredContent.(json.RawMessage)
	if !ok || res.Meta != nil || res.IsError || res.InputRequests != nil ||
		res.RequestState != "" || len(res.Content) != 1 {
		return appendJSON(buf, res)
	}
	tc, ok := res.Content[0].(*mcp.TextContent)
	if !ok || tc.Meta != nil || tc.Annotations != nil || tc.Text != string(raw) {
		return appendJSON(buf, res)
	}
	buf = append(buf, `{"content":[{"type":"text","text":`...)
	buf = jsonscan.AppendString(buf, raw)
	buf = append(buf, `}],"structuredContent":`...)
	return append(append(buf, raw...), '}'), nil
}

// appendJSON appends v encoded as JSON to buf.
func appendJSON(buf []byte, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	return append(buf, data...), err
}

// plainInteger reports whether raw is a non-negative integer below 10^15 in
// its shortest decimal form.
func plainInteger(raw []byte) bool {
	if len(raw) == 0 || len(raw) > 15 || (raw[0] == '0' && len(raw) > 1) {
		return false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// acceptsBoth reports whether an Accept header takes both JSON and an event
// stream, by the SDK's rule for stateless POSTs.
func acceptsBoth(values []string) bool {
	var jsonOK, streamOK bool
	for _, value := range values {
		for _, token := range strings.Split(value, ",") {
			base, _, _ := strings.Cut(token, ";")
			switch strings.ToLower(strings.TrimSpace(base)) {
			case "application/json", "application/*":
				jsonOK = true
			case "text/event-stream", "text/*":
				streamOK = true
			case "*/*":
				jsonOK, streamOK = true, true
			}
		}
	}
	return jsonOK && streamOK
}

// rebinding reports a request the SDK refuses as a DNS rebinding attempt:
// it reached a loopback address under a Host name that is not loopback.
func rebinding(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return ok && local != nil && loopback(local.String()) && !loopback(r.Host)
}

// plainCallParams returns the tool name and arguments of a tools/call whose
// params hold nothing else: no _meta (progress tokens, protocol metadata)
// and no input responses of a multi-round-trip call. Names must be exact,
// as the SDK reads them.
func plainCallParams(raw json.RawMessage) (string, json.RawMessage, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return "", nil, false
	}
	var name, args json.RawMessage
	plain := true
	err := jsonscan.Members(raw, func(key string, v []byte) bool {
		switch {
		case key == "name" && name == nil:
			name = v
		case key == "arguments" && args == nil && v[0] == '{':
			args = v
		default:
			plain = false
		}
		return plain
	})
	tool, ok := jsonString(name)
	if err != nil || !plain || !ok || tool == "" {
		return "", nil, false
	}
	return tool, args, true
}

// canonicalID returns a request id as the SDK writes it back: a string
// re-encoded, an integer in its plain decimal form.
func canonicalID(raw json.RawMessage) (json.RawMessage, bool) {
	// Plain text, and integers without a sign, come back as they are.
	if jsonscan.Plain(raw) || plainInteger(raw) {
		return raw, true
	}
	if s, ok := jsonString(raw); ok {
		b, err := json.Marshal(s)
		return b, err == nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || f != float64(int64(f)) {
		return nil, false
	}
	return json.RawMessage(strconv.FormatInt(int64(f), 10)), true
}
