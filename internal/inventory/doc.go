// Package inventory finds the software packages inside a container image:
// the distribution's package database (dpkg, apk, rpm), Go binaries' module
// build information, Python site-packages metadata, npm package.json files
// under node_modules and Java archives.
//
// The parsing is osv-scalibr's (github.com/google/osv-scalibr): its
// extractors know each format and which files hold it. This package does
// not walk a filesystem itself. A Collector is fed the files of an image's
// merged filesystem as a layer walk meets them: Want says which paths are
// worth reading (so everything else is skipped in the layer stream), Add
// takes one file's content, and Finish turns what was read into packages
// with purls and the OSV ecosystem each belongs to.
//
// Files are read under bounds: a per-file cap for databases and metadata,
// a larger one for executables and archives (which must be held whole to
// be parsed), and a cap on everything kept until Finish.
package inventory
