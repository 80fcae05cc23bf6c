package xyte

import (
	"encoding/json"
	"strings"
	"testing"
)

// deviceJSON is a device as the hub sends it, with fields Device does not
// name (firmware) that must survive a round trip.
const deviceJSON = `{"id":"6aedb6c5-3d8c-480a-bf17-41ab1cbf2f9a","name":"Nairobi Training 1.2 Display",` +
	`"status":"online","effective_status":"ok","last_seen_at":"2026-12-04T18:52:57Z",` +
	`"model":{"id":"m1","name":"Lumen Wall 98","vendor":"Lumen"},"space":{"id":11445,"name":"Training 1.2"},` +
	`"sn":"LW98-73476837","mac":"12:19:d2:38:62:b6",` +
	`"state":{"input":"hdmi1","power":"on","status":"online","temp":34.7},` +
	`"details":{"input":"hdmi1","ip":"10.20.1.10"},"firmware":{"version":"1.9.3"},"tags":["a","b"]}`

// BenchmarkDeviceCodec measures decoding a device with unknown fields kept,
// as the client decodes an answer, and encoding it back.
func BenchmarkDeviceCodec(b *testing.B) {
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d Device
			if err := decodeInto([]byte(deviceJSON), &d); err != nil {
				b.Fatal(err)
			}
		}
	})
	var d Device
	if err := json.Unmarshal([]byte(deviceJSON), &d); err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkKeptDevice measures what a cache hit costs beyond the lookup: a
// device copied out of the value a shared answer kept, and a page of them.
func BenchmarkKeptDevice(b *testing.B) {
	page := `{"items":[` + strings.TrimSuffix(strings.Repeat(deviceJSON+",", 20), ",") + `]}`
	b.Run("device", func(b *testing.B) {
		benchKept[Device](b, deviceJSON)
	})
	b.Run("page20", func(b *testing.B) {
		benchKept[Page[Device]](b, page)
	})
}

func benchKept[T any](b *testing.B, body string) {
	b.Helper()
	r := &Response{Body: json.RawMessage(body), shared: true}
	var first T
	if err := r.decodeInto(&first); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var v T
		if err := r.decodeInto(&v); err != nil {
			b.Fatal(err)
		}
	}
}
