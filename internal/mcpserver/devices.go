package mcpserver

import (
	"context"
	"fmt"

	"github.com/xyte-mcp/xyte-mcp/internal/fleet"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

type listDevicesIn struct {
	SpaceID      int64  `json:"space_id,omitempty" jsonschema:"only devices in this space or below it"`
	Status       string `json:"status,omitempty" jsonschema:"status or effective status, such as offline"`
	NameContains string `json:"name_contains,omitempty" jsonschema:"only names containing this text, in any case"`
	Page         int    `json:"page,omitempty" jsonschema:"page number, from 1 (default 1)"`
	PerPage      int    `json:"per_page,omitempty" jsonschema:"devices per page, 1 to 100 (default 25)"`
}

type deviceIn struct {
	DeviceID string `json:"device_id,omitempty" jsonschema:"device id; may be omitted after set_context"`
}

type deviceIDIn struct {
	DeviceID string `json:"device_id" jsonschema:"device id (UUID)"`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"only return the request that would be sent"`
}

type claimDeviceIn struct {
	SpaceID int64  `json:"space_id" jsonschema:"space to put the device in"`
	Name    string `json:"name,omitempty" jsonschema:"display name for the device"`
	MAC     string `json:"mac,omitempty" jsonschema:"MAC address, with sn, for models claimed by MAC and serial"`
	SN      string `json:"sn,omitempty" jsonschema:"serial number"`
	CloudID string `json:"cloud_id,omitempty" jsonschema:"cloud id, for models claimed by cloud id"`
	DryRun  bool   `json:"dry_run,omitempty" jsonschema:"only return the request that would be sent"`
}

type updateDeviceIn struct {
	DeviceID              string         `json:"device_id" jsonschema:"device id (UUID)"`
	Name                  string         `json:"name,omitempty" jsonschema:"new display name"`
	Configuration         map[string]any `json:"configuration,omitempty" jsonschema:"device configuration to set"`
	CustomParameters      map[string]any `json:"custom_parameters,omitempty" jsonschema:"label to value (edge devices)"`
	DeviceHostAddress     string         `json:"device_host_address,omitempty" jsonschema:"host address"`
	SubModel              string         `json:"sub_model,omitempty"`
	SN                    string         `json:"sn,omitempty" jsonschema:"serial number"`
	MAC                   string         `json:"mac,omitempty" jsonschema:"MAC address"`
	CustomModelName       string         `json:"custom_model_name,omitempty"`
	CustomVendorName      string         `json:"custom_vendor_name,omitempty"`
	SkipConnectivityCheck bool           `json:"skip_connectivity_check,omitempty"`
	DryRun                bool           `json:"dry_run,omitempty" jsonschema:"only return the request"`
}

type moveDeviceIn struct {
	DeviceID string `json:"device_id" jsonschema:"device id (UUID)"`
	SpaceID  int64  `json:"space_id" jsonschema:"destination space"`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"only return the request that would be sent"`
}

type deviceOut struct {
	Device *fleet.Device `json:"device,omitempty" jsonschema:"the device as the hub returned it"`
	Plan   *fleet.Plan   `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

type doneOut struct {
	Done     bool        `json:"done" jsonschema:"the hub accepted the change; false on a dry run"`
	DeviceID string      `json:"device_id,omitempty"`
	SpaceID  int64       `json:"space_id,omitempty"`
	TicketID string      `json:"ticket_id,omitempty"`
	Plan     *fleet.Plan `json:"plan,omitempty" jsonschema:"dry run only: the request that would be sent"`
}

func (s *Server) addDeviceTools() {
	addTool(s, toolSpec{name: "list_devices", title: "List devices", effect: read,
		description: "List the organization's devices, one page at a time, with status, " +
			"effective status, last-seen time, model and space path. Filter by space (the " +
			"space and everything below it), by status and by a name fragment.",
	}, s.listDevices)
	addTool(s, toolSpec{name: "get_device", title: "Get device", effect: read,
		description: "Get one device with everything the hub reports about it: status, " +
			"state, details, model, space and identifiers.",
	}, s.getDevice)
	addTool(s, toolSpec{name: "get_device_status", title: "Get device status", effect: read,
		description: "Get a compact health summary of one device: online or not, effective " +
			"status, when it was last seen and its open incidents.",
	}, s.getDeviceStatus)
	addTool(s, toolSpec{name: "claim_device", title: "Claim device", effect: destructive,
		description: "Claim a new device into the organization and place it in a space. " +
			"Give cloud_id, or mac and sn, as the device's model requires.",
	}, s.claimDevice)
	addTool(s, toolSpec{name: "update_device", title: "Update device", effect: write,
		idempotent: true,
		description: "Change a device's name, configuration, custom parameters or " +
			"identifiers. Only the fields given are changed.",
	}, s.updateDevice)
	addTool(s, toolSpec{name: "move_device", title: "Move device", effect: write,
		idempotent:  true,
		description: "Move a device to another space.",
	}, s.moveDevice)
	addTool(s, toolSpec{name: "delete_device", title: "Delete device", effect: destructive,
		idempotent: true,
		description: "Delete a device from the organization. This cannot be undone; " +
			"try dry_run first.",
	}, s.deleteDevice)
}

func (s *Server) listDevices(ctx context.Context, c *call, in listDevicesIn) (*fleet.DeviceList, error) {
	return fleet.ListDevices(ctx, c.client, fleet.DeviceFilter{
		SpaceID: s.spaceID(c, in.SpaceID), Status: in.Status, NameContains: in.NameContains,
		Page: in.Page, PerPage: in.PerPage,
	})
}

func (s *Server) getDevice(ctx context.Context, c *call, in deviceIn) (*fleet.Device, error) {
	id, err := s.deviceID(c, in.DeviceID)
	if err != nil {
		return nil, err
	}
	return fleet.GetDevice(ctx, c.client, id)
}

func (s *Server) getDeviceStatus(ctx context.Context, c *call, in deviceIn) (*fleet.Status, error) {
	id, err := s.deviceID(c, in.DeviceID)
	if err != nil {
		return nil, err
	}
	return fleet.DeviceStatus(ctx, c.client, id)
}

func (s *Server) claimDevice(ctx context.Context, c *call, in claimDeviceIn) (*deviceOut, error) {
	if in.SpaceID <= 0 {
		return nil, invalid("space_id", "is required and must be a positive integer")
	}
	body := xyte.ClaimDeviceRequest{Name: in.Name, SpaceID: in.SpaceID, MAC: in.MAC, SN: in.SN,
		CloudID: in.CloudID}
	out := &deviceOut{}
	var err error
	out.Plan, err = dryRunOr(in.DryRun, "devices.claimDevice", xyte.Request{Body: body}, func() error {
		d, err := c.client.ClaimDevice(ctx, body)
		if err != nil {
			return fmt.Errorf("claim device into space %d: %w", in.SpaceID, err)
		}
		v := fleet.DeviceDetail(d)
		out.Device = &v
		return nil
	})
	return out, err
}

func (s *Server) updateDevice(ctx context.Context, c *call, in updateDeviceIn) (*deviceOut, error) {
	body := in.request()
	if in.empty() {
		return nil, invalid("fields", "give at least one field to change")
	}
	req := xyte.Request{Path: map[string]string{"device_id": in.DeviceID}, Body: body}
	out := &deviceOut{}
	var err error
	out.Plan, err = dryRunOr(in.DryRun, "devices.updateDevice", req, func() error {
		d, err := c.client.UpdateDevice(ctx, in.DeviceID, body)
		if err != nil {
			return fmt.Errorf("update device %q: %w", in.DeviceID, err)
		}
		v := fleet.DeviceDetail(d)
		out.Device = &v
		return nil
	})
	return out, err
}

func (in updateDeviceIn) empty() bool {
	return in.Name == "" && in.Configuration == nil && in.CustomParameters == nil &&
		in.DeviceHostAddress == "" && in.SubModel == "" && in.SN == "" && in.MAC == "" &&
		in.CustomModelName == "" && in.CustomVendorName == "" && !in.SkipConnectivityCheck
}

// request turns the given fields into an update; empty fields stay unset.
func (in updateDeviceIn) request() xyte.UpdateDeviceRequest {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	r := xyte.UpdateDeviceRequest{
		Name: opt(in.Name), Configuration: in.Configuration, CustomParameters: in.CustomParameters,
		DeviceHostAddress: opt(in.DeviceHostAddress), SubModel: opt(in.SubModel), SN: opt(in.SN),
		MAC: opt(in.MAC), CustomModelName: opt(in.CustomModelName),
		CustomVendorName: opt(in.CustomVendorName),
	}
	if in.SkipConnectivityCheck {
		r.SkipConnectivityCheck = ptr(true)
	}
	return r
}

func (s *Server) moveDevice(ctx context.Context, c *call, in moveDeviceIn) (*doneOut, error) {
	if in.SpaceID <= 0 {
		return nil, invalid("space_id", "is required and must be a positive integer")
	}
	req := xyte.Request{Path: map[string]string{"device_id": in.DeviceID},
		Body: map[string]int64{"space_id": in.SpaceID}}
	out := &doneOut{DeviceID: in.DeviceID, SpaceID: in.SpaceID}
	var err error
	out.Plan, err = dryRunOr(in.DryRun, "devices.moveDevice", req, func() error {
		if _, err := c.client.MoveDevice(ctx, in.DeviceID, in.SpaceID); err != nil {
			return fmt.Errorf("move device %q to space %d: %w", in.DeviceID, in.SpaceID, err)
		}
		out.Done = true
		return nil
	})
	return out, err
}

func (s *Server) deleteDevice(ctx context.Context, c *call, in deviceIDIn) (*doneOut, error) {
	req := xyte.Request{Path: map[string]string{"device_id": in.DeviceID}}
	out := &doneOut{DeviceID: in.DeviceID}
	var err error
	out.Plan, err = dryRunOr(in.DryRun, "devices.deleteDevice", req, func() error {
		if err := c.client.DeleteDevice(ctx, in.DeviceID); err != nil {
			return fmt.Errorf("delete device %q: %w", in.DeviceID, err)
		}
		out.Done = true
		return nil
	})
	return out, err
}
