package fleet

import (
	"strconv"

	"github.com/xyte-mcp/xyte-mcp/internal/jsonscan"
)

// AppendJSON appends d encoded exactly as encoding/json encodes a Device
// without this method: the fields in order, the empty ones left out, map
// keys sorted, strings HTML-safe. A device is what most tool results and
// REST answers hold, and encoding/json reaches each field by reflection.
func (d *Device) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonscan.AppendString(b, d.ID)
	b = append(b, `,"name":`...)
	b = jsonscan.AppendString(b, d.Name)
	b = appendText(b, `,"status":`, d.Status)
	b = appendText(b, `,"effective_status":`, d.EffectiveStatus)
	b = appendText(b, `,"last_seen_at":`, d.LastSeenAt)
	b = appendText(b, `,"model":`, d.Model)
	b = appendText(b, `,"sub_model":`, d.SubModel)
	if d.SpaceID != 0 {
		b = strconv.AppendInt(append(b, `,"space_id":`...), d.SpaceID, 10)
	}
	b = appendText(b, `,"space_path":`, d.SpacePath)
	b = appendText(b, `,"sn":`, d.SN)
	b = appendText(b, `,"mac":`, d.MAC)
	b = appendText(b, `,"cloud_id":`, d.CloudID)
	for _, m := range []struct {
		name string
		m    map[string]any
	}{
		{`,"state":`, d.State}, {`,"details":`, d.Details},
		{`,"custom_parameters":`, d.CustomParameters}, {`,"extra":`, d.Extra},
	} {
		if len(m.m) == 0 {
			continue
		}
		var err error
		if b, err = jsonscan.AppendMap(append(b, m.name...), m.m); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (d Device) MarshalJSON() ([]byte, error) { return d.AppendJSON(make([]byte, 0, 512)) }

// appendText appends an omitempty string field: its name and value, or
// nothing when it is empty.
func appendText(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return jsonscan.AppendString(append(b, name...), value)
}
