package xyte

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// MaxPerPage is the largest page size the hub accepts on most lists.
const MaxPerPage = 100

// MaxHistoryPerPage is the largest page size of device histories.
const MaxHistoryPerPage = 1000

// MaxHistoryWindow is the longest window of a histories search.
const MaxHistoryWindow = 31 * 24 * time.Hour

// ListDevicesOptions filters and pages GET /devices.
type ListDevicesOptions struct {
	Page    int   // from 1; 0 means the hub's default (1)
	PerPage int   // 1 to 100; 0 means the hub's default (100)
	SpaceID int64 // 0 means every space
}

// ListDevices returns one page of the organization's devices.
func (c *Client) ListDevices(ctx context.Context, opts ListDevicesOptions) (*Page[Device], error) {
	q := url.Values{}
	if err := setPaging(q, "per_page", opts.Page, opts.PerPage, MaxPerPage); err != nil {
		return nil, err
	}
	setInt(q, "space_id", opts.SpaceID)
	var page Page[Device]
	err := c.callInto(ctx, "devices.getDevices", Request{Query: q}, &page)
	return &page, err
}

// GetDevice returns one device with its state.
func (c *Client) GetDevice(ctx context.Context, id string) (*Device, error) {
	var d Device
	err := c.callInto(ctx, "devices.getDevice", Request{Path: map[string]string{"device_id": id}}, &d)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ClaimDeviceRequest is the body of a device claim. SpaceID is required;
// give either CloudID or MAC and SN, as the device's model requires.
type ClaimDeviceRequest struct {
	Name    string `json:"name,omitempty"`
	SpaceID int64  `json:"space_id"`
	MAC     string `json:"mac,omitempty"`
	SN      string `json:"sn,omitempty"`
	CloudID string `json:"cloud_id,omitempty"`
}

// ClaimDevice claims a device into the organization.
func (c *Client) ClaimDevice(ctx context.Context, req ClaimDeviceRequest) (*Device, error) {
	if req.SpaceID <= 0 {
		return nil, argError("space_id", "is required and must be a positive integer")
	}
	var d Device
	if err := c.callInto(ctx, "devices.claimDevice", Request{Body: req}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// UpdateDeviceRequest is the body of a device update; nil fields are left as
// they are.
type UpdateDeviceRequest struct {
	Name                  *string        `json:"name,omitempty"`
	Configuration         map[string]any `json:"configuration,omitempty"`
	CustomParameters      map[string]any `json:"custom_parameters,omitempty"`
	DeviceHostAddress     *string        `json:"device_host_address,omitempty"`
	SubModel              *string        `json:"sub_model,omitempty"`
	SN                    *string        `json:"sn,omitempty"`
	MAC                   *string        `json:"mac,omitempty"`
	CustomModelName       *string        `json:"custom_model_name,omitempty"`
	CustomVendorName      *string        `json:"custom_vendor_name,omitempty"`
	SkipConnectivityCheck *bool          `json:"skip_connectivity_check,omitempty"`
}

func (r UpdateDeviceRequest) empty() bool {
	return r.Name == nil && r.Configuration == nil && r.CustomParameters == nil &&
		r.DeviceHostAddress == nil && r.SubModel == nil && r.SN == nil && r.MAC == nil &&
		r.CustomModelName == nil && r.CustomVendorName == nil
}

// UpdateDevice changes a device's fields and returns the updated device.
func (c *Client) UpdateDevice(ctx context.Context, id string, req UpdateDeviceRequest) (*Device, error) {
	if req.empty() {
		return nil, argError("fields", "give at least one field to change")
	}
	var d Device
	call := Request{Path: map[string]string{"device_id": id}, Body: req}
	if err := c.callInto(ctx, "devices.updateDevice", call, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// DeleteDevice removes a device from the organization.
func (c *Client) DeleteDevice(ctx context.Context, id string) error {
	_, err := c.Call(ctx, "devices.deleteDevice", Request{Path: map[string]string{"device_id": id}})
	return err
}

// MoveDevice moves a device to another space and returns the hub's answer.
func (c *Client) MoveDevice(ctx context.Context, id string, spaceID int64) (json.RawMessage, error) {
	if spaceID <= 0 {
		return nil, argError("space_id", "is required and must be a positive integer")
	}
	resp, err := c.Call(ctx, "devices.moveDevice", Request{
		Path: map[string]string{"device_id": id},
		Body: map[string]int64{"space_id": spaceID},
	})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// ListCommands returns the commands sent to a device.
func (c *Client) ListCommands(ctx context.Context, deviceID string) (*Page[Command], error) {
	var page Page[Command]
	call := Request{Path: map[string]string{"device_id": deviceID}}
	if err := c.callInto(ctx, "commands.getCommands", call, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// SendCommandRequest is the body of a command. Name or FriendlyName is required.
type SendCommandRequest struct {
	Name         string         `json:"name,omitempty"`
	FriendlyName string         `json:"friendly_name,omitempty"`
	FileID       string         `json:"file_id,omitempty"`
	ExtraParams  map[string]any `json:"extra_params,omitempty"`
}

// SendCommand sends a command to a device and returns it as the hub recorded
// it. The command acts on real hardware; it is never sent twice by this client.
func (c *Client) SendCommand(ctx context.Context, deviceID string, req SendCommandRequest) (*Command, error) {
	if req.Name == "" && req.FriendlyName == "" {
		return nil, argError("name", "is required (or friendly_name)")
	}
	var cmd Command
	call := Request{Path: map[string]string{"device_id": deviceID}, Body: req}
	if err := c.callInto(ctx, "commands.sendCommand", call, &cmd); err != nil {
		return nil, err
	}
	return &cmd, nil
}

// CancelCommand cancels a command that has not run yet and returns the hub's
// answer. No body is sent.
func (c *Client) CancelCommand(ctx context.Context, deviceID, commandID string) (json.RawMessage, error) {
	resp, err := c.Call(ctx, "commands.cancelCommand", Request{
		Path: map[string]string{"device_id": deviceID, "command_id": commandID},
	})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// HistoryQuery filters GET /devices/histories. From and To are sent as Unix
// seconds; zero values leave the hub's defaults (the last 7 days).
type HistoryQuery struct {
	From     time.Time
	To       time.Time
	Page     int
	PerPage  int    // 1 to 1000
	Status   string // online, offline, unavailable or error (current status)
	DeviceID string
	SpaceID  int64
	Name     string
}

// SearchHistories returns one page of device state histories. A window longer
// than MaxHistoryWindow, or one that ends before it starts, is refused before
// any request.
func (c *Client) SearchHistories(ctx context.Context, hq HistoryQuery) (*Page[HistoryRecord], error) {
	q, err := hq.values()
	if err != nil {
		return nil, err
	}
	var page Page[HistoryRecord]
	if err := c.callInto(ctx, "devices.getHistories", Request{Query: q}, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

func (hq HistoryQuery) values() (url.Values, error) {
	if hq.From.IsZero() && !hq.To.IsZero() {
		// The hub's default start is a week before now, not before to.
		hq.From = hq.To.Add(-7 * 24 * time.Hour)
	}
	if err := checkWindow(hq.From, hq.To, MaxHistoryWindow); err != nil {
		return nil, err
	}
	q := url.Values{}
	if err := setPaging(q, "per_page", hq.Page, hq.PerPage, MaxHistoryPerPage); err != nil {
		return nil, err
	}
	setTime(q, "from", hq.From)
	setTime(q, "to", hq.To)
	setString(q, "status", hq.Status)
	setString(q, "device_id", hq.DeviceID)
	setInt(q, "space_id", hq.SpaceID)
	setString(q, "name", hq.Name)
	return q, nil
}

// checkWindow refuses a window that ends before it starts or is too long.
// With only one end given, the hub's default for the other applies.
func checkWindow(from, to time.Time, max time.Duration) error {
	end := to
	if end.IsZero() {
		end = time.Now()
	}
	start := from
	if start.IsZero() {
		start = end.Add(-7 * 24 * time.Hour)
	}
	switch {
	case end.Before(start):
		return argError("to", "must not be before from")
	case end.Sub(start) > max:
		return argError("from", "window from..to must be at most "+
			strconv.Itoa(int(max/(24*time.Hour)))+" days")
	}
	return nil
}

// setPaging sets page and the page-size parameter after checking their range.
func setPaging(q url.Values, sizeName string, page, size, maxSize int) error {
	switch {
	case page < 0:
		return argError("page", "must be 1 or more")
	case size < 0 || size > maxSize:
		return argError(sizeName, "must be between 1 and "+strconv.Itoa(maxSize))
	}
	setInt(q, "page", int64(page))
	setInt(q, sizeName, int64(size))
	return nil
}

func setInt(q url.Values, name string, v int64) {
	if v != 0 {
		q.Set(name, strconv.FormatInt(v, 10))
	}
}

func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, strconv.FormatInt(t.Unix(), 10))
	}
}
