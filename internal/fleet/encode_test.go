package fleet

import (
	"encoding/json"
	"testing"
)

// plainDevice is a Device without its encoder: what encoding/json makes of
// the fields alone.
type plainDevice Device

// FuzzDeviceJSON: a device view encodes exactly as encoding/json encodes its
// fields, whatever its text, space id and maps hold.
//
//	go test ./internal/fleet -run '^$' -fuzz FuzzDeviceJSON -fuzztime 30s
func FuzzDeviceJSON(f *testing.F) {
	f.Add("d1", "Boardroom <Display>", "online", "2026-12-04T23:00:25Z", int64(11445), "Org/Room",
		[]byte(`{"input":"hdmi1","temp":34.7,"power":"on"}`), []byte(`{"firmware":{"version":"1.9.3"}}`))
	f.Add("", "", "", "", int64(0), "", []byte(`{}`), []byte(`null`))
	f.Add("caf\xc3\xa9", "\xff", "\u2028", "x", int64(-1), "a\"b", []byte(`{"b":[1e21,null],"a":{}}`),
		[]byte(`{"z":1e-7,"\u00e9":"<"}`))
	f.Fuzz(func(t *testing.T, id, name, status, seen string, space int64, path string,
		state, extra []byte) {
		d := Device{ID: id, Name: name, Status: status, EffectiveStatus: status, LastSeenAt: seen,
			Model: name, SubModel: id, SpaceID: space, SpacePath: path, SN: path, MAC: seen, CloudID: status}
		_ = json.Unmarshal(state, &d.State)
		_ = json.Unmarshal(extra, &d.Extra)
		d.Details, d.CustomParameters = d.Extra, d.State
		want, wantErr := json.Marshal(plainDevice(d))
		got, err := d.AppendJSON(nil)
		if wantErr != nil || err != nil || string(got) != string(want) {
			t.Fatalf("AppendJSON = %s, %v;\nencoding/json gives %s, %v", got, err, want, wantErr)
		}
		viaMarshal, err := json.Marshal(&d)
		if err != nil || string(viaMarshal) != string(want) {
			t.Fatalf("json.Marshal(*Device) = %s, %v; want %s", viaMarshal, err, want)
		}
	})
}
