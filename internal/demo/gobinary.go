package demo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
)

// Module is a Go module a sample binary records in its build information.
type Module struct {
	Path, Version string
}

// The build information blob of a Go binary (Go 1.18 and later), as
// debug/buildinfo reads it: a 32-byte header starting with this magic,
// whose flags byte says the version and module strings follow inline, each
// prefixed by its length as a varint. The module string is framed by two
// 16-byte sentinels (runtime/debug's modinfo markers).
var (
	buildInfoMagic = []byte("\xff Go buildinf:")
	modInfoStart   = []byte("0w\xaf\x0c\x92t\b\x02A\xe1\xc1\a\xe6\xd6\x18\xe6")
	modInfoEnd     = []byte("\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")
)

const flagsVersionInline = 0x2

// GoBinary returns a minimal ELF executable carrying only Go build
// information: the toolchain version, the main module and its
// dependencies. It does not run; it lets scanners see a Go program of a
// chosen vintage without shipping a real one (a real binary is megabytes).
// The file has one writable PT_LOAD segment holding the blob, which is
// where debug/buildinfo looks when there is no .go.buildinfo section.
func GoBinary(goVersion, mainPath string, deps []Module) []byte {
	var mod bytes.Buffer
	mod.Write(modInfoStart)
	fmt.Fprintf(&mod, "path\t%s\nmod\t%s\t(devel)\t\n", mainPath, mainPath)
	sorted := append([]Module(nil), deps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	for _, d := range sorted {
		fmt.Fprintf(&mod, "dep\t%s\t%s\t\n", d.Path, d.Version)
	}
	mod.Write(modInfoEnd)

	var blob bytes.Buffer
	blob.Write(buildInfoMagic)
	blob.WriteByte(8) // pointer size
	blob.WriteByte(flagsVersionInline)
	blob.Write(make([]byte, 32-blob.Len()))
	for _, s := range []string{goVersion, mod.String()} {
		blob.Write(binary.AppendUvarint(nil, uint64(len(s))))
		blob.WriteString(s)
	}

	const (
		ehSize, phSize = 64, 56
		dataOff        = 128 // after both headers, 16-byte aligned as the search expects
		vaddr          = 0x10000 + dataOff
	)
	var f bytes.Buffer
	le := binary.LittleEndian
	f.Write([]byte{0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little endian */, 1 /* version */})
	f.Write(make([]byte, 16-f.Len()))
	put16 := func(v uint16) { f.Write(le.AppendUint16(nil, v)) }
	put32 := func(v uint32) { f.Write(le.AppendUint32(nil, v)) }
	put64 := func(v uint64) { f.Write(le.AppendUint64(nil, v)) }
	put16(2)  // ET_EXEC
	put16(62) // EM_X86_64
	put32(1)  // EV_CURRENT
	put64(0)  // entry
	put64(ehSize)
	put64(0) // no section headers
	put32(0) // flags
	put16(ehSize)
	put16(phSize)
	put16(1) // one program header
	put16(64)
	put16(0)
	put16(0)
	// The program header: PT_LOAD, readable and writable, not executable.
	put32(1)     // PT_LOAD
	put32(4 | 2) // PF_R | PF_W
	put64(dataOff)
	put64(vaddr)
	put64(vaddr)
	size := uint64(blob.Len()) //nolint:gosec // a length is never negative
	put64(size)
	put64(size)
	put64(16)
	f.Write(make([]byte, dataOff-f.Len()))
	f.Write(blob.Bytes())
	return f.Bytes()
}
