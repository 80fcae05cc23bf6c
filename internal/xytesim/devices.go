package xytesim

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"
)

// deviceJSON is a device as the hub renders it (reference §3.1). The
// detail view adds state, custom_parameters (edge devices) and
// configuration (once set); the Partner API adds claimed.
type deviceJSON struct {
	ID                    string         `json:"id"`
	Name                  string         `json:"name"`
	SN                    string         `json:"sn"`
	MAC                   string         `json:"mac"`
	CloudID               *string        `json:"cloud_id"`
	Status                string         `json:"status"`
	EffectiveStatus       string         `json:"effective_status"`
	MergedEffectiveStatus string         `json:"merged_effective_status"`
	LastSeenAt            *string        `json:"last_seen_at"`
	Details               detailsJSON    `json:"details"`
	Model                 modelRefJSON   `json:"model"`
	Firmware              firmwareJSON   `json:"firmware"`
	Space                 spaceRefJSON   `json:"space"`
	State                 map[string]any `json:"state,omitzero"` // detail only, {} when empty
	CustomParameters      map[string]any `json:"custom_parameters,omitempty"`
	Configuration         map[string]any `json:"configuration,omitempty"`
	Claimed               string         `json:"claimed,omitempty"`
}

type detailsJSON struct {
	IP    string `json:"ip"`
	Input string `json:"input,omitempty"`
}

type modelRefJSON struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	SubModel *string `json:"sub_model"`
}

type firmwareJSON struct {
	Version string `json:"version"`
}

type spaceRefJSON struct {
	ID       int64  `json:"id"`
	FullPath string `json:"full_path"`
}

// lastSeen is when the device last reported: live devices keep reporting,
// a little behind the clock.
func (d *device) lastSeenAt(now time.Time) time.Time {
	if d.live && now.Add(-d.lag).After(d.lastSeen) {
		return now.Add(-d.lag)
	}
	return d.lastSeen
}

// severity orders effective statuses for merged_effective_status.
var severity = map[string]int{
	"ok": 0, "warning": 1, "never_seen": 2, "disconnected": 3, "offline": 4, "error": 5,
}

// mergedStatus is the worst effective status of the device and its
// merged shadow devices.
func (d *device) mergedStatus() string {
	worst := d.effective
	for _, m := range d.merged {
		if severity[m.effective] > severity[worst] {
			worst = m.effective
		}
	}
	return worst
}

func (o *org) deviceView(d *device, now time.Time) deviceJSON {
	modelName := d.model.name
	if d.customModel != "" {
		modelName = d.customModel
	}
	var lastSeen *string
	if t := d.lastSeenAt(now); !t.IsZero() {
		s := stampMillis(t)
		lastSeen = &s
	}
	return deviceJSON{
		ID: d.id, Name: d.name, SN: d.sn, MAC: d.mac, CloudID: optString(d.cloudID),
		Status: d.status, EffectiveStatus: d.effective, MergedEffectiveStatus: d.mergedStatus(),
		LastSeenAt: lastSeen,
		Details:    detailsJSON{IP: d.ip, Input: d.input},
		Model:      modelRefJSON{ID: d.model.id, Name: modelName, SubModel: optString(d.subModel)},
		Firmware:   firmwareJSON{Version: d.firmware},
		Space:      spaceRefJSON{ID: d.spaceID, FullPath: o.spacePath(d.spaceID)},
	}
}

func (o *org) deviceDetail(d *device, now time.Time) deviceJSON {
	v := o.deviceView(d, now)
	v.State = d.state
	if v.State == nil {
		v.State = map[string]any{}
	}
	v.CustomParameters = maskedParameters(d.custom)
	v.Configuration = d.config
	return v
}

// maskedParameters hides set passwords as "*****" and unset ones as "",
// as the hub does.
func maskedParameters(params map[string]any) map[string]any {
	if params == nil {
		return nil
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		s, isString := v.(string)
		switch {
		case !containsFold(k, "password"):
			out[k] = v
		case isString && s == "", v == nil:
			out[k] = ""
		default:
			out[k] = "*****"
		}
	}
	return out
}

// device finds the device_id path parameter in the caller's org.
func (c *call) device() (*device, error) {
	if d := c.org.device(c.param("device_id")); d != nil {
		return d, nil
	}
	return nil, notFound("Device")
}

// bodySpace resolves a required space_id from a body: 422 when missing or
// unknown in the caller's org.
func (o *org) bodySpace(id *flexID) (*space, error) {
	if id == nil {
		return nil, invalid("Parameter space_id is required")
	}
	sp := o.space(int64(*id))
	if sp == nil {
		return nil, invalid("Space not found")
	}
	return sp, nil
}

func (s *Server) listDevices(c *call) (any, error) {
	p, err := c.page(maxPerPage)
	if err != nil {
		return nil, err
	}
	in, err := c.querySpace(c.org)
	if err != nil {
		return nil, err
	}
	devices := slices.DeleteFunc(slices.Clone(c.org.devices), func(d *device) bool {
		return in != nil && !c.org.within(d.spaceID, in)
	})
	return listHasNext(devices, p, func(d *device) deviceJSON {
		return c.org.deviceView(d, c.now)
	}), nil
}

func (s *Server) getDevice(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	return c.org.deviceDetail(d, c.now), nil
}

// claimBody is the body of POST /devices/claim.
type claimBody struct {
	Name    string  `json:"name"`
	SpaceID *flexID `json:"space_id"`
	MAC     string  `json:"mac"`
	SN      string  `json:"sn"`
	CloudID string  `json:"cloud_id"`
}

// claimDevice adds a never-seen device. It needs a known space and either
// cloud_id or mac and sn; an identifier claimed in any org is refused.
func (s *Server) claimDevice(c *call) (any, error) {
	var b claimBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	sp, err := c.org.bodySpace(b.SpaceID)
	if err != nil {
		return nil, err
	}
	if b.CloudID == "" && (b.MAC == "" || b.SN == "") {
		return nil, invalid("Either cloud_id, or mac and sn, are required")
	}
	if s.claimed(b.SN, b.CloudID) {
		return nil, invalid("Device is already claimed")
	}
	d := s.newClaimedDevice(c.org, b, sp, c.now)
	c.org.devices = append(c.org.devices, d)
	return c.org.deviceDetail(d, c.now), nil
}

// claimed reports whether any org has a device with this serial or cloud id.
func (s *Server) claimed(sn, cloudID string) bool {
	for _, o := range s.orgs {
		for _, d := range o.devices {
			if (sn != "" && d.sn == sn) || (cloudID != "" && d.cloudID == cloudID) {
				return true
			}
		}
	}
	return false
}

func (s *Server) newClaimedDevice(o *org, b claimBody, sp *space, now time.Time) *device {
	ident := cmp.Or(b.SN, b.CloudID)
	return &device{
		id: o.newID(), name: cmp.Or(strings.TrimSpace(b.Name), "Device "+ident),
		sn: b.SN, mac: strings.ToLower(b.MAC), cloudID: b.CloudID,
		status: "offline", effective: "never_seen", model: s.catalog.modelFor(b.SN, b.CloudID),
		spaceID: sp.id, createdAt: now, state: map[string]any{}, histKey: o.rng.Uint64(),
	}
}

// modelFor guesses a claimed device's model from its serial prefix, or
// picks the first cloud model for a cloud id, else the first model.
func (c *catalog) modelFor(sn, cloudID string) *deviceModel {
	for _, m := range c.models {
		if sn != "" && strings.HasPrefix(sn, m.snPrefix+"-") {
			return m
		}
	}
	for _, m := range c.models {
		if cloudID != "" && m.cloud {
			return m
		}
	}
	return c.models[0]
}

// deviceUpdate is the body of PATCH /devices/{device_id}; nil means absent.
type deviceUpdate struct {
	Configuration         map[string]any `json:"configuration"`
	CustomParameters      map[string]any `json:"custom_parameters"`
	Name                  *string        `json:"name"`
	DeviceHostAddress     *string        `json:"device_host_address"`
	SubModel              *string        `json:"sub_model"`
	SN                    *string        `json:"sn"`
	MAC                   *string        `json:"mac"`
	CustomModelName       *string        `json:"custom_model_name"`
	CustomVendorName      *string        `json:"custom_vendor_name"`
	SkipConnectivityCheck bool           `json:"skip_connectivity_check"`
}

func (s *Server) updateDevice(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	var b deviceUpdate
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := b.validate(d); err != nil {
		return nil, err
	}
	b.apply(d)
	return c.org.deviceDetail(d, c.now), nil
}

// hostPattern is what the hub accepts as a host: letters, digits, dots and
// hyphens.
var hostPattern = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)

func (b deviceUpdate) validate(d *device) error {
	switch {
	case b.Name != nil && strings.TrimSpace(*b.Name) == "":
		return invalid("Name can't be blank")
	case b.CustomParameters != nil && d.custom == nil:
		return invalid("Custom parameters are only supported on edge devices")
	case b.DeviceHostAddress != nil && !hostPattern.MatchString(*b.DeviceHostAddress):
		return invalid("Invalid device_host_address")
	}
	return nil
}

func (b deviceUpdate) apply(d *device) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&d.name, b.Name)
	set(&d.ip, b.DeviceHostAddress)
	set(&d.subModel, b.SubModel)
	set(&d.sn, b.SN)
	set(&d.mac, b.MAC)
	set(&d.customModel, b.CustomModelName)
	set(&d.customVendor, b.CustomVendorName)
	if b.Configuration != nil {
		d.config = b.Configuration
	}
	for k, v := range b.CustomParameters {
		d.custom[k] = v
	}
}

func (s *Server) deleteDevice(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	c.org.removeDevice(d)
	return success, nil
}

// removeDevice deletes a device with its commands and notes; tickets and
// incidents keep their history.
func (o *org) removeDevice(d *device) {
	o.devices = slices.DeleteFunc(o.devices, func(x *device) bool { return x == d })
	o.commands = slices.DeleteFunc(o.commands, func(x *command) bool { return x.deviceID == d.id })
	o.deviceNotes = slices.DeleteFunc(o.deviceNotes, func(n *note) bool {
		return n.deviceID == d.id
	})
}

// Move, merge and split answer with the device: the reference leaves it
// open ([?]) and the device is what a caller wants to see next.

func (s *Server) moveDevice(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	var b struct {
		SpaceID *flexID `json:"space_id"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	sp, err := c.org.bodySpace(b.SpaceID)
	if err != nil {
		return nil, err
	}
	d.spaceID = sp.id
	return c.org.deviceDetail(d, c.now), nil
}

// mergeDevice folds shadow devices into this one; they leave the device
// list until split off again.
func (s *Server) mergeDevice(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	var b struct {
		WithDeviceIDs []string `json:"with_device_ids"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	shadows, err := c.org.shadows(d, b.WithDeviceIDs)
	if err != nil {
		return nil, err
	}
	for _, sh := range shadows {
		c.org.devices = slices.DeleteFunc(c.org.devices, func(x *device) bool { return x == sh })
	}
	d.merged = append(d.merged, shadows...)
	return c.org.deviceDetail(d, c.now), nil
}

func (o *org) shadows(d *device, ids []string) ([]*device, error) {
	if len(ids) == 0 {
		return nil, invalid("Parameter with_device_ids is required")
	}
	var out []*device
	for _, id := range ids {
		sh := o.device(id)
		switch {
		case id == d.id:
			return nil, invalid("A device cannot be merged into itself")
		case sh == nil:
			return nil, invalid("Device %s not found", id)
		case slices.Contains(out, sh):
			continue
		}
		out = append(out, sh)
	}
	return out, nil
}

func (s *Server) splitDevice(c *call) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	var b struct {
		ShadowDeviceID string `json:"shadow_device_id"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.ShadowDeviceID == "" {
		return nil, invalid("Parameter shadow_device_id is required")
	}
	i := slices.IndexFunc(d.merged, func(x *device) bool { return x.id == b.ShadowDeviceID })
	if i < 0 {
		return nil, invalid("Device %s is not merged into this device", b.ShadowDeviceID)
	}
	c.org.devices = append(c.org.devices, d.merged[i])
	d.merged = slices.Delete(d.merged, i, i+1)
	return c.org.deviceDetail(d, c.now), nil
}

func (s *Server) suspendIncidents(c *call) (any, error) {
	return s.setSuspended(c, true)
}

func (s *Server) resumeIncidents(c *call) (any, error) {
	return s.setSuspended(c, false)
}

func (s *Server) setSuspended(c *call, on bool) (any, error) {
	d, err := c.device()
	if err != nil {
		return nil, err
	}
	d.suspended = on
	return success, nil
}
