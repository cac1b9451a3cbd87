package tools_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

const rockyOSRelease = "NAME=\"Rocky Linux\"\nVERSION=\"9.2 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.2\"\nCPE_NAME=\"cpe:/o:rocky:rocky:9::baseos\"\n"

// pushRPMImage pushes an image whose rpm database is one of osv-scalibr's
// test databases, at dbPath, over an os-release; it returns its reference.
func pushRPMImage(t *testing.T, reg *registrytest.Registry, repo, dbPath, db, osRelease string) string {
	t.Helper()
	img, err := registrytest.Image(registrytest.ImageSpec{
		OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{
			registrytest.Layer(registrytest.File{Path: "etc/os-release", Content: osRelease}),
			registrytest.Layer(registrytest.File{Path: strings.TrimPrefix(dbPath, "/"), Content: string(registrytest.RPMDatabase(t, db))}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := (demo.Target{Host: reg.Host}).PushImage(repo, "latest", img); err != nil {
		t.Fatal(err)
	}
	return reg.Host + "/" + repo + ":latest"
}

func TestListImagePackagesReadsRPMDatabases(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)

	sqlite := pushRPMImage(t, e.reg, "rpm/rocky", "/var/lib/rpm/rpmdb.sqlite", registrytest.RPMSQLite, rockyOSRelease)
	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": sqlite, "name": "openssl"}))
	const loc = "/var/lib/rpm/rpmdb.sqlite"
	want := []inventory.Package{
		{Name: "openssl", Version: "3.0.7-6.el9_2", Type: "rpm", PURL: "pkg:rpm/rocky/openssl@3.0.7-6.el9_2?arch=x86_64&distro=rocky-9.2&epoch=1", Location: loc},
		{Name: "openssl-libs", Version: "3.0.7-6.el9_2", Type: "rpm", PURL: "pkg:rpm/rocky/openssl-libs@3.0.7-6.el9_2?arch=x86_64&distro=rocky-9.2&epoch=1", Location: loc},
	}
	if diff := cmp.Diff(want, out.Packages); diff != "" {
		t.Errorf("packages named openssl (-want +got):\n%s", diff)
	}
	all := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": sqlite, "type": "rpm", "limit": 1}))
	if all.Total != 141 || !cmp.Equal(all.Sources, []string{"rpm"}) || all.OS != (inventory.OS{ID: "rocky", VersionID: "9.2"}) {
		t.Errorf("total %d, sources %v, os %+v", all.Total, all.Sources, all.OS)
	}

	bdb := pushRPMImage(t, e.reg, "rpm/fedora", "/var/lib/rpm/Packages", registrytest.RPMBerkeleyDB,
		"NAME=Fedora\nID=fedora\nVERSION_ID=32\n")
	out = registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": bdb}))
	want = []inventory.Package{{Name: "hello", Version: "0.0.1-rls", Type: "rpm", PURL: "pkg:rpm/fedora/hello@0.0.1-rls?arch=x86_64&distro=fedora-32&epoch=1", Location: "/var/lib/rpm/Packages"}}
	if diff := cmp.Diff(want, out.Packages); diff != "" || !cmp.Equal(out.Sources, []string{"rpm"}) {
		t.Errorf("Berkeley DB packages (-want +got):\n%s\nsources %v", diff, out.Sources)
	}
}

// rpmOSV is a one-record OSV service that keeps the queries it is sent:
// the record affects Rocky Linux 9's openssl-libs before 1:3.0.7-16.el9_2.
type rpmOSV struct {
	mu      sync.Mutex
	queries []string // "ecosystem|name|version"
}

func (o *rpmOSV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet && r.URL.Path == "/v1/vulns/RLSA-TEST-0001" {
		_, _ = w.Write([]byte(`{"id":"RLSA-TEST-0001","modified":"2026-01-01T00:00:00Z","summary":"openssl: a test advisory",
 "database_specific":{"severity":"Important"},
 "affected":[{"package":{"ecosystem":"Rocky Linux:9","name":"openssl-libs"},
  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:3.0.7-16.el9_2"}]}]}]}`))
		return
	}
	var req struct {
		Queries []struct {
			Package struct{ Ecosystem, Name string }
			Version string
		}
	}
	if r.URL.Path != "/v1/querybatch" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, `{"code":3,"message":"bad request"}`, http.StatusBadRequest)
		return
	}
	type ref struct{ ID, Modified string }
	type result struct {
		Vulns []ref `json:"vulns,omitempty"`
	}
	var results []result
	o.mu.Lock()
	for _, q := range req.Queries {
		o.queries = append(o.queries, q.Package.Ecosystem+"|"+q.Package.Name+"|"+q.Version)
		var res result
		if q.Package.Ecosystem == "Rocky Linux:9" && q.Package.Name == "openssl-libs" && q.Version == "1:3.0.7-6.el9_2" {
			res.Vulns = []ref{{"RLSA-TEST-0001", "2026-01-01T00:00:00Z"}}
		}
		results = append(results, res)
	}
	o.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"results": results})
}

// Rocky Linux packages are asked about under OSV's "Rocky Linux:9", with
// their epoch, and a fix written with an epoch is understood.
func TestScanMapsRPMsToOSV(t *testing.T) {
	t.Parallel()
	reg, err := registrytest.Start(registrytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	ref := pushRPMImage(t, reg, "rpm/rocky", "/var/lib/rpm/rpmdb.sqlite", registrytest.RPMSQLite, rockyOSRelease)
	fake := &rpmOSV{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cs := trustConnect(t, oci.New(withTTL), srv.URL)

	out := registrytest.Decode[tools.ScanOutput](t, registrytest.Call(t, cs, "scan_image_vulnerabilities", map[string]any{"image_ref": ref}))
	if diff := cmp.Diff([]shown{{"RLSA-TEST-0001", "openssl-libs", "1:3.0.7-6.el9_2", "1:3.0.7-16.el9_2", "high"}}, shownOf(out.Vulnerabilities)); diff != "" {
		t.Errorf("vulnerabilities (-want +got):\n%s", diff)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if out.PackagesScanned != 141 || len(fake.queries) != 141 {
		t.Errorf("%d packages scanned, %d queries; want all 141 rpms", out.PackagesScanned, len(fake.queries))
	}
	for _, q := range []string{"Rocky Linux:9|alternatives|1.20-2.el9", "Rocky Linux:9|tar|2:1.34-6.el9_1"} {
		if !strings.Contains(strings.Join(fake.queries, "\n")+"\n", q+"\n") {
			t.Errorf("no query %q among %v", q, fake.queries[:5])
		}
	}
}
