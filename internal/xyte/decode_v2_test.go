package xyte

import (
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// The field sets of the types decodeKeeping decodes, without their methods.
type (
	deviceFields      Device
	deviceModelFields DeviceModel
	deviceSpaceFields DeviceSpace
	commandFields     Command
	historyFields     HistoryRecord
	spaceFields       Space
	incidentFields    Incident
	ticketFields      Ticket
	commentFields     Comment
	orgInfoFields     OrgInfo
)

// sameAsV1 requires that data, where decodeFast or encoding/json/v2 (with
// decodeOptions) decodes it into T, decodes into the same value with
// encoding/json alone (decodeKeepingV1), and that decodeFast leaves the same
// members over. (Where they refuse, decodeKeeping lets encoding/json
// decide; after v2, the members over are found as after encoding/json.)
func sameAsV1[T any](t *testing.T, data []byte) {
	t.Helper()
	var fast, v1 T
	var fastExtra, extra Extra
	v1Err := decodeKeepingV1(data, &v1, &extra)
	if decodeFast(data, &fast, &fastExtra) {
		if v1Err != nil {
			t.Fatalf("%T: decodeFast decodes %q, encoding/json refuses it: %v", v1, data, v1Err)
		}
		if !reflect.DeepEqual(fast, v1) || !reflect.DeepEqual(fastExtra, extra) {
			t.Fatalf("%T from %q:\n fast %+v %q\n v1   %+v %q", v1, data, fast, fastExtra, v1, extra)
		}
	}
	var v2 T
	if jsonv2.Unmarshal(data, &v2, decodeOptions) != nil {
		return
	}
	if v1Err != nil {
		t.Fatalf("%T: v2 decodes %q, encoding/json refuses it: %v", v1, data, v1Err)
	}
	if !reflect.DeepEqual(v2, v1) {
		t.Fatalf("%T from %q:\n v2 %+v\n v1 %+v", v1, data, v2, v1)
	}
}

// FuzzDecodeKeepingAsV1: every type decodeKeeping decodes gets from
// encoding/json/v2 what encoding/json would give it.
//
//	go test ./internal/xyte -run '^$' -fuzz FuzzDecodeKeepingAsV1 -fuzztime 1m
func FuzzDecodeKeepingAsV1(f *testing.F) {
	for _, seed := range []string{
		deviceJSON,
		`{"id":"d1","ID":"d2","Name":"n","name":"m","NAME":null}`,
		`{"id":"d1","id":"d2","state":{"a":1},"state":{"b":2}}`,
		`{"id":"d1","state":{"a":1e400}}`,
		`{"id":"d1","model":{"id":"m","sub_model":null},"space":{"id":"12","full_path":"a/b"}}`,
		`{"id":"d1","last_seen_at":"2024-05-01 10:00:00","details":null,"custom_parameters":[]}`,
		"{\"id\":\"caf\xc3\xa9 \xff\",\"na\\u006de\":\"\\ud800\"}",
		`{"id":5}`, `{"id":"d1","space":{"id":1.5}}`, `null`, `{}`, `[]`,
		`{"id":"t1","status":"open","created_at":"2024-05-01T10:00:00Z","assigned_to":{"x":[1,{"y":null}]}}`,
		`{"Id":"c1","dEvIcE_iD":"d1","parameters":{"k":true},"created_at":null}`,
		`{"id":"i1","device_ids":["a","b"],"device_ids":null}`,
		`{"id":"s1","parent_id":"7","sub_space_ids":[1,2],"full_path":"x"}`,
		`{"id":1,"name":"Org","partner":{"id":1}}`,
		`{"id":"d1","ID":"x","Extra":2,"extra":null,"zz":{"a":1},"zz":[2],"\u017fn":"long s"}`,
		`{"model":{"id":"m","vendor":"v","VENDOR":1,"Sub_Model":"s"},"space":{"id":1,"floor":2}}`,
		`{"id":"d1","x":1,"x":{"y":2},"state":{"a":1,"a":{"b":[2,"c"]}},"K":"kelvin \u212a"}`,
		`{"\u212aey":1,"name":"n","\u017fn":"s"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsV1[deviceFields](t, data)
		sameAsV1[deviceModelFields](t, data)
		sameAsV1[deviceSpaceFields](t, data)
		sameAsV1[commandFields](t, data)
		sameAsV1[historyFields](t, data)
		sameAsV1[spaceFields](t, data)
		sameAsV1[incidentFields](t, data)
		sameAsV1[ticketFields](t, data)
		sameAsV1[commentFields](t, data)
		sameAsV1[orgInfoFields](t, data)
	})
}

// TestDecodeFastTakesTheUsual: the usual device goes the fast way; a name
// that differs from a field's only in case, a value of another kind, a
// number out of range and a repeated name are left to decodeKeeping's other
// ways, which decide.
func TestDecodeFastTakesTheUsual(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		data string
		fast bool
	}{
		{deviceJSON, true},
		{`null`, true},
		{`{"id":"d1","model":null,"space":{"id":"12"},"hub_only":[1,{"a":null}]}`, true},
		{`{"id":"d1","ID":"d2"}`, false},
		{`{"id":1}`, false},
		{`{"id":"d1","state":{"t":1e400}}`, false},
		{`{"id":"d1","id":"d2"}`, false},
		{`{"id":"d1","last_seen_at":5}`, false},
		{`[]`, false},
	} {
		var d deviceFields
		var extra Extra
		if got := decodeFast([]byte(tt.data), &d, &extra); got != tt.fast {
			t.Errorf("%s: fast = %v, want %v", tt.data, got, tt.fast)
		}
	}
}
