package xytesim

// Word lists for the seeded fleet. Every name is invented; people have
// generic first names and made-up surnames, and every address is under
// example.com.

const partnerName = "Meridian AV Partners"

// kindSpec describes one device kind.
type kindSpec struct {
	label    string      // used in device names and asset types
	icon     string      // asset icon_name
	inputs   []string    // possible active inputs; empty when none
	commands [][2]string // command name and friendly name
}

var kindOrder = []string{kindDisplay, kindProjector, kindCodec, kindAmplifier, kindSwitcher}

var kinds = map[string]kindSpec{
	kindDisplay: {"Display", "display", []string{"hdmi1", "hdmi2", "usb-c"}, [][2]string{
		{"power_on", "Power on"}, {"power_off", "Power off"}, {"set_input", "Switch input"},
		{"reboot", "Reboot"},
	}},
	kindProjector: {"Projector", "projector", []string{"hdmi1", "hdbaset"}, [][2]string{
		{"power_on", "Power on"}, {"power_off", "Power off"}, {"set_input", "Switch input"},
		{"reset_lamp_timer", "Reset lamp timer"},
	}},
	kindCodec: {"Codec", "camera", nil, [][2]string{
		{"reboot", "Reboot"}, {"wake", "Wake up"}, {"standby", "Enter standby"},
	}},
	kindAmplifier: {"Amplifier", "speaker", nil, [][2]string{
		{"mute", "Mute"}, {"unmute", "Unmute"}, {"set_volume", "Set volume"},
	}},
	kindSwitcher: {"Switcher", "switch", []string{"in1", "in2", "in3", "in4"}, [][2]string{
		{"set_input", "Route input"}, {"reboot", "Reboot"},
	}},
}

// modelSpec is one invented device model.
type modelSpec struct {
	kind, name, vendor, snPrefix string
	subModels, firmware          []string
	edge, cloud                  bool
}

var modelSpecs = []modelSpec{
	{kindDisplay, "ProView 75", "Acme AV Manufacturing", "PV75",
		[]string{"PV75-B"}, []string{"2.4.1", "2.5.0"}, false, false},
	{kindDisplay, "ProView 55", "Acme AV Manufacturing", "PV55",
		nil, []string{"2.4.1", "2.5.0"}, false, false},
	{kindDisplay, "Lumen Wall 98", "Northgate Visual", "LW98",
		[]string{"LW98-T"}, []string{"1.9.3"}, false, false},
	{kindProjector, "QX-7000 Laser", "Quillon Optics", "QX7",
		nil, []string{"5.1.0", "5.2.2"}, false, false},
	{kindProjector, "QX-4200", "Quillon Optics", "QX4",
		[]string{"QX-4200W"}, []string{"4.8.7"}, false, false},
	{kindCodec, "Parvo Room Kit", "Parvo Conferencing", "PRK",
		nil, []string{"11.2", "11.3"}, false, true},
	{kindCodec, "Parvo Bar Mini", "Parvo Conferencing", "PBM",
		nil, []string{"11.3"}, false, true},
	{kindAmplifier, "A-480", "Tessaly Audio", "TA48",
		[]string{"A-480D"}, []string{"3.0.4"}, true, false},
	{kindSwitcher, "MX-88 Matrix", "Corvane Systems", "MX88",
		nil, []string{"7.1.1"}, true, false},
	{kindSwitcher, "HX-42 Presenter", "Corvane Systems", "HX42",
		nil, []string{"2.2.0", "2.3.1"}, false, false},
}

var productNames = []string{
	"Fleet Monitor", "Remote Control Pack", "Room Analytics", "Extended Care",
}

// siteSpec is one invented site; cities are real places, nothing else is.
type siteSpec struct {
	name, short, desc, region string
	lat, lng                  float64
	utcOffset                 int // minutes
	units                     string
}

var siteSpecs = []siteSpec{
	{"Berlin HQ", "Berlin", "Berlin, Germany", "Europe/Berlin", 52.52, 13.405, 60, "celsius"},
	{"Lisbon Studio", "Lisbon", "Lisbon, Portugal", "Europe/Lisbon", 38.722, -9.139, 0, "celsius"},
	{"Austin Campus", "Austin", "Austin, USA", "America/Chicago", 30.267, -97.743, -360,
		"fahrenheit"},
	{"Osaka Office", "Osaka", "Osaka, Japan", "Asia/Tokyo", 34.694, 135.502, 540, "celsius"},
	{"Toronto Hub", "Toronto", "Toronto, Canada", "America/Toronto", 43.653, -79.383, -300,
		"celsius"},
	{"Nairobi Centre", "Nairobi", "Nairobi, Kenya", "Africa/Nairobi", -1.286, 36.817, 180,
		"celsius"},
	{"Oslo Annex", "Oslo", "Oslo, Norway", "Europe/Oslo", 59.913, 10.752, 60, "celsius"},
	{"Melbourne Works", "Melbourne", "Melbourne, Australia", "Australia/Melbourne",
		-37.814, 144.963, 600, "celsius"},
}

var roomKinds = []string{"Huddle", "Meeting", "Focus", "Training", "Project", "Studio"}

var firstNames = []string{
	"Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Rowan", "Sage",
	"Emery", "Finley", "Harper", "Kai", "Logan", "Parker", "Reese", "Skyler",
}

var lastNames = []string{
	"Ashdown", "Brightwater", "Calloway", "Dunmore", "Everhart", "Fairbanks", "Greyson",
	"Holloway", "Ingleby", "Juniper", "Kestrel", "Lowell", "Marlow", "Northcott", "Oakes",
	"Pemberton",
}

var groupNames = []string{
	"Administrators", "Facilities", "AV Support", "IT Operations", "Event Staff", "Viewers",
}

var priorities = []string{"critical", "high", "moderate", "low", "planning"}

// issueSpec is one kind of incident.
type issueSpec struct {
	issue, title, description string
}

var (
	issueOffline  = issueSpec{"offline", "Device offline", "No telemetry received for 15 minutes."}
	issueError    = issueSpec{"error", "Device reports an error", "The device reported a fault."}
	warningIssues = []issueSpec{
		{"high_temperature", "High temperature", "Internal temperature above 70 C."},
		{"signal_loss", "No input signal", "The active input has had no signal for 10 minutes."},
		{"firmware_outdated", "Firmware update available", "A newer firmware is available."},
		{"lamp_hours", "Lamp nearing end of life", "Lamp hours above 90% of rated life."},
	}
)

var ticketTitles = []string{
	"%s will not power on", "%s shows no picture", "Audio drops out on %s",
	"%s keeps rebooting", "Remote control of %s not working", "%s fan is noisy",
	"Schedule not applied on %s", "%s stuck on the wrong input",
}

var ticketDescriptions = []string{
	"Reported by the front desk during the morning room check.",
	"Happened twice this week, both times right after the evening schedule.",
	"The meeting organiser had to move rooms; please look before Monday.",
	"Seen by the cleaning crew; no error shown on the panel.",
}

var commentTexts = []string{
	"Power-cycled remotely, will check again after lunch.",
	"Firmware looks current; asking the vendor for logs.",
	"Replaced the HDMI cable, picture is back for now.",
	"Could not reproduce during the afternoon check.",
	"On-site technician booked for tomorrow morning.",
}

var deviceNoteTexts = []string{
	"Wall mount checked and tightened.",
	"Uses the spare remote from the cabinet under the desk.",
	"Input labels swapped on the back panel: hdmi1 is the floor box.",
	"Vendor support contract renewed until next year.",
	"Keep on the beta firmware channel for the pilot.",
	"Cable run goes through the ceiling tile by the door.",
}

var spaceNoteTexts = []string{
	"Access badge needed after 18:00.",
	"Projector screen switch is behind the curtain.",
	"Room is booked for training every Tuesday morning.",
	"Spare batteries are in the top drawer of the AV cabinet.",
}

var assetComments = []string{
	"", "Covered by on-site warranty.", "Bought with the fit-out budget.", "",
}

// accessorySpec is an asset that is not a connected device.
type accessorySpec struct {
	name, deviceType, icon string
}

var accessorySpecs = []accessorySpec{
	{"Equipment rack", "Rack", "rack"},
	{"Wireless microphone kit", "Accessory", "microphone"},
	{"Spare projector lamp", "Accessory", "lamp"},
	{"Touch panel", "Accessory", "tablet"},
	{"Document camera", "Accessory", "camera"},
}

var assetStatuses = []string{"In use", "In storage", "Under repair", "Retired"}

var edgeVersions = []string{"3.2.1", "3.3.0"}
