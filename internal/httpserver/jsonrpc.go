package httpserver

import (
	"bytes"
	"encoding/json"
	"math/big"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
)

// JSON-RPC error codes the edge answers with.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInternalError  = -32603
	// codeSessionNotFound answers an Mcp-Session-Id unknown to the caller.
	// The MCP spec fixes only the HTTP status, 404; this code is the one
	// other MCP servers send with it.
	codeSessionNotFound = -32001
)

// maxExactID bounds numeric request ids. The SDK reads ids through float64,
// so a larger integer would come back as another number and the client could
// not match the answer to its request.
const maxExactID = 1 << 53

// modernProtocol is the first MCP revision without sessions.
const modernProtocol = "2026-07-28"

// message is what the edge learned from a request body that passed inspect.
type message struct {
	id     json.RawMessage // the id of a single message, nil when none
	method string          // the method of a single message
	single bool            // one message, not a batch
	// modern: the message names its protocol revision in _meta, as the
	// sessionless revision does instead of initializing.
	modern bool
	params json.RawMessage // the params of a single message, nil when none
}

// notification reports a single message with a method and no id.
func (m message) notification() bool { return m.single && m.method != "" && m.id == nil }

// rpcError is a refusal of a body that is not valid JSON-RPC 2.0.
type rpcError struct {
	code int
	msg  string
}

func invalidRequest(msg string) *rpcError { return &rpcError{codeInvalidRequest, msg} }

// mcpEdge stands between the authenticated request and the SDK's handler.
// It refuses a body that is not JSON-RPC 2.0 with the JSON-RPC error the
// spec names (the SDK would quietly turn invalid UTF-8 into U+FFFD, round
// large or fractional ids, and answer some faults in plain text), and it
// turns every plain-text refusal of the SDK into a JSON-RPC error body. A
// session that belongs to another tenant is answered exactly like an unknown
// one: 404.
func (s *Server) mcpEdge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m message
		if r.Method == http.MethodPost && isJSONBody(r) {
			// limitBody has read the body into memory, within the limit.
			body, err := bodyBytes(r)
			if err != nil {
				writeRPCError(w, http.StatusBadRequest, nil, codeInvalidRequest,
					"the request body could not be read")
				return
			}
			var bad *rpcError
			if m, bad = inspect(body); bad != nil {
				writeRPCError(w, http.StatusBadRequest, m.id, bad.code, bad.msg)
				return
			}
			if bad = s.checkSession(r, m); bad != nil {
				writeRPCError(w, http.StatusBadRequest, m.id, bad.code, bad.msg)
				return
			}
			if s.serveDirect(w, r, m) {
				return
			}
			r.Body = newMemBody(body)
		}
		ew := &rpcErrorWriter{ResponseWriter: w, msg: m,
			session: r.Header.Get("Mcp-Session-Id") != ""}
		next.ServeHTTP(ew, r)
		ew.finish()
	})
}

// checkSession refuses, in stateful mode, a request that names no session
// and does not open one: the SDK would answer it 200 with an error the
// client cannot act on. Requests of the sessionless protocol revision pass.
func (s *Server) checkSession(r *http.Request, m message) *rpcError {
	if !s.cfg.Sessions || r.Header.Get("Mcp-Session-Id") != "" || !m.single || m.modern ||
		m.method == "" || m.method == "initialize" || m.method == "ping" ||
		r.Header.Get("Mcp-Protocol-Version") >= modernProtocol {
		return nil
	}
	return invalidRequest("missing Mcp-Session-Id header: send initialize first " +
		"and then the session id it returns")
}

func isJSONBody(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json" && r.Body != nil && r.Body != http.NoBody
}

// inspect checks a body as one JSON-RPC 2.0 message or a batch of them.
func inspect(body []byte) (message, *rpcError) {
	if !utf8.Valid(body) {
		return message{}, &rpcError{codeParseError, "parse error: the body is not valid UTF-8"}
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		return message{}, invalidRequest("the body is empty: send a JSON-RPC message")
	case !json.Valid(body):
		return message{}, &rpcError{codeParseError, "parse error: the body is not valid JSON"}
	case body[0] == '{':
		m, bad := inspectOne(body)
		m.single = true
		return m, bad
	case body[0] != '[':
		return message{}, invalidRequest("a JSON-RPC message must be an object")
	}
	var batch []json.RawMessage
	if err := json.Unmarshal(body, &batch); err != nil || len(batch) == 0 {
		return message{}, invalidRequest("a batch must hold at least one message")
	}
	for _, raw := range batch {
		if _, bad := inspectOne(raw); bad != nil {
			return message{}, bad
		}
	}
	return message{}, nil
}

// inspectOne checks one message: "jsonrpc" is "2.0"; an id, if any, is a
// string or an integer a float64 holds exactly; a request or notification
// has a method name and structured params; anything else is a response with
// an id and a result or an error.
func inspectOne(raw []byte) (message, *rpcError) {
	fields, bad := members(raw)
	if bad != nil {
		return message{}, bad
	}
	var m message
	if v, ok := fields["id"]; ok {
		if !validID(v) {
			return message{}, invalidRequest("id must be a string or an integer " +
				"between -2^53 and 2^53")
		}
		m.id = v
	}
	if v, ok := jsonString(fields["jsonrpc"]); !ok || v != "2.0" {
		return m, invalidRequest(`jsonrpc must be "2.0"`)
	}
	p, ok := fields["params"]
	if ok && p[0] != '{' && p[0] != '[' && string(p) != "null" {
		return m, invalidRequest("params must be an object")
	}
	m.params = p
	m.modern = bytes.Contains(p, []byte(`"io.modelcontextprotocol/protocolVersion"`))
	if v, ok := fields["method"]; ok {
		name, ok := jsonString(v)
		if !ok || name == "" {
			return m, invalidRequest("method must be a non-empty string")
		}
		m.method = name
		return m, nil
	}
	_, result := fields["result"]
	_, failure := fields["error"]
	if m.id == nil || result == failure {
		return m, invalidRequest("a message needs a method, or an id with a result or an error")
	}
	return m, nil
}

// members returns the members of a JSON object by name, refusing duplicate
// names in any case: the SDK matches names without regard to case, and two
// readings of one message must never differ.
func members(raw []byte) (map[string]json.RawMessage, *rpcError) {
	notObject := invalidRequest("a JSON-RPC message must be an object")
	if len(raw) == 0 || raw[0] != '{' {
		return nil, notObject
	}
	out := make(map[string]json.RawMessage, 4)
	var bad *rpcError
	// raw is part of a body that passed json.Valid.
	err := jsonscan.Members(raw, func(name string, v []byte) bool {
		folded := strings.ToLower(name)
		if _, seen := out[folded]; seen {
			bad = invalidRequest("a member name appears more than once")
			return false
		}
		out[folded] = v
		return true
	})
	switch {
	case bad != nil:
		return nil, bad
	case err != nil:
		return nil, notObject
	}
	return out, nil
}

// validID reports whether an id is a string or an integer of at most 2^53 in
// magnitude, written without a fraction or an exponent.
func validID(v json.RawMessage) bool {
	if _, ok := jsonString(v); ok {
		return true
	}
	s := string(v)
	if strings.ContainsAny(s, ".eE") || s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	if len(strings.TrimPrefix(s, "-")) < 16 {
		return true // below 10^15, well inside 2^53
	}
	n, ok := new(big.Int).SetString(s, 10)
	return ok && n.CmpAbs(big.NewInt(maxExactID)) <= 0
}

// jsonString returns the value of a JSON string.
func jsonString(v json.RawMessage) (string, bool) {
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	s, err := jsonscan.String(v)
	return s, err == nil
}

// rpcErrorBody is a JSON-RPC error response.
type rpcErrorBody struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   rpcErrorDetail  `json:"error"`
}

type rpcErrorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// writeRPCError writes a JSON-RPC error with the given HTTP status. A nil id
// is written as null, as JSON-RPC requires when the id is unknown.
func writeRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int, msg string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rpcErrorBody{JSONRPC: "2.0", ID: id,
		Error: rpcErrorDetail{Code: code, Message: msg}})
}

// maxHeldText bounds the plain-text refusal kept for rewriting.
const maxHeldText = 512

// rpcErrorWriter passes the SDK's answers through, except a plain-text
// refusal (http.Error), which it holds back and rewrites as a JSON-RPC error
// in finish.
type rpcErrorWriter struct {
	http.ResponseWriter
	msg     message
	session bool // the request named an MCP session
	held    int  // the status of a refusal being held; 0 passes through
	text    []byte
	started bool
}

func (w *rpcErrorWriter) WriteHeader(code int) {
	if w.started || w.held != 0 {
		return
	}
	if code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.held = code
		return
	}
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *rpcErrorWriter) Write(b []byte) (int, error) {
	if w.held != 0 {
		room := maxHeldText - len(w.text)
		w.text = append(w.text, b[:max(0, min(room, len(b)))]...)
		return len(b), nil
	}
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher for the SDK's event streams.
func (w *rpcErrorWriter) Flush() {
	if w.held == 0 {
		w.started = true
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *rpcErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish writes the JSON-RPC form of a held refusal.
func (w *rpcErrorWriter) finish() {
	if w.held == 0 {
		return
	}
	status, code, text := w.held, codeInvalidRequest, plainText(w.text)
	switch {
	case w.session && (status == http.StatusForbidden || status == http.StatusNotFound):
		// The SDK says 403 for a session another tenant opened; answering
		// 404, as for an unknown id, tells the caller nothing about it.
		status, code, text = http.StatusNotFound, codeSessionNotFound,
			"session not found: start a new session with initialize"
	case status == http.StatusBadRequest && strings.HasPrefix(text, "JSON RPC not handled"):
		if w.msg.notification() {
			// Notifications get no answer, whatever their method.
			w.Header().Del("Content-Type")
			w.Header().Del("X-Content-Type-Options")
			w.ResponseWriter.WriteHeader(http.StatusAccepted)
			return
		}
		status, code, text = http.StatusOK, codeMethodNotFound, "method not found"
	case status >= http.StatusInternalServerError:
		code, text = codeInternalError, "internal error"
	}
	writeRPCError(w.ResponseWriter, status, w.msg.id, code, text)
}

// plainText returns the first line of a plain-text refusal, without control
// characters, for a JSON-RPC error message.
func plainText(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, line)
	if line == "" {
		return "request refused"
	}
	return line
}
