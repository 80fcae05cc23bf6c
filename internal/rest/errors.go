package rest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Error codes of this API that are not upstream failure codes.
const (
	CodeMissingKey      = "missing_xyte_key"
	CodeInvalidToken    = "invalid_token"
	CodeReadOnly        = "read_only"
	CodeRequestTooLarge = "request_too_large"
	CodeBadRequest      = "bad_request"
	CodeNotFoundRoute   = "not_found"
	CodeInternal        = "internal_error"
	CodeUnavailable     = "unavailable"
)

// ErrorBody is the JSON body of every error answer of the HTTP server.
type ErrorBody struct {
	// Error is a short, stable code such as not_found or invalid_params.
	Error string `json:"error"`
	// Message says what went wrong, for a person. It never holds a key.
	Message string `json:"message"`
}

// WriteError writes an error answer with the given status, code and message.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Error: code, Message: message})
}

// statusOf is the one table from a failure code to an HTTP status.
var statusOf = map[xyte.Code]int{
	xyte.CodeInvalidParams: http.StatusBadRequest,
	xyte.CodeUnauthorized:  http.StatusUnauthorized,
	xyte.CodeForbidden:     http.StatusForbidden,
	xyte.CodeNotFound:      http.StatusNotFound,
	xyte.CodeRateLimited:   http.StatusTooManyRequests,
	xyte.CodeUpstream:      http.StatusBadGateway,
	xyte.CodeNetwork:       http.StatusBadGateway,
	xyte.CodeTimeout:       http.StatusGatewayTimeout,
}

// codeOf classifies err: the upstream failure codes, not_found for a lookup
// the fleet or tasks service made and found nothing, and internal_error for
// any failure of this server's own (listing the MCP catalog, the task store),
// which xyte.CodeOf would call an upstream error.
func codeOf(err error) xyte.Code {
	var xe *xyte.Error
	switch {
	case errors.Is(err, fleet.ErrNotFound), errors.Is(err, tasks.ErrNotFound):
		return xyte.CodeNotFound
	case errors.Is(err, tasks.ErrNotCancellable):
		return xyte.CodeInvalidParams
	case errors.As(err, &xe), errors.Is(err, xyte.ErrInvalidArgument),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return xyte.CodeOf(err)
	}
	return CodeInternal
}

// StatusOf returns the HTTP status that answers err.
func StatusOf(err error) int {
	if status, ok := statusOf[codeOf(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// writeFailure answers a failed call. write says whether the route changes
// something upstream, so that a write whose answer never came is reported as
// having an unknown outcome rather than as not done.
func (a *API) writeFailure(w http.ResponseWriter, r *http.Request, err error, write bool) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		WriteError(w, http.StatusRequestEntityTooLarge, CodeRequestTooLarge,
			"request body is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes")
		return
	}
	code := codeOf(err)
	status := StatusOf(err)
	var xe *xyte.Error
	isUpstream := errors.As(err, &xe)
	if isUpstream && code == xyte.CodeRateLimited {
		w.Header().Set("Retry-After", retryAfterSeconds(xe))
	}
	msg := err.Error()
	if isUpstream && write && xe.Sent && xe.StatusCode == 0 {
		msg += "; the Xyte API may have received the request, so its outcome is unknown"
	}
	if status == http.StatusInternalServerError {
		a.logger.Error("rest call failed", "route", r.Pattern, "error", err)
		msg = "internal error"
		code = CodeInternal
	}
	WriteError(w, status, string(code), msg)
}

// retryAfterSeconds returns the wait to advertise, in whole seconds, at
// least 1.
func retryAfterSeconds(e *xyte.Error) string {
	secs := int64(math.Ceil(e.RetryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return strconv.FormatInt(secs, 10)
}

// writeJSON writes v as a 200 answer. Answers are per tenant, so no shared
// cache may keep them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		WriteError(w, http.StatusInternalServerError, CodeInternal, "cannot encode the answer")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "private, no-store")
	h.Add("Vary", "Authorization")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
