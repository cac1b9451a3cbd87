package demo

// Package databases of the sample "trust" images, holding versions with
// known vulnerabilities (the sample OSV service in osv.go knows them).

// DebianOSRelease is Debian 12's /etc/os-release (abridged).
const DebianOSRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`

// DebianStatus is a dpkg status file: openssl 3.0.11 (fixed later in
// 3.0.13), its library libssl3 (source package openssl), zlib with an old
// version, and a package that was removed (config files only), which is
// not installed and must not be reported.
const DebianStatus = `Package: base-files
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - cryptographic utility

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime

Package: oldtool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Description: removed long ago
`

// AlpineOSRelease is Alpine 3.20's /etc/os-release.
const AlpineOSRelease = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.0
PRETTY_NAME="Alpine Linux v3.20"
`

// AlpineInstalled is an apk database: busybox 1.36.1-r28 (fixed in -r29).
const AlpineInstalled = `C:Q1sample0000000000000000000000000=
P:busybox
V:1.36.1-r28
A:x86_64
S:508000
I:1000000
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1700000000

C:Q1sample1111111111111111111111111=
P:musl
V:1.2.5-r0
A:x86_64
S:400000
I:600000
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1700000000

`

// SampleGoBinary is a Go program built with go1.21.0 that depends on
// golang.org/x/net v0.17.0: both have published advisories.
func SampleGoBinary() []byte {
	return GoBinary("go1.21.0", "example.com/demo/server", []Module{
		{Path: "golang.org/x/net", Version: "v0.17.0"},
		{Path: "golang.org/x/text", Version: "v0.14.0"},
	})
}

// PythonMetadata is an installed distribution's METADATA: requests 2.31.0
// (fixed in 2.32.0).
const PythonMetadata = `Metadata-Version: 2.1
Name: requests
Version: 2.31.0
Summary: Python HTTP for Humans.
`

// NPMPackageJSON is an installed npm package: lodash 4.17.20 (fixed in 4.17.21).
const NPMPackageJSON = `{"name": "lodash", "version": "4.17.20", "description": "Lodash modular utilities."}
`
