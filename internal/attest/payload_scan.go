package attest

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// topPackages is how many package names a summary lists.
const topPackages = 20

// maxScanDepth bounds nesting, so a hostile document cannot recurse deeply.
const maxScanDepth = 64

// wantedStrings are the string fields (by normalized path) a summary uses.
var wantedStrings = map[string]bool{
	"_type": true, "predicateType": true, "spdxVersion": true, "name": true, "bomFormat": true,
	"specVersion": true, "@context": true, "buildType": true, "buildDefinition.buildType": true,
	"builder.id": true, "runDetails.builder.id": true, "metadata.component.name": true,
	"metadata.component.version": true, "author": true,
}

type material struct {
	URI        string            `json:"uri"`
	Digest     map[string]string `json:"digest"`
	EntryPoint string            `json:"entryPoint"`
}

type simpleSigning struct {
	Identity struct {
		DockerReference string `json:"docker-reference"`
	} `json:"identity"`
	Image struct {
		DockerManifestDigest string `json:"docker-manifest-digest"`
	} `json:"image"`
	Type string `json:"type"`
}

// docScan walks a JSON document as a token stream, keeping only what a
// summary needs, so a large SBOM never sits in memory whole.
type docScan struct {
	dec          *json.Decoder
	strs         map[string]string
	packages     int
	components   int
	top          []string
	statements   int
	vexStatus    map[string]int
	vulns        []string
	subjects     []string
	configSource *material
	materials    []material
	deps         []material
	extParams    map[string]any
	critical     *simpleSigning
	partial      bool
	id           identity
}

func newDocScan(r io.Reader) *docScan {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return &docScan{dec: dec, strs: map[string]string{}, vexStatus: map[string]int{}}
}

func (s *docScan) run() error { return s.value("", 0) }

// norm drops the in-toto statement's "predicate." prefix, so a document
// reads the same bare or wrapped in a statement.
func norm(path string) string { return strings.TrimPrefix(path, "predicate.") }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (s *docScan) value(path string, depth int) error {
	if depth > maxScanDepth {
		return errors.New("document nested too deeply")
	}
	tok, err := s.dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		for s.dec.More() {
			p := path + "[]"
			if v == '{' {
				kt, err := s.dec.Token()
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				p = join(path, key)
				if h := s.handler(p); h != nil {
					if err := h(); err != nil {
						return err
					}
					continue
				}
			}
			if err := s.value(p, depth+1); err != nil {
				return err
			}
		}
		_, err = s.dec.Token()
		return err
	case string:
		if n := norm(path); wantedStrings[n] && s.strs[n] == "" {
			s.strs[n] = v
		}
	}
	return nil
}

// handler returns the decoder for a path whose value a summary needs whole.
func (s *docScan) handler(path string) func() error {
	if path == "subject" {
		return func() error {
			return each(s, func(v struct{ Digest map[string]string }) {
				for alg, d := range v.Digest {
					s.subjects = append(s.subjects, alg+":"+d)
				}
			})
		}
	}
	switch norm(path) {
	case "packages":
		return func() error {
			return each(s, func(v struct{ Name, VersionInfo string }) { s.packages++; s.addTop(v.Name, v.VersionInfo) })
		}
	case "components":
		return func() error {
			return each(s, func(v struct{ Name, Version string }) { s.components++; s.addTop(v.Name, v.Version) })
		}
	case "statements":
		return func() error {
			return each(s, func(v struct {
				Vulnerability json.RawMessage
				Status        string
			}) {
				s.statements++
				s.vexStatus[v.Status]++
				s.addVuln(v.Vulnerability)
			})
		}
	case "invocation.configSource":
		return func() error { s.configSource = &material{}; return decodeLoose(s.dec, s.configSource) }
	case "materials":
		return func() error { return each(s, func(m material) { s.materials = append(s.materials, m) }) }
	case "buildDefinition.resolvedDependencies":
		return func() error { return each(s, func(m material) { s.deps = append(s.deps, m) }) }
	case "buildDefinition.externalParameters":
		return func() error { return decodeLoose(s.dec, &s.extParams) }
	case "critical":
		return func() error { s.critical = &simpleSigning{}; return decodeLoose(s.dec, s.critical) }
	}
	return nil
}

// decodeLoose decodes the next value, tolerating a shape that does not fit.
func decodeLoose(dec *json.Decoder, v any) error {
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return nil
	}
	return err
}

// each decodes the elements of an array one at a time.
func each[T any](s *docScan, fn func(T)) error {
	tok, err := s.dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		if ok { // an object where an array belongs: skip it
			return s.skip(d)
		}
		return nil
	}
	for s.dec.More() {
		var v T
		if err := decodeLoose(s.dec, &v); err != nil {
			return err
		}
		fn(v)
	}
	_, err = s.dec.Token()
	return err
}

func (s *docScan) skip(open json.Delim) error {
	depth := 1
	for depth > 0 {
		tok, err := s.dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func (s *docScan) addTop(name, version string) {
	if name == "" || len(s.top) >= topPackages {
		return
	}
	if version != "" {
		name += " " + version
	}
	s.top = append(s.top, name)
}

func (s *docScan) addVuln(raw json.RawMessage) {
	var name string
	var obj struct {
		Name string `json:"name"`
		ID   string `json:"@id"`
	}
	if json.Unmarshal(raw, &name) != nil && json.Unmarshal(raw, &obj) == nil {
		name = cmpOr(obj.Name, obj.ID)
	}
	if name != "" && len(s.vulns) < topPackages && !slices.Contains(s.vulns, name) {
		s.vulns = append(s.vulns, name)
	}
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
