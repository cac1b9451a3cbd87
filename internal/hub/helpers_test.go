package hub_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// newClient returns a client of h; the account is used when authenticated.
func newClient(h *registrytest.Hub, authenticated bool, opts ...func(*hub.Options)) *hub.Client {
	o := hub.Options{BaseURL: h.URL, ScoutURL: h.ScoutURL}
	if authenticated {
		o.Username, o.Token = registrytest.HubUser, registrytest.HubToken
	}
	for _, f := range opts {
		f(&o)
	}
	return hub.New(o)
}

// clock is a time source that tests move forward.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time             { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration)    { c.offset.Add(int64(d)) }
func withClock(c *clock) func(*hub.Options) { return func(o *hub.Options) { o.Now = c.now } }

// wantErr checks that err wraps want (nil for success) and never carries the
// account's secret or an Authorization header.
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want one wrapping %q", err, want)
	}
	if err != nil {
		for _, secret := range []string{registrytest.HubToken, "Bearer ", "eyJ"} {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error text carries a credential (%q): %v", secret, err)
			}
		}
	}
}

const (
	repoEndpoint  = "GET /v2/namespaces/{namespace}/repositories/{repository}"
	reposEndpoint = "GET /v2/namespaces/{namespace}/repositories"
	tagsEndpoint  = "GET /v2/namespaces/{namespace}/repositories/{repository}/tags"
	patchEndpoint = "PATCH /v2/namespaces/{namespace}/repositories/{repository}"
	postEndpoint  = "POST /v2/namespaces/{namespace}/repositories"
)

// needsAccountVars returns the variables a NeedsAccountError names, joined by
// " and ", or "" when err is not one: the advice itself is written by the
// tools' error translation.
func needsAccountVars(err error) string {
	var na *errdef.NeedsAccountError
	if !errors.As(err, &na) {
		return ""
	}
	return strings.Join(na.Vars, " and ")
}
