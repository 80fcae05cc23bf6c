// Command vulnreport reads `govulncheck -format json` from stdin, prints the
// findings grouped by vulnerability and decides whether they fail the build.
//
// A finding fails when the code calls a vulnerable symbol of a module the
// project can upgrade. Findings in the standard library (module "stdlib")
// are printed with the Go release that fixes them but fail only with
// -fail-stdlib: a newer toolchain, not a code change, fixes them. Findings
// in imported packages or required modules whose vulnerable symbols are
// never called are printed for information.
//
// Exit status: 0 nothing fails, 1 a finding fails, 2 the input is unreadable.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// message is one value of govulncheck's JSON stream; one field is set.
type message struct {
	Config  *config  `json:"config"`
	OSV     *entry   `json:"osv"`
	Finding *finding `json:"finding"`
}

type config struct {
	ScannerVersion string `json:"scanner_version"`
	GoVersion      string `json:"go_version"`
	ScanLevel      string `json:"scan_level"`
}

type entry struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
}

type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

// level is how close the code comes to the vulnerable code.
type level int

const (
	levelModule  level = iota // a required module is affected
	levelPackage              // an imported package is affected
	levelSymbol               // the code calls an affected symbol
)

// maxSymbols is how many called symbols are listed per vulnerability.
const maxSymbols = 3

// vuln gathers the findings of one OSV entry in one module.
type vuln struct {
	id, module, version, fixed, summary string
	level                               level
	symbols                             map[string]bool
}

func main() {
	failStdlib := flag.Bool("fail-stdlib", false,
		"fail on called vulnerable symbols of the standard library too")
	flag.Parse()
	vulns, cfg, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulnreport:", err)
		os.Exit(2)
	}
	if failing := report(os.Stdout, vulns, cfg, *failStdlib); failing > 0 {
		fmt.Fprintf(os.Stderr, "\nvulnreport: %d vulnerabilit%s reached from the code must be fixed\n",
			failing, plural(failing, "y", "ies"))
		os.Exit(1)
	}
}

// read decodes the stream into one vuln per OSV id and module.
func read(r io.Reader) (map[string]*vuln, config, error) {
	dec := json.NewDecoder(r)
	vulns := map[string]*vuln{}
	summaries := map[string]string{}
	var cfg config
	seenConfig := false
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, cfg, fmt.Errorf("decode govulncheck output: %w", err)
		}
		switch {
		case m.Config != nil:
			cfg, seenConfig = *m.Config, true
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil:
			add(vulns, m.Finding)
		}
	}
	if !seenConfig {
		return nil, cfg, errors.New("no config message: this is not govulncheck -format json output")
	}
	for _, v := range vulns {
		v.summary = summaries[v.id]
	}
	return vulns, cfg, nil
}

func add(vulns map[string]*vuln, f *finding) {
	if len(f.Trace) == 0 {
		return
	}
	top := f.Trace[0]
	key := f.OSV + " " + top.Module
	v := vulns[key]
	if v == nil {
		v = &vuln{id: f.OSV, module: top.Module, version: top.Version, fixed: f.FixedVersion,
			symbols: map[string]bool{}}
		vulns[key] = v
	}
	lv := levelModule
	switch {
	case top.Function != "":
		lv = levelSymbol
		sym := top.Package + "." + top.Function
		if top.Receiver != "" {
			sym = top.Package + "." + strings.TrimPrefix(top.Receiver, "*") + "." + top.Function
		}
		v.symbols[sym] = true
	case top.Package != "":
		lv = levelPackage
	}
	if lv > v.level {
		v.level = lv
	}
}

// report prints the findings and returns how many fail.
func report(w io.Writer, vulns map[string]*vuln, cfg config, failStdlib bool) int {
	fmt.Fprintf(w, "govulncheck %s, %s, scan level %s\n", cfg.ScannerVersion, cfg.GoVersion,
		cfg.ScanLevel)
	list := make([]*vuln, 0, len(vulns))
	for _, v := range vulns {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].level != list[j].level {
			return list[i].level > list[j].level
		}
		return list[i].id < list[j].id
	})
	failing, toolchain := 0, ""
	for _, v := range list {
		verdict := verdictOf(v, failStdlib)
		if verdict == "FAIL" {
			failing++
		}
		if v.module == "stdlib" && v.level == levelSymbol && newer(v.fixed, toolchain) {
			toolchain = v.fixed
		}
		fmt.Fprintf(w, "  %-5s %s %s@%s (fixed in %s): %s\n", verdict, v.id, v.module, v.version,
			orNone(v.fixed), v.summary)
		syms := sortedKeys(v.symbols)
		for i, s := range syms {
			if i == maxSymbols {
				fmt.Fprintf(w, "          and %d more\n", len(syms)-maxSymbols)
				break
			}
			fmt.Fprintf(w, "          calls %s\n", s)
		}
	}
	if len(list) == 0 {
		fmt.Fprintln(w, "  no vulnerabilities found")
	}
	if toolchain != "" {
		fmt.Fprintf(w, "The Go toolchain's standard library has called vulnerabilities: build with "+
			"Go %s or newer to fix them.\n", strings.TrimPrefix(toolchain, "v"))
	}
	return failing
}

// verdictOf says whether v fails the build (FAIL), is a toolchain matter
// (STD), or is not reached from the code (info).
func verdictOf(v *vuln, failStdlib bool) string {
	switch {
	case v.level != levelSymbol:
		return "info"
	case v.module == "stdlib" && !failStdlib:
		return "STD"
	default:
		return "FAIL"
	}
}

// newer reports whether version a (such as v1.26.10) is newer than b; an
// empty version is older than any other.
func newer(a, b string) bool {
	pa, pb := numbers(a), numbers(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			return x > y
		}
	}
	return false
}

// numbers returns the numeric fields of a version such as v1.26.10.
func numbers(v string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r < '0' || r > '9' }) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "no fix yet"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
