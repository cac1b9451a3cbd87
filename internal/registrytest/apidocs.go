package registrytest

import "embed"

// apiDocs holds the API descriptions the emulators are checked against
// (apidocs/README.md says where each comes from). Embedding them keeps the
// test kit self-contained: no test reaches outside the repository.
//
//go:embed apidocs/hub-api apidocs/osv-api
var apiDocs embed.FS
