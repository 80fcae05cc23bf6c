package xyte

// Device is a device of the organization, as GET /devices and
// GET /devices/{id} return it.
type Device struct {
	ID                    string         `json:"id"`
	Name                  string         `json:"name"`
	SN                    string         `json:"sn,omitempty"`
	MAC                   string         `json:"mac,omitempty"`
	CloudID               string         `json:"cloud_id,omitempty"`
	Status                string         `json:"status,omitempty"`
	EffectiveStatus       string         `json:"effective_status,omitempty"`
	MergedEffectiveStatus string         `json:"merged_effective_status,omitempty"`
	LastSeenAt            Time           `json:"last_seen_at"`
	Details               map[string]any `json:"details,omitempty"`
	Model                 *DeviceModel   `json:"model,omitempty"`
	Space                 *DeviceSpace   `json:"space,omitempty"`
	State                 map[string]any `json:"state,omitempty"`
	CustomParameters      map[string]any `json:"custom_parameters,omitempty"`
	Extra                 Extra          `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (d *Device) UnmarshalJSON(data []byte) error {
	type fields Device
	return decodeKeeping(data, (*fields)(d), &d.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (d Device) MarshalJSON() ([]byte, error) {
	type fields Device
	return encodeKeeping(fields(d), d.Extra)
}

// DeviceModel is the model embedded in a device.
type DeviceModel struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	SubModel string `json:"sub_model,omitempty"`
	Extra    Extra  `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (m *DeviceModel) UnmarshalJSON(data []byte) error {
	type fields DeviceModel
	return decodeKeeping(data, (*fields)(m), &m.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (m DeviceModel) MarshalJSON() ([]byte, error) {
	type fields DeviceModel
	return encodeKeeping(fields(m), m.Extra)
}

// DeviceSpace is the space embedded in a device.
type DeviceSpace struct {
	ID       FlexInt `json:"id"`
	Name     string  `json:"name,omitempty"`
	FullPath string  `json:"full_path,omitempty"`
	Extra    Extra   `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (s *DeviceSpace) UnmarshalJSON(data []byte) error {
	type fields DeviceSpace
	return decodeKeeping(data, (*fields)(s), &s.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (s DeviceSpace) MarshalJSON() ([]byte, error) {
	type fields DeviceSpace
	return encodeKeeping(fields(s), s.Extra)
}

// Command is a command sent to a device. Its status goes pending, in_progress,
// then done or failed; a cancelled command is cancelled.
type Command struct {
	ID           string         `json:"id"`
	DeviceID     string         `json:"device_id,omitempty"`
	Name         string         `json:"name,omitempty"`
	FriendlyName string         `json:"friendly_name,omitempty"`
	Status       string         `json:"status,omitempty"`
	Parameters   map[string]any `json:"parameters,omitempty"`
	FileID       string         `json:"file_id,omitempty"`
	Message      string         `json:"message,omitempty"`
	CreatedAt    Time           `json:"created_at"`
	UpdatedAt    Time           `json:"updated_at"`
	Extra        Extra          `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (c *Command) UnmarshalJSON(data []byte) error {
	type fields Command
	return decodeKeeping(data, (*fields)(c), &c.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (c Command) MarshalJSON() ([]byte, error) {
	type fields Command
	return encodeKeeping(fields(c), c.Extra)
}

// HistoryRecord is one entry of a device's state history.
type HistoryRecord struct {
	UUID      string         `json:"uuid,omitempty"`
	DeviceID  string         `json:"device_id,omitempty"`
	Name      string         `json:"name,omitempty"`
	Model     string         `json:"model,omitempty"`
	Partner   string         `json:"partner,omitempty"`
	SpaceID   FlexInt        `json:"space_id,omitempty"`
	Status    string         `json:"status,omitempty"`
	State     map[string]any `json:"state,omitempty"`
	CreatedAt Time           `json:"created_at"`
	Extra     Extra          `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (h *HistoryRecord) UnmarshalJSON(data []byte) error {
	type fields HistoryRecord
	return decodeKeeping(data, (*fields)(h), &h.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (h HistoryRecord) MarshalJSON() ([]byte, error) {
	type fields HistoryRecord
	return encodeKeeping(fields(h), h.Extra)
}

// Space is a node of the organization's space tree (site, floor, room, ...).
type Space struct {
	ID        FlexInt        `json:"id"`
	Name      string         `json:"name"`
	ParentID  FlexInt        `json:"parent_id,omitempty"`
	SpaceType string         `json:"space_type,omitempty"`
	FullPath  string         `json:"full_path,omitempty"`
	CreatedAt Time           `json:"created_at"`
	Config    map[string]any `json:"config,omitempty"`
	Extra     Extra          `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (s *Space) UnmarshalJSON(data []byte) error {
	type fields Space
	return decodeKeeping(data, (*fields)(s), &s.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (s Space) MarshalJSON() ([]byte, error) {
	type fields Space
	return encodeKeeping(fields(s), s.Extra)
}

// Incident is an incident the hub opened for a device.
type Incident struct {
	UUID              string     `json:"uuid,omitempty"`
	ID                FlexString `json:"id,omitempty"`
	Title             string     `json:"title,omitempty"`
	Description       string     `json:"description,omitempty"`
	Issue             string     `json:"issue,omitempty"`
	Status            string     `json:"status,omitempty"`
	Priority          string     `json:"priority,omitempty"`
	DeviceID          string     `json:"device_id,omitempty"`
	DeviceName        string     `json:"device_name,omitempty"`
	DeviceModel       string     `json:"device_model,omitempty"`
	DeviceSubModel    string     `json:"device_sub_model,omitempty"`
	PartnerName       string     `json:"partner_name,omitempty"`
	SpaceID           FlexInt    `json:"space_id,omitempty"`
	SpaceName         string     `json:"space_name,omitempty"`
	SpaceTreePathName string     `json:"space_tree_path_name,omitempty"`
	CreatedAt         Time       `json:"created_at"`
	UpdatedAt         Time       `json:"updated_at"`
	Extra             Extra      `json:"-"`
}

// Key returns the incident's id: its uuid, else its id.
func (i *Incident) Key() string {
	if i.UUID != "" {
		return i.UUID
	}
	return string(i.ID)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (i *Incident) UnmarshalJSON(data []byte) error {
	type fields Incident
	return decodeKeeping(data, (*fields)(i), &i.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (i Incident) MarshalJSON() ([]byte, error) {
	type fields Incident
	return encodeKeeping(fields(i), i.Extra)
}

// Ticket is a support ticket. Comments are present on GET /tickets/{id}.
type Ticket struct {
	ID          string    `json:"id"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status,omitempty"`
	CreatedAt   Time      `json:"created_at"`
	DeviceID    string    `json:"device_id,omitempty"`
	UserName    string    `json:"user_name,omitempty"`
	UserEmail   string    `json:"user_email,omitempty"`
	Comments    []Comment `json:"comments,omitempty"`
	Extra       Extra     `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (t *Ticket) UnmarshalJSON(data []byte) error {
	type fields Ticket
	return decodeKeeping(data, (*fields)(t), &t.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (t Ticket) MarshalJSON() ([]byte, error) {
	type fields Ticket
	return encodeKeeping(fields(t), t.Extra)
}

// Comment is one message on a ticket.
type Comment struct {
	ID        FlexString `json:"id"`
	Text      string     `json:"text,omitempty"`
	CreatedAt Time       `json:"created_at"`
	System    bool       `json:"system"`
	User      string     `json:"user,omitempty"`
	Owner     string     `json:"owner,omitempty"`
	OwnerType string     `json:"owner_type,omitempty"`
	Extra     Extra      `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (c *Comment) UnmarshalJSON(data []byte) error {
	type fields Comment
	return decodeKeeping(data, (*fields)(c), &c.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (c Comment) MarshalJSON() ([]byte, error) {
	type fields Comment
	return encodeKeeping(fields(c), c.Extra)
}

// OrgInfo describes the organization the key belongs to.
type OrgInfo struct {
	ID           string         `json:"id,omitempty"`
	Name         string         `json:"name"`
	CreatedAt    Time           `json:"created_at"`
	Lab          bool           `json:"lab"`
	Partner      string         `json:"partner,omitempty"`
	Domain       string         `json:"domain,omitempty"`
	MobileDomain string         `json:"mobile_domain,omitempty"`
	PricingPlan  string         `json:"pricing_plan,omitempty"`
	Contacts     map[string]any `json:"contacts,omitempty"`
	Statistics   map[string]any `json:"statistics,omitempty"`
	Extra        Extra          `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (o *OrgInfo) UnmarshalJSON(data []byte) error {
	type fields OrgInfo
	return decodeKeeping(data, (*fields)(o), &o.Extra)
}

// MarshalJSON implements json.Marshaler, writing unknown fields back.
func (o OrgInfo) MarshalJSON() ([]byte, error) {
	type fields OrgInfo
	return encodeKeeping(fields(o), o.Extra)
}
