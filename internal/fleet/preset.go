package fleet

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Limits of a preset file.
const (
	maxPresetBytes = 64 << 10
	maxPresetSteps = 50
)

//go:embed presets/*.yaml
var builtinPresets embed.FS

// presetName is the only shape of preset name accepted: it is also the file
// name, so nothing else can reach the file system.
var presetName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// Preset is a named list of commands for a meeting room.
type Preset struct {
	Name        string       `yaml:"-" json:"name"`
	Description string       `yaml:"description" json:"description,omitempty"`
	Steps       []PresetStep `yaml:"steps" json:"steps"`
}

// PresetStep is one command of a preset. Device names one device of the room,
// by id or by name; DeviceType names every device of a kind in the room
// (display, projector, video_codec, amplifier or switcher). A step has one of
// the two.
type PresetStep struct {
	Device       string         `yaml:"device" json:"device,omitempty"`
	DeviceType   string         `yaml:"device_type" json:"device_type,omitempty"`
	Command      string         `yaml:"command" json:"command"`
	FriendlyName string         `yaml:"friendly_name" json:"friendly_name,omitempty"`
	Params       map[string]any `yaml:"params" json:"params,omitempty"`
}

// Presets loads presets: the built-in ones, overridden by files named
// <name>.yaml in a directory. Files are read on every lookup, so an operator
// can add presets without a restart.
type Presets struct {
	dir string
}

// NewPresets returns the presets of dir ("" for the built-in ones only). The
// directory must exist.
func NewPresets(dir string) (*Presets, error) {
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("open presets directory: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("open presets directory: %s is not a directory", dir)
		}
	}
	return &Presets{dir: dir}, nil
}

// Get returns the preset with the given name.
func (p *Presets) Get(name string) (*Preset, error) {
	if !presetName.MatchString(name) {
		return nil, &xyte.ArgumentError{Name: "preset",
			Reason: "must be 1 to 64 characters of a-z, 0-9, _ and -"}
	}
	data, err := p.read(name)
	if errors.Is(err, fs.ErrNotExist) {
		names, _ := p.Names()
		return nil, notFound("preset", fmt.Sprintf("no preset named %q (available: %s)",
			name, strings.Join(names, ", ")))
	}
	if err != nil {
		return nil, fmt.Errorf("read preset %q: %w", name, err)
	}
	return ParsePreset(name, data)
}

// read returns the file of a preset, from the directory first.
func (p *Presets) read(name string) ([]byte, error) {
	if p.dir != "" {
		data, err := readLimited(filepath.Join(p.dir, name+".yaml"))
		if !errors.Is(err, fs.ErrNotExist) {
			return data, err
		}
	}
	return builtinPresets.ReadFile("presets/" + name + ".yaml")
}

func readLimited(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxPresetBytes {
		return nil, fmt.Errorf("preset file is larger than %d bytes", maxPresetBytes)
	}
	return os.ReadFile(path)
}

// Names returns the sorted names of every preset.
func (p *Presets) Names() ([]string, error) {
	var names []string
	entries, _ := builtinPresets.ReadDir("presets")
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	if p.dir != "" {
		entries, err := os.ReadDir(p.dir)
		if err != nil {
			return nil, fmt.Errorf("list presets: %w", err)
		}
		for _, e := range entries {
			n, ok := strings.CutSuffix(e.Name(), ".yaml")
			if ok && !e.IsDir() && presetName.MatchString(n) && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names, nil
}

// ParsePreset decodes and checks a preset file. Unknown keys are refused, so
// a misspelled key does not silently drop a step's target.
func ParsePreset(name string, data []byte) (*Preset, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Preset
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("parse preset %q: %w", name, err)
	}
	p.Name = name
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("check preset %q: %w", name, err)
	}
	return &p, nil
}

func (p *Preset) check() error {
	if len(p.Steps) == 0 || len(p.Steps) > maxPresetSteps {
		return fmt.Errorf("a preset has 1 to %d steps", maxPresetSteps)
	}
	for i, s := range p.Steps {
		switch {
		case (s.Device == "") == (s.DeviceType == ""):
			return fmt.Errorf("step %d: give exactly one of device and device_type", i+1)
		case strings.TrimSpace(s.Command) == "":
			return fmt.Errorf("step %d: command is required", i+1)
		case s.DeviceType != "" && kindOf(strings.ToLower(s.DeviceType)) == "":
			return fmt.Errorf("step %d: unknown device_type %q", i+1, s.DeviceType)
		}
	}
	return nil
}
