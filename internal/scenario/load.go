// Package scenario reads scenarios/*.yaml: the data each simulated API is
// seeded with and the faults that are armed.
//
// Loading never stops at the first mistake: every problem is reported as
// "file:line: message" (unknown key, wrong type, dangling id, duplicate
// email/phone/api_key, ...), and a scenario with any problem is rejected whole,
// so state is never seeded from half a file. The checks of each API's section
// live with the API (Section.Check in the vendor package's seed.go), so
// that each API extends only its own part.
package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/scenarios"
	"gopkg.in/yaml.v3"
)

// DefaultName is the embedded scenario served when none is given.
const DefaultName = "default"

// Embedded returns the source of a scenario shipped in the binary
// (default, empty, flaky).
func Embedded(name string) ([]byte, error) {
	return scenarios.FS.ReadFile(name + ".yaml")
}

// EmbeddedNames lists the shipped scenarios.
func EmbeddedNames() []string {
	entries, _ := fs.ReadDir(scenarios.FS, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// LoadFile reads and checks the scenario at path. Its extends: names a
// file beside it, else an embedded scenario.
func LoadFile(path string) (*Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, check.Problems{{File: path, Line: 0, Message: err.Error()}}
	}
	return parse(path, src, 0, inDir(filepath.Dir(path)))
}

// LoadNamed resolves a scenario by name: a file in dir (scenarios/NAME.yaml)
// if it exists, else the embedded one of that name.
func LoadNamed(dir, name string) (*Scenario, error) {
	find := inDir(dir)
	file, src, embedded, err := find(name, "", 0)
	if err != nil {
		return nil, check.Problems{{File: name, Message: err.Error()}}
	}
	if embedded {
		return parseShipped(file, src)
	}
	return parse(file, src, 0, next(find, embedded))
}

// shipped holds each shipped scenario as parsed, by file name: they are in
// the binary and extend only one another, so one parse per process serves
// every ?name= and every world created from one (parsing the default
// scenario was a fifth of a world's creation). The Scenario is shared by
// every caller, which is safe because nothing changes a Scenario once
// parsed: seeding, loading and resetting only read it.
var shipped sync.Map

// parseShipped parses a shipped scenario, once.
func parseShipped(file string, src []byte) (*Scenario, error) {
	if sc, ok := shipped.Load(file); ok {
		return sc.(*Scenario), nil
	}
	sc, err := parse(file, src, 0, inDir(""))
	if err != nil {
		return nil, err
	}
	sc.useShippedSeal()
	actual, _ := shipped.LoadOrStore(file, sc)
	return actual.(*Scenario), nil
}

// shippedChain is how many extends: a parsed shipped scenario stands on
// (0 for one that extends nothing); maxExtends when a base is not in the
// cache, so that a caller falls back to parsing the chain.
func shippedChain(sc *Scenario) int {
	n := 0
	for sc.Extends != "" && n < maxExtends {
		base, ok := shipped.Load("scenarios/" + sc.Extends + ".yaml")
		if !ok {
			return maxExtends
		}
		sc, n = base.(*Scenario), n+1
	}
	return n
}

// Parse decodes and checks a scenario that has no directory of its own
// (a test's literal, a fuzz input): its extends: names an embedded
// scenario. file names it in problem messages. The error, when not nil, is
// a check.Problems with every problem found.
func Parse(file string, src []byte) (*Scenario, error) {
	return parse(file, src, 0, inDir(""))
}

// ParseIn decodes and checks a scenario sent rather than read from a file
// (POST /__admin/scenario): its extends: is looked up in dir, then among the
// embedded scenarios, exactly as ?name= is, so a body and ?name= that say
// the same thing load the same scenario.
func ParseIn(dir, file string, src []byte) (*Scenario, error) {
	return parse(file, src, 0, inDir(dir))
}

// finder returns the file name and source of the scenario called name:
// the one a ?name= asks for (depth 0), or the base the scenario in the file
// from extends (depth 1 and on). embedded says it is a shipped scenario.
type finder func(name, from string, depth int) (file string, src []byte, embedded bool, err error)

// inDir finds dir/NAME.yaml when there is one (other than the file from,
// so that a file cannot extend itself), else the embedded scenario of that
// name. It serves ?name=, extends: and posted bodies alike.
func inDir(dir string) finder {
	return func(name, from string, _ int) (string, []byte, bool, error) {
		if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
			return "", nil, false, fmt.Errorf("a scenario is named by its file name without .yaml (like default), got %q", name)
		}
		if dir != "" {
			path := filepath.Join(dir, name+".yaml")
			src, err := os.ReadFile(path)
			switch {
			case err == nil && filepath.Clean(path) != filepath.Clean(from):
				return path, src, false, nil
			case err != nil && !errors.Is(err, fs.ErrNotExist):
				return "", nil, false, err
			}
		}
		src, err := Embedded(name)
		if err != nil {
			return "", nil, false, fmt.Errorf("no scenario named %q (shipped: %s)", name, strings.Join(EmbeddedNames(), ", "))
		}
		return "scenarios/" + name + ".yaml", src, true, nil
	}
}

// next is the finder for the extends: of a scenario find found. A shipped
// scenario's bases are shipped ones only: what flaky means must not depend
// on the files beside the server.
func next(find finder, embedded bool) finder {
	if embedded {
		return inDir("")
	}
	return find
}

// parserError reports whether msg is one of yaml.v3's parser errors,
// whose line numbers count from 0 (yamlProblem).
func parserError(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected ") &&
		(strings.HasSuffix(msg, "node content") || strings.HasSuffix(msg, " key") || strings.HasSuffix(msg, "indicator") ||
			strings.Contains(msg, "',' or") || strings.HasSuffix(msg, "<document start>"))
}

var (
	lineRe    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownRe = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	unmarshRe = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
	// A collection read into a struct comes without its value.
	collectionRe = regexp.MustCompile(`^cannot unmarshal !!(\w+) into (\S+)$`)
	yamlKindName = map[string]string{"seq": "a list", "map": "a mapping", "str": "text", "int": "an integer",
		"float": "a number", "bool": "true or false", "null": "null"}
	goTypeName = map[string]string{
		"int": "an integer", "int64": "an integer", "float64": "a number", "bool": "true or false",
		"string": "text", "*bool": "true or false", "*int": "an integer or null", "*float64": "a number",
	}
)

// maxExtends bounds a chain of extends, which also stops a cycle.
const maxExtends = 5

// parse decodes and checks one scenario. A scenario that extends another
// is merged with its base first (merge.go) and checked as merged, so that
// its rows may refer to the base's; what it wrote itself is reported on
// its own lines.
func parse(file string, src []byte, depth int, find finder) (*Scenario, error) {
	root, problem := document(file, src)
	if problem != nil {
		return nil, check.Problems{*problem}
	}
	sc := &Scenario{File: file, Source: append([]byte(nil), src...)}
	problems, failed := decodeStrict(file, src, root, sc)
	if sc.Extends != "" {
		base, ps := sc.inherit(root, depth, find)
		if ps != nil {
			return nil, sortProblems(append(problems, ps...))
		}
		root = mergeRoot(base.root, root)
		merged := &Scenario{File: file, Source: sc.Source}
		// Unknown keys and wrong types were reported by decodeStrict on
		// this file's lines, and by the base's own parse on its.
		_ = root.Decode(merged)
		sc = merged
	}
	// The rules run on whatever decoded, so that one run reports every
	// problem, not the decoder's first and the rules' on the next try.
	c := check.New(file, root)
	checkAll(c, sc)
	for i, p := range c.Problems() {
		if !failed[[2]int{p.Line, c.Column(i)}] && !failed[[2]int{p.Line, 0}] {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, sortProblems(problems)
	}
	sc.root = root
	sc.applyDefaults()
	return sc, nil
}

// decodeStrict decodes src (whose document is root) into sc, refusing
// unknown keys. It returns the problems and where (line and column; column
// 0 when the value could not be found: the whole line) a value failed to
// decode: the zero value left behind would set off rules ("name is
// required" for a name of the wrong type), which would only repeat the
// problem in other words. Other rules' problems on the same line (a flow
// row: {balance: lots, allowed_ips: [six]}) are still reported.
func decodeStrict(file string, src []byte, root *yaml.Node, sc *Scenario) (check.Problems, map[[2]int]bool) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var problems check.Problems
	failed := map[[2]int]bool{}
	if err := dec.Decode(sc); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return check.Problems{yamlProblem(file, src, err.Error())}, failed
		}
		for _, msg := range te.Errors {
			p := yamlProblem(file, src, msg)
			// An unknown key decoded into nothing, so it left no zero value
			// behind; what the rules then miss is really missing.
			if !strings.HasPrefix(p.Message, "unknown key ") {
				failed[[2]int{p.Line, failedColumn(root, p.Line, msg)}] = true
			}
			problems = append(problems, p)
		}
	}
	return problems, failed
}

// failedColumn is the column of the value on line that the decoder's
// message msg quotes, or 0 when none is found.
func failedColumn(root *yaml.Node, line int, msg string) int {
	col := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if col != 0 || n == nil {
			return
		}
		if n.Line == line && n.Kind == yaml.ScalarNode &&
			(strings.Contains(msg, strconv.Quote(n.Value)) || strings.Contains(msg, "`"+n.Value+"`")) {
			col = n.Column
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return col
}

// sortProblems orders problems by line, as an editor lists them.
func sortProblems(problems check.Problems) check.Problems {
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return problems
}

// Effective is the scenario as it loads, as YAML: its extends: resolved
// (the base's sections merged in, see merge.go) and left out, so that the
// output is a scenario of its own. Defaults are not filled in.
func (sc *Scenario) Effective() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(withoutKey(sc.root, "extends")); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// document reads the one YAML document of a scenario and returns its root
// mapping, within the bounds of limits.go (checked before anything decodes
// it into Go values). A second document is a problem rather than something to ignore:
// a "---" left in a file would otherwise silently drop everything after it.
func document(file string, src []byte) (*yaml.Node, *check.Problem) {
	if p := tooBig(file, src); p != nil {
		return nil, p
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		p := yamlProblem(file, src, err.Error())
		return nil, &p
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &check.Problem{File: file, Line: max(1, doc.Line), Message: "a scenario is a mapping with name:, seed: and the API sections"}
	}
	if p := overLimits(file, doc.Content[0]); p != nil {
		return nil, p
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return doc.Content[0], nil
	case err != nil:
		p := yamlProblem(file, src, err.Error())
		return nil, &p
	}
	return nil, &check.Problem{File: file, Line: next.Line, Message: "a scenario is one YAML document; this is a second one"}
}

// yamlProblem turns a yaml.v3 message ("line 4: field x not found in type
// scenario.Carreta") into a Problem with a message for people, not Go types.
func yamlProblem(file string, src []byte, msg string) check.Problem {
	p := check.Problem{File: file, Message: msg}
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = m[2]
	}
	if parserError(p.Message) {
		// yaml.v3 numbers the lines of its parser's errors (not its
		// scanner's) from 0, and leaves "line 0" out: a flow list left
		// open on line 2 says line 1. One at the end of the file is
		// about its last line.
		lines := bytes.Count(src, []byte("\n"))
		if len(src) > 0 && src[len(src)-1] != '\n' {
			lines++
		}
		p.Line = min(p.Line+1, max(lines, 1))
	}
	if m := unknownRe.FindStringSubmatch(p.Message); m != nil {
		p.Message = fmt.Sprintf("unknown key %q", m[1])
	} else if m := unmarshRe.FindStringSubmatch(p.Message); m != nil {
		want := goTypeName[m[3]]
		switch {
		case want != "":
		case strings.HasPrefix(m[3], "[]"):
			want = "a list"
		default: // a map, or one of the scenario's sections and rows
			want = "a mapping"
		}
		p.Message = fmt.Sprintf("wrong type: %s %q where %s belongs", m[1], m[2], want)
	} else if m := collectionRe.FindStringSubmatch(p.Message); m != nil {
		// A collection where a scalar, a list or a struct belongs: the
		// sections and their rows live in the vendor packages, and a Go type
		// name means nothing to the user.
		got := yamlKindName[m[1]]
		if got == "" {
			got = "!!" + m[1]
		}
		want := goTypeName[m[2]]
		switch {
		case want != "":
		case strings.HasPrefix(m[2], "[]"):
			want = "a list"
		default:
			want = "a mapping"
		}
		p.Message = fmt.Sprintf("wrong type: %s where %s belongs", got, want)
	}
	return p
}

// inherit loads the scenario sc extends. The base was checked on its own,
// so its problems carry its own file and lines.
func (sc *Scenario) inherit(root *yaml.Node, depth int, find finder) (*Scenario, check.Problems) {
	line := 1
	if v := mappingValue(root, "extends"); v != nil {
		line = v.Line
	}
	if depth >= maxExtends {
		return nil, check.Problems{{File: sc.File, Line: line, Message: fmt.Sprintf("extends is nested more than %d deep (a cycle?)", maxExtends)}}
	}
	file, src, embedded, err := find(sc.Extends, sc.File, depth+1)
	if err != nil {
		return nil, check.Problems{{File: sc.File, Line: line, Message: "extends: " + err.Error()}}
	}
	if embedded {
		// A shipped base is parsed once per process (parseShipped), not
		// once per scenario that extends it: every test mock that starts
		// from "extends: default" parsed the whole default scenario again.
		// The cached one is used only when the chain is within bounds, so
		// a chain too deep still fails below with its message.
		if base, err := parseShipped(file, src); err == nil && depth+shippedChain(base) < maxExtends {
			return base, nil
		}
	}
	base, err := parse(file, src, depth+1, next(find, embedded))
	if err != nil {
		var ps check.Problems
		if errors.As(err, &ps) {
			return nil, ps
		}
		return nil, check.Problems{{File: sc.File, Line: line, Message: "extends: " + err.Error()}}
	}
	return base, nil
}

// applyDefaults fills what a scenario may leave out.
func (sc *Scenario) applyDefaults() {
	sc.Amapi.ApplyDefaults()
	sc.Carreta.ApplyDefaults()
	sc.Saplab.ApplyDefaults()
}
