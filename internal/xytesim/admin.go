package xytesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// AdminHandler returns the simulator's control API, a JSON API meant for a
// loopback-only listener (ListenAndServe refuses any other address):
//
//	GET    /faults     list the faults, with how often each fired
//	PUT    /faults     replace the faults with a JSON array of faults
//	POST   /faults     append one fault (a JSON object)
//	DELETE /faults     remove every fault
//	GET    /requests   the request log, oldest first; filters: method,
//	                   route, endpoint; limit=N keeps the last N
//	DELETE /requests   empty the request log
//	GET    /orgs       the organizations: name, key hash, read-only flag
//
// A fault is {"route", "latency" (a Go duration such as "250ms"), "rate",
// "status", "retry_after", "drop", "drop_after_body", "hang", "count"},
// with the meanings of Fault's fields. Errors are {"error": "..."}.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", s.adminListFaults)
	mux.HandleFunc("PUT /faults", s.adminSetFaults)
	mux.HandleFunc("POST /faults", s.adminAddFault)
	mux.HandleFunc("DELETE /faults", s.adminClearFaults)
	mux.HandleFunc("GET /requests", s.adminListRequests)
	mux.HandleFunc("DELETE /requests", s.adminClearRequests)
	mux.HandleFunc("GET /orgs", s.adminListOrgs)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not found")
	})
	return mux
}

// faultWire is a Fault in the admin API.
type faultWire struct {
	Route         string  `json:"route"`
	Latency       string  `json:"latency,omitempty"`
	Rate          float64 `json:"rate,omitempty"`
	Status        int     `json:"status,omitempty"`
	RetryAfter    string  `json:"retry_after,omitempty"`
	Drop          bool    `json:"drop,omitempty"`
	DropAfterBody bool    `json:"drop_after_body,omitempty"`
	Hang          bool    `json:"hang,omitempty"`
	Count         int     `json:"count,omitempty"`
	Fired         *int    `json:"fired,omitempty"` // answers only; ignored in requests
}

func (fw faultWire) fault() (Fault, error) {
	f := Fault{
		Route: fw.Route, Rate: fw.Rate, Status: fw.Status, RetryAfter: fw.RetryAfter,
		Drop: fw.Drop, DropAfterBody: fw.DropAfterBody, Hang: fw.Hang, Count: fw.Count,
	}
	if fw.Latency != "" {
		d, err := time.ParseDuration(fw.Latency)
		if err != nil {
			return f, fmt.Errorf("parse latency: %w", err)
		}
		f.Latency = d
	}
	return f, f.Validate()
}

func wireFault(st faultState) faultWire {
	fired := st.fired
	fw := faultWire{
		Route: st.Route, Rate: st.Rate, Status: st.Status, RetryAfter: st.RetryAfter,
		Drop: st.Drop, DropAfterBody: st.DropAfterBody, Hang: st.Hang, Count: st.Count,
		Fired: &fired,
	}
	if st.Latency > 0 {
		fw.Latency = st.Latency.String()
	}
	return fw
}

func (s *Server) adminListFaults(w http.ResponseWriter, r *http.Request) {
	adminJSON(w, http.StatusOK, mapSlice(s.faults.list(), wireFault))
}

func (s *Server) adminSetFaults(w http.ResponseWriter, r *http.Request) {
	var wires []faultWire
	if err := decodeStrict(r.Body, &wires); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	faults := make([]Fault, 0, len(wires))
	for i, fw := range wires {
		f, err := fw.fault()
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("fault %d: %v", i, err))
			return
		}
		faults = append(faults, f)
	}
	s.faults.set(faults)
	s.adminListFaults(w, r)
}

func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var fw faultWire
	if err := decodeStrict(r.Body, &fw); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f, err := fw.fault()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.faults.add(f)
	s.adminListFaults(w, r)
}

func (s *Server) adminClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults()
	adminJSON(w, http.StatusOK, []faultWire{})
}

// requestView is a logged request with its body as text.
type requestView struct {
	Request
	Body string `json:"body"`
}

func (s *Server) adminListRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "limit must be a non-negative integer")
			return
		}
		limit = n
	}
	var out []requestView
	for _, req := range s.Requests() {
		if keep(q.Get("method"), req.Method) && keep(q.Get("route"), req.Route) &&
			keep(q.Get("endpoint"), req.Endpoint) {
			out = append(out, requestView{Request: req, Body: string(req.Body)})
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	adminJSON(w, http.StatusOK, struct {
		Items []requestView `json:"items"`
	}{Items: append([]requestView{}, out...)})
}

func keep(want, got string) bool { return want == "" || want == got }

func (s *Server) adminClearRequests(w http.ResponseWriter, r *http.Request) {
	s.ClearRequests()
	w.WriteHeader(http.StatusNoContent)
}

// orgJSON describes an organization to the admin API; never its key.
type orgJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	KeyHash  string `json:"key_hash,omitempty"`
	ReadOnly bool   `json:"read_only"`
	Devices  int    `json:"devices"`
}

func (s *Server) adminListOrgs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := mapSlice(s.orgs, func(o *org) orgJSON {
		v := orgJSON{ID: o.id, Name: o.name, ReadOnly: o.readOnly, Devices: len(o.devices)}
		if o.key != "" {
			v.KeyHash = KeyHash(o.key)
		}
		return v
	})
	s.mu.Unlock()
	adminJSON(w, http.StatusOK, out)
}

// decodeStrict decodes one JSON value and refuses unknown fields, so a
// misspelt fault field is an error rather than a silent no-op.
func decodeStrict(r io.Reader, dst any) error {
	dec := json.NewDecoder(io.LimitReader(r, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	if dec.More() {
		return errors.New("decode body: more than one JSON value")
	}
	return nil
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode answer")
		return
	}
	writeJSON(w, status, data)
}
