package xytesim

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// assetCategories are the label categories of an asset.
var assetCategories = []string{"manufacturer", "device_model", "device_type", "status"}

// assetJSON is an asset; each label is {id, name} or null.
type assetJSON struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	SerialNumber string     `json:"serial_number"`
	SpaceID      *int64     `json:"space_id"`
	PurchasedAt  *string    `json:"purchased_at"`
	Comments     string     `json:"comments"`
	IconName     string     `json:"icon_name"`
	Manufacturer *labelJSON `json:"manufacturer"`
	DeviceModel  *labelJSON `json:"device_model"`
	DeviceType   *labelJSON `json:"device_type"`
	Status       *labelJSON `json:"status"`
	CreatedAt    string     `json:"created_at"`
	UpdatedAt    string     `json:"updated_at"`
}

type labelJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func labelView(l *label) *labelJSON {
	if l == nil {
		return nil
	}
	return &labelJSON{ID: l.id, Name: l.name}
}

func assetView(a *asset) assetJSON {
	v := assetJSON{
		ID: a.id, Name: a.name, SerialNumber: a.serial, PurchasedAt: optStamp(a.purchasedAt),
		Comments: a.comments, IconName: a.icon,
		Manufacturer: labelView(a.labels["manufacturer"]),
		DeviceModel:  labelView(a.labels["device_model"]),
		DeviceType:   labelView(a.labels["device_type"]),
		Status:       labelView(a.labels["status"]),
		CreatedAt:    stamp(a.createdAt), UpdatedAt: stamp(a.updatedAt),
	}
	if a.spaceID != 0 {
		id := a.spaceID
		v.SpaceID = &id
	}
	return v
}

func (c *call) asset() (*asset, error) {
	if a := c.org.asset(c.param("asset_id")); a != nil {
		return a, nil
	}
	return nil, notFound("Asset")
}

// listAssets filters on name and serial_number (substrings) and space_id
// (the space and everything below it).
func (s *Server) listAssets(c *call) (any, error) {
	p, err := c.page(noPerPageCap)
	if err != nil {
		return nil, err
	}
	in, err := c.querySpace(c.org)
	if err != nil {
		return nil, err
	}
	name, serial := c.q().Get("name"), c.q().Get("serial_number")
	assets := slices.DeleteFunc(slices.Clone(c.org.assets), func(a *asset) bool {
		return !containsFold(a.name, name) || !containsFold(a.serial, serial) ||
			(in != nil && !c.org.within(a.spaceID, in))
	})
	return listNextPage(assets, p, assetView), nil
}

func (s *Server) getAsset(c *call) (any, error) {
	a, err := c.asset()
	if err != nil {
		return nil, err
	}
	return assetView(a), nil
}

// listAssetLabels answers {"items": [{id, name}]} for a known category.
func (s *Server) listAssetLabels(c *call) (any, error) {
	category := c.param("category")
	if !slices.Contains(assetCategories, category) {
		return nil, invalid("Invalid category: use one of %s", strings.Join(assetCategories, ", "))
	}
	return struct {
		Items []*labelJSON `json:"items"`
	}{Items: mapSlice(c.org.labels[category], labelView)}, nil
}

// assetBody is the body of asset create and update. A label is either
// {"id": ...} of an existing label or a plain name, created when new.
type assetBody struct {
	Name         *string                    `json:"name"`
	SerialNumber *string                    `json:"serial_number"`
	SpaceID      *flexID                    `json:"space_id"`
	PurchasedAt  *string                    `json:"purchased_at"`
	Comments     *string                    `json:"comments"`
	IconName     *string                    `json:"icon_name"`
	Labels       map[string]json.RawMessage `json:"-"`
}

func (c *call) assetBody() (assetBody, error) {
	var b assetBody
	if err := c.decode(&b); err != nil {
		return b, err
	}
	raw := map[string]json.RawMessage{}
	if err := c.decode(&raw); err != nil {
		return b, err
	}
	b.Labels = map[string]json.RawMessage{}
	for _, cat := range assetCategories {
		if v, ok := raw[cat]; ok && string(v) != "null" {
			b.Labels[cat] = v
		}
	}
	return b, nil
}

func (s *Server) createAsset(c *call) (any, error) {
	b, err := c.assetBody()
	if err != nil {
		return nil, err
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return nil, invalid("Name can't be blank")
	}
	a := &asset{id: c.org.newID(), labels: map[string]*label{}, createdAt: c.now}
	if err := c.org.applyAsset(a, b); err != nil {
		return nil, err
	}
	a.updatedAt = c.now
	c.org.assets = append(c.org.assets, a)
	return assetView(a), nil
}

func (s *Server) updateAsset(c *call) (any, error) {
	a, err := c.asset()
	if err != nil {
		return nil, err
	}
	b, err := c.assetBody()
	if err != nil {
		return nil, err
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return nil, invalid("Name can't be blank")
	}
	// Validate everything on a copy, so a bad label leaves the asset as it was.
	next := *a
	next.labels = map[string]*label{}
	for k, v := range a.labels {
		next.labels[k] = v
	}
	if err := c.org.applyAsset(&next, b); err != nil {
		return nil, err
	}
	next.updatedAt = c.now
	*a = next
	return assetView(a), nil
}

// applyAsset copies the present fields of b onto a.
func (o *org) applyAsset(a *asset, b assetBody) error {
	if b.SpaceID != nil {
		sp, err := o.bodySpace(b.SpaceID)
		if err != nil {
			return err
		}
		a.spaceID = sp.id
	}
	if b.PurchasedAt != nil {
		t, err := time.Parse(time.RFC3339, *b.PurchasedAt)
		if err != nil {
			return invalid("Invalid purchased_at: use ISO 8601")
		}
		a.purchasedAt = t
	}
	for _, f := range []struct{ dst, src *string }{
		{&a.name, b.Name}, {&a.serial, b.SerialNumber}, {&a.comments, b.Comments},
		{&a.icon, b.IconName},
	} {
		if f.src != nil {
			*f.dst = strings.TrimSpace(*f.src)
		}
	}
	return o.applyLabels(a, b.Labels)
}

func (o *org) applyLabels(a *asset, labels map[string]json.RawMessage) error {
	for _, cat := range assetCategories {
		raw, ok := labels[cat]
		if !ok {
			continue
		}
		l, err := o.resolveLabel(cat, raw)
		if err != nil {
			return err
		}
		a.labels[cat] = l
	}
	return nil
}

// resolveLabel finds {"id": ...} or finds or creates a label by name.
func (o *org) resolveLabel(category string, raw json.RawMessage) (*label, error) {
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, invalid("Invalid %s", category)
		}
		if l := o.label(category, name); l != nil {
			return l, nil
		}
		l := &label{id: o.newID(), name: name}
		o.labels[category] = append(o.labels[category], l)
		return l, nil
	}
	var ref struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil || ref.ID == "" {
		return nil, invalid("Invalid %s: use {\"id\": ...} or a name", category)
	}
	l := findFirst(o.labels[category], func(l *label) bool { return l.id == ref.ID })
	if l == nil {
		return nil, invalid("Unknown %s label", category)
	}
	return l, nil
}

func (s *Server) deleteAsset(c *call) (any, error) {
	a, err := c.asset()
	if err != nil {
		return nil, err
	}
	c.org.assets = slices.DeleteFunc(c.org.assets, func(x *asset) bool { return x == a })
	return success, nil
}
