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

// BenchmarkDeviceJSON measures a device view encoded by its own encoder and
// by encoding/json's reflection, as a tool result or REST answer is.
//
//	go test ./internal/fleet -run '^$' -bench DeviceJSON
func BenchmarkDeviceJSON(b *testing.B) {
	d := Device{ID: "6aedb6c5-3d8c-480a-bf17-41ab1cbf2f9a", Name: "Nairobi Training 1.2 Display",
		Status: "online", EffectiveStatus: "ok", LastSeenAt: "2026-12-04T23:00:25Z",
		Model: "Lumen Wall 98", SpaceID: 11445, SpacePath: "Northwind Labs/Nairobi Centre/Floor 1",
		SN: "LW98-73476837", MAC: "12:19:d2:38:62:b6",
		State:   map[string]any{"input": "hdmi1", "power": "on", "status": "online", "temp": 34.7},
		Details: map[string]any{"input": "hdmi1", "ip": "10.20.1.10"},
		Extra:   map[string]any{"firmware": map[string]any{"version": "1.9.3"}},
	}
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.AppendJSON(make([]byte, 0, 1024)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(plainDevice(d)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
