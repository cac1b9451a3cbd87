package inventory

import (
	"fmt"
	"regexp"
	"strings"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gobinary"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/archive"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagejson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/wheelegg"
	"github.com/google/osv-scalibr/extractor/filesystem/os/apk"
	"github.com/google/osv-scalibr/extractor/filesystem/os/dpkg"
	"github.com/google/osv-scalibr/extractor/filesystem/os/rpm"
)

// Sources: what a package was read from, as results name it.
const (
	SourceDpkg     = "dpkg"
	SourceApk      = "apk"
	SourceRPM      = "rpm"
	SourceGoBinary = "go-binary"
	SourcePython   = "python"
	SourceNPM      = "npm"
	SourceJava     = "java"
	SourceSBOM     = "sbom"
)

// kind is one package format and the extractor that reads it.
type kind struct {
	source string
	ex     filesystem.Extractor
	// accept narrows the extractor's own choice of files, when set.
	accept func(rel string, f File) bool
	// whole marks files parsed on arrival (binaries, archives) instead of
	// kept for Finish.
	whole bool
	// elfOnly reads a file only if it starts like an ELF executable.
	elfOnly bool
}

// sharedLibrary matches libfoo.so and libfoo.so.1.2: never Go programs.
var sharedLibrary = regexp.MustCompile(`\.so(\.[0-9]+)*$`)

// kinds lists the formats, OS databases first.
func kinds() []kind {
	cfg := &cpb.PluginConfig{}
	must := func(ex filesystem.Extractor, err error) filesystem.Extractor {
		if err != nil {
			panic(fmt.Sprintf("inventory: building an extractor: %v", err)) // a programming error, caught by every test
		}
		return ex
	}
	return []kind{
		{source: SourceDpkg, ex: must(dpkg.New(cfg))},
		{source: SourceApk, ex: must(apk.New(cfg))},
		{source: SourceRPM, ex: must(rpm.New(cfg))},
		{source: SourcePython, ex: must(wheelegg.New(cfg)), accept: notArchive},
		// package.json files elsewhere are an application's sources, not
		// installed packages.
		{source: SourceNPM, ex: must(packagejson.New(cfg)), accept: func(rel string, _ File) bool {
			return strings.Contains("/"+rel, "/node_modules/")
		}},
		{source: SourceJava, ex: must(archive.New(cfg)), whole: true},
		// scalibr considers any executable and every shared library; only
		// executables can be Go programs.
		{source: SourceGoBinary, ex: must(gobinary.New(cfg)), whole: true, elfOnly: true, accept: func(rel string, f File) bool {
			return f.Mode&0o111 != 0 && !sharedLibrary.MatchString(rel)
		}},
	}
}

// notArchive keeps the Python extractor to installed metadata
// (dist-info/METADATA, egg-info/PKG-INFO): .whl and .egg archives lying
// in an image are downloads, not installed packages.
func notArchive(rel string, _ File) bool {
	return !strings.HasSuffix(rel, ".whl") && !strings.HasSuffix(rel, ".egg")
}
