package xyte

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPageEnvelopes(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	tests := []struct {
		name  string
		body  string
		items int
		more  bool
		total *int
		hasNP *bool
	}{
		{"bare array", `[{"id":"a"},{"id":"b"}]`, 2, false, nil, nil},
		{"items has_next_page", `{"items":[{"id":"a"}],"has_next_page":true}`, 1, true, nil, &yes},
		{"items next_page null", `{"items":[{"id":"a"}],"next_page":null}`, 1, false, nil, nil},
		{"items next_page 2", `{"items":[{"id":"a"}],"next_page":2}`, 1, true, nil, nil},
		{"data page_info", `{"data":[{"id":"a"}],"page_info":{"has_next":false,"total_count":7}}`,
			1, false, intPtr(7), &no},
		{"tickets wrapper", `{"tickets":[{"id":"a"},{"id":"b"},{"id":"c"}]}`, 3, false, nil, nil},
		{"empty object", `{}`, 0, false, nil, nil},
		{"null", `null`, 0, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p Page[Device]
			if err := json.Unmarshal([]byte(tt.body), &p); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(p.Items) != tt.items || p.More() != tt.more {
				t.Fatalf("got %d items, more=%v; want %d, %v", len(p.Items), p.More(), tt.items, tt.more)
			}
			if (tt.total == nil) != (p.TotalCount == nil) ||
				(tt.total != nil && *tt.total != *p.TotalCount) {
				t.Fatalf("total = %v, want %v", p.TotalCount, tt.total)
			}
			if (tt.hasNP == nil) != (p.HasNextPage == nil) {
				t.Fatalf("has_next_page = %v, want %v", p.HasNextPage, tt.hasNP)
			}
		})
	}
}

func intPtr(i int) *int { return &i }

func TestPageRefusesMalformedEnvelopes(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"items":[],"has_next_page":"yes"}`, `{"items":{"id":"a"}}`,
		`{"page_info":{"total_count":"many"}}`, `[{"id":5}]`} {
		var p Page[Device]
		if err := json.Unmarshal([]byte(body), &p); err == nil {
			t.Errorf("%s: want an error, got %+v", body, p)
		}
	}
}

func TestPageEncodesNormalized(t *testing.T) {
	t.Parallel()
	var p Page[Ticket]
	if err := json.Unmarshal([]byte(`[]`), &p); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(p)
	if string(out) != `{"items":[],"has_next_page":false}` {
		t.Fatalf("got %s", out)
	}
	next, total := 3, 40
	out, _ = json.Marshal(Page[Ticket]{NextPage: &next, TotalCount: &total})
	if string(out) != `{"items":[],"has_next_page":true,"total_count":40}` {
		t.Fatalf("a page with no items and a next page encodes as %s", out)
	}
}

func TestTimeFormats(t *testing.T) {
	t.Parallel()
	want := time.Date(2024, 7, 29, 10, 18, 39, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"2024-07-29T10:18:39Z"`, want},
		{`"2024-07-29T10:18:39.267Z"`, want.Add(267 * time.Millisecond)},
		{`"2024-07-29T12:18:39+02:00"`, want},
		{`"2024-07-29T10:18:39"`, want},
		{`"2024-07-29 10:18:39"`, want},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
	}
	for _, tt := range tests {
		var got Time
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if !got.Equal(tt.want) {
			t.Fatalf("%s: got %v, want %v", tt.in, got, tt.want)
		}
	}
	var bad Time
	if err := json.Unmarshal([]byte(`"yesterday"`), &bad); err == nil {
		t.Fatal("want an error for a non-timestamp")
	}
	if err := json.Unmarshal([]byte(`1722248319`), &bad); err == nil {
		t.Fatal("want an error for a number")
	}
	out, _ := json.Marshal(struct{ T Time }{})
	if string(out) != `{"T":null}` {
		t.Fatalf("zero time encodes as %s", out)
	}
	out, _ = json.Marshal(Time{want.Add(267 * time.Millisecond).In(time.FixedZone("CEST", 7200))})
	if string(out) != `"2024-07-29T10:18:39.267Z"` {
		t.Fatalf("time encodes as %s, want RFC 3339 in UTC", out)
	}
}

func TestFlexIntAcceptsStringsAndNumbers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]FlexInt{`13244`: 13244, `"13244"`: 13244, `null`: 0, `""`: 0} {
		var got FlexInt
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != want {
			t.Fatalf("%s: got %d, %v", in, got, err)
		}
	}
	for _, in := range []string{`"abc"`, `1.5`, `true`} {
		var got FlexInt
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Fatalf("%s: want an error", in)
		}
	}
	var s FlexString
	if err := json.Unmarshal([]byte(`9007199254740993`), &s); err != nil || s != "9007199254740993" {
		t.Fatalf("numeric id: %q %v", s, err)
	}
	if err := json.Unmarshal([]byte(`null`), &s); err != nil || s != "" {
		t.Fatalf("null id: %q %v", s, err)
	}
	for _, in := range []string{`true`, `{"id":1}`, `[1]`} {
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Fatalf("%s as a string id: want an error", in)
		}
	}
}

// TestUnknownFieldsSurviveReencoding checks every upstream type: a field the
// Go type does not name comes back out when the value is encoded again.
func TestUnknownFieldsSurviveReencoding(t *testing.T) {
	t.Parallel()
	const in = `{"id":"1","name":"n","hub_only":{"rev":7}}` // "1" fits string and integer ids
	values := map[string]any{
		"device": &Device{}, "model": &DeviceModel{}, "space in device": &DeviceSpace{},
		"command": &Command{}, "history": &HistoryRecord{}, "space": &Space{}, "incident": &Incident{},
		"ticket": &Ticket{}, "comment": &Comment{}, "organization": &OrgInfo{},
	}
	for name, v := range values {
		if err := json.Unmarshal([]byte(in), v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(string(out), `"hub_only":{"rev":7}`) {
			t.Errorf("%s: re-encoded without the hub's extra field: %s", name, out)
		}
	}
}

func TestUnknownFieldsKept(t *testing.T) {
	t.Parallel()
	in := `{"id":"d1","name":"Boardroom Display","firmware":{"version":"2.4.1"},` +
		`"space":{"id":"18234","full_path":"Org/Berlin","floor_hint":3},"last_seen_at":null}`
	var d Device
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	if d.Space == nil || d.Space.ID != 18234 {
		t.Fatalf("space id from a numeric string: %+v", d.Space)
	}
	if string(d.Extra["firmware"]) != `{"version":"2.4.1"}` {
		t.Fatalf("firmware not kept: %v", d.Extra)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"firmware":{"version":"2.4.1"}`, `"floor_hint":3`, `"id":18234`} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("re-encoded device lacks %s: %s", want, out)
		}
	}
}

func TestIncidentKey(t *testing.T) {
	t.Parallel()
	var i Incident
	_ = json.Unmarshal([]byte(`{"id": 42}`), &i)
	if i.Key() != "42" {
		t.Fatalf("key = %q", i.Key())
	}
	_ = json.Unmarshal([]byte(`{"id": "x", "uuid": "u"}`), &i)
	if i.Key() != "u" {
		t.Fatalf("key = %q", i.Key())
	}
}

// TestReencodingWithExtras: a value without extras encodes as its own
// fields; a typed field wins over an extra of the same name; extras come
// after the typed fields in name order; an extra that is not JSON is an
// encoding error, not a broken document.
func TestReencodingWithExtras(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		v       Device
		want    string
		wantErr bool
	}{
		{"no extras", Device{ID: "d1"}, `{"id":"d1","name":"","last_seen_at":null}`, false},
		{"typed field wins", Device{ID: "d1", Name: "Typed", Extra: Extra{"name": json.RawMessage(`"extra"`)}},
			`{"id":"d1","name":"Typed","last_seen_at":null}`, false},
		{"extras sorted and compacted", Device{ID: "d1",
			Extra: Extra{"zone": json.RawMessage(`{ "a" : 1 }`), "alpha": json.RawMessage(`true`)}},
			`{"id":"d1","name":"","last_seen_at":null,"alpha":true,"zone":{"a":1}}`, false},
		{"not JSON", Device{ID: "d1", Extra: Extra{"broken": json.RawMessage(`{`)}}, "", true},
	}
	for _, tt := range tests {
		out, err := json.Marshal(tt.v)
		if (err != nil) != tt.wantErr || string(out) != tt.want {
			t.Errorf("%s: %s, %v; want %s (error %v)", tt.name, out, err, tt.want, tt.wantErr)
		}
	}
}
