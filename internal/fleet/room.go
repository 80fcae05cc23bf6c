package fleet

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// maxListed bounds how many candidates an ambiguity message names.
const maxListed = 5

// Room is a space matched from a name a person gave.
type Room struct {
	SpaceID   int64  `json:"space_id"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	SpaceType string `json:"space_type,omitempty"`
	Why       string `json:"why" jsonschema:"how the name given matched this space"`
}

// ResolveRoom finds the one space a room name means. The name may be a space
// name ("Boardroom"), words of its path ("Berlin boardroom") or a path or its
// tail ("Berlin HQ/Floor 3/Boardroom"). Several equally good matches are
// refused, naming them, rather than guessed between.
func ResolveRoom(ctx context.Context, c *xyte.Client, name string) (*Room, error) {
	q := strings.TrimSpace(name)
	if q == "" {
		return nil, &xyte.ArgumentError{Name: "room", Reason: "must not be empty"}
	}
	spaces, err := AllSpaces(ctx, c)
	if err != nil {
		return nil, err
	}
	return pickRoom(q, spaces)
}

// pickRoom returns the best-scoring space, refusing a tie.
func pickRoom(q string, spaces []xyte.Space) (*Room, error) {
	best, why := 0, ""
	var top []xyte.Space
	for _, sp := range spaces {
		score, reason := roomScore(q, sp)
		switch {
		case score == 0 || score < best:
		case score > best:
			best, why, top = score, reason, []xyte.Space{sp}
		default:
			top = append(top, sp)
		}
	}
	switch len(top) {
	case 0:
		return nil, notFound("room", fmt.Sprintf("no space matches %q", q))
	case 1:
		sp := top[0]
		return &Room{SpaceID: int64(sp.ID), Name: sp.Name, Path: spacePath(sp),
			SpaceType: sp.SpaceType, Why: why}, nil
	}
	paths := make([]string, 0, len(top))
	for _, sp := range top {
		paths = append(paths, spacePath(sp))
	}
	return nil, &xyte.ArgumentError{Name: "room", Reason: fmt.Sprintf(
		"%q matches %d spaces (%s); give more of the path, such as Site/Room",
		q, len(top), listSome(paths))}
}

// roomScore rates how well a query names a space; 0 is no match.
func roomScore(q string, sp xyte.Space) (int, string) {
	path := strings.ToLower(spacePath(sp))
	name := strings.ToLower(sp.Name)
	query := strings.ToLower(q)
	var score int
	var why string
	switch segs := splitPath(query); {
	case len(segs) > 1 && pathTail(splitPath(path), segs, true):
		score, why = 90, "path ends with the segments given"
	case len(segs) > 1 && pathTail(splitPath(path), segs, false):
		score, why = 70, "path segments contain the segments given"
	case len(segs) > 1:
	case name == query:
		score, why = 80, "space name equals the name given"
	case strings.Contains(name, query):
		score, why = 60, "space name contains the name given"
	case allWords(path, query):
		score, why = 50, "space path contains every word given"
	}
	if score > 0 && sp.SpaceType == "room" {
		score += 5
	}
	return score, why
}

// pathTail reports whether segs match the path's segments in order, the last
// one matching the path's last segment (equal, or containing when !exact).
func pathTail(path, segs []string, exact bool) bool {
	if len(path) == 0 {
		return false
	}
	match := func(p, s string) bool { return p == s || (!exact && strings.Contains(p, s)) }
	if !match(path[len(path)-1], segs[len(segs)-1]) {
		return false
	}
	i := 0
	for _, p := range path[:len(path)-1] {
		if i < len(segs)-1 && match(p, segs[i]) {
			i++
		}
	}
	return i == len(segs)-1
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func allWords(text, query string) bool {
	words := strings.Fields(query)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return len(words) > 0
}

func spacePath(sp xyte.Space) string {
	if sp.FullPath != "" {
		return sp.FullPath
	}
	return sp.Name
}

func listSome(items []string) string {
	if len(items) > maxListed {
		return strings.Join(items[:maxListed], "; ") + fmt.Sprintf("; and %d more", len(items)-maxListed)
	}
	return strings.Join(items, "; ")
}

// deviceKinds maps each kind of AV device to words that name it in device
// names, models and requests.
var deviceKinds = []struct {
	kind  string
	words []string
}{
	{"projector", []string{"projector", "beamer", "projection", "lamp"}},
	{"video_codec", []string{"codec", "video conferenc", "conferenc", "camera", "room kit",
		"video bar", "vc"}},
	{"amplifier", []string{"amplifier", "amp", "audio", "speaker", "sound", "volume", "dsp"}},
	{"switcher", []string{"switcher", "switch", "matrix", "presenter", "router", "scaler"}},
	{"display", []string{"display", "screen", "tv", "monitor", "panel", "video wall", "lcd"}},
}

// DeviceKind guesses the kind of a device from its name and model: display,
// projector, video_codec, amplifier or switcher, or "" when nothing says.
func DeviceKind(d *xyte.Device) string {
	v := DeviceSummary(d)
	return kindOf(strings.ToLower(v.Name + " " + v.Model + " " + v.SubModel))
}

// kindOf returns the first kind whose words appear in text as whole words.
func kindOf(text string) string {
	for _, k := range deviceKinds {
		if k.kind == text || strings.ReplaceAll(k.kind, "_", " ") == text {
			return k.kind
		}
		for _, w := range k.words {
			if hasWord(text, w) {
				return k.kind
			}
		}
	}
	return ""
}

// hasWord reports whether w appears in text starting at a word boundary.
func hasWord(text, w string) bool {
	for i := 0; i+len(w) <= len(text); {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || !isWordByte(text[at-1]) {
			return true
		}
		i = at + 1
	}
	return false
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// Pick is a device chosen from a room for a request.
type Pick struct {
	Device Device `json:"device"`
	Kind   string `json:"kind,omitempty" jsonschema:"device kind guessed from name and model"`
	Why    string `json:"why" jsonschema:"why this device was picked"`
}

// PickDevice chooses the device of a room that a type hint names ("projector",
// "the display", a model or a device name). With no hint, the room must hold
// exactly one device. Equally good matches are broken in favor of devices
// that are online, then by name; the reason says what else matched.
func PickDevice(devices []xyte.Device, hint string) (*Pick, error) {
	if len(devices) == 0 {
		return nil, notFound("room", "the room has no devices")
	}
	hint = strings.ToLower(strings.TrimSpace(hint))
	var top []xyte.Device
	best, why := 0, ""
	for _, d := range devices {
		score, reason := deviceScore(&d, hint)
		switch {
		case score == 0 || score < best:
		case score > best:
			best, why, top = score, reason, []xyte.Device{d}
		default:
			top = append(top, d)
		}
	}
	if len(top) == 0 {
		return nil, notFound("device_type", fmt.Sprintf("no device in the room matches %q (devices: %s)",
			hint, deviceNames(devices)))
	}
	if hint == "" && len(top) > 1 {
		return nil, &xyte.ArgumentError{Name: "device_type", Reason: fmt.Sprintf(
			"the room has %d devices (%s); say which kind", len(top), deviceNames(top))}
	}
	return pickAmong(top, why), nil
}

// pickAmong breaks a tie: online devices first, then by name.
func pickAmong(top []xyte.Device, why string) *Pick {
	slices.SortStableFunc(top, func(a, b xyte.Device) int {
		if c := cmp.Compare(onlineRank(&a), onlineRank(&b)); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	d := &top[0]
	if len(top) > 1 {
		why += fmt.Sprintf("; %d devices matched equally (%s), picked the first online one by name",
			len(top), deviceNames(top))
	}
	return &Pick{Device: DeviceSummary(d), Kind: DeviceKind(d), Why: why}
}

func onlineRank(d *xyte.Device) int {
	if strings.EqualFold(d.Status, "online") {
		return 0
	}
	return 1
}

// deviceScore rates how well a hint names a device; 0 is no match.
func deviceScore(d *xyte.Device, hint string) (int, string) {
	v := DeviceSummary(d)
	if hint == "" {
		return 1, "the only device in the room"
	}
	name := strings.ToLower(v.Name)
	text := strings.ToLower(v.Name + " " + v.Model + " " + v.SubModel)
	switch {
	case d.ID == hint || name == hint:
		return 100, "the device id or name equals the hint"
	case strings.Contains(text, hint):
		return 90, fmt.Sprintf("name or model contains %q", hint)
	}
	if k := kindOf(hint); k != "" && k == DeviceKind(d) {
		return 80, fmt.Sprintf("hint %q means a %s, and the name or model says %s", hint, k, k)
	}
	if allWords(text, hint) {
		return 50, "name or model contains every word of the hint"
	}
	return 0, ""
}

func deviceNames(devices []xyte.Device) string {
	names := make([]string, 0, len(devices))
	for _, d := range devices {
		names = append(names, d.Name)
	}
	return listSome(names)
}
