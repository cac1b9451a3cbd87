package registrytest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// The emulator's records. Times are fixed so that tests can compare them.
type (
	hubAccount struct {
		username, token string
		orgs            []string // organisations it owns
	}
	hubProfile struct {
		id, name, fullName, location, company, badge string
		org                                          bool
		joined                                       time.Time
	}
	hubRepo struct {
		namespace, name, description, full string
		private                            bool
		status                             int // 1 active, 0 inactive
		stars, pulls                       int64
		registered, updated                time.Time
		categories                         []hubCategory
		contentTypes                       []string
		tags                               []*hubTag // most recently pushed first
	}
	hubCategory struct{ name, slug string }
	hubTag      struct {
		name, digest, mediaType string
		active                  bool
		pushed, pulled          time.Time
		images                  []hubImage
	}
	hubImage struct {
		os, arch, variant, digest string
		size                      int64
	}
	hubSearchEntry struct {
		name, typ, badge, publisher, description, pullCount string
		stars                                               int64
		updated                                             time.Time
	}
	hubMirror struct{ org, dest, source, display string }
)

var hubSeedTime = time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC)

// Platforms used by the seeded images.
var (
	hubAMD64   = hubImage{os: "linux", arch: "amd64"}
	hubARM64   = hubImage{os: "linux", arch: "arm64", variant: "v8"}
	hubARMv7   = hubImage{os: "linux", arch: "arm", variant: "v7"}
	hubPPC64LE = hubImage{os: "linux", arch: "ppc64le"}
)

func (h *Hub) seed() {
	h.addProfile(&hubProfile{name: "library", fullName: "Docker Official Images", company: "Docker, Inc.", org: true, joined: hubSeedTime})
	h.addProfile(&hubProfile{name: HubOrg, fullName: "Acme Corporation", location: "Springfield", company: "Acme", org: true, badge: "verified_publisher", joined: hubSeedTime.AddDate(3, 0, 0)})
	h.addProfile(&hubProfile{name: HubUser, fullName: "Alice Liddell", location: "Oxford", company: "Wonderland Ltd", joined: hubSeedTime.AddDate(1, 2, 3)})
	h.addProfile(&hubProfile{name: "bob", fullName: "Bob Builder", joined: hubSeedTime.AddDate(2, 0, 0)})
	h.accounts[HubUser] = &hubAccount{username: HubUser, token: HubToken, orgs: []string{HubOrg}}

	day := func(n int) time.Time { return time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	osCats := []hubCategory{{"Operating systems", "operating-systems"}}
	webCats := []hubCategory{{"Web servers", "web-servers"}}
	dbCats := []hubCategory{{"Databases & storage", "databases-and-storage"}}
	h.addRepo(&hubRepo{namespace: "library", name: "alpine", description: "A minimal Docker image based on Alpine Linux with a complete package index and only 5 MB in size!",
		stars: 11200, pulls: 10_812_345_678, categories: osCats},
		hubTagOf("latest", day(40), hubARMv7, hubAMD64, hubARM64), hubTagOf("3.21", day(40), hubARMv7, hubAMD64, hubARM64),
		hubTagOf("3.20", day(30), hubAMD64, hubARM64), hubTagOf("edge", day(20), hubAMD64, hubARM64, hubPPC64LE))
	h.addRepo(&hubRepo{namespace: "library", name: "nginx", description: "Official build of Nginx.", stars: 20700, pulls: 12_100_000_000, categories: webCats},
		hubTagOf("latest", day(41), hubAMD64, hubARM64), hubTagOf("1.27", day(41), hubAMD64, hubARM64),
		hubTagOf("1.27-alpine", day(39), hubAMD64, hubARM64, hubARMv7), hubTagOf("stable", day(10), hubAMD64))
	h.addRepo(&hubRepo{namespace: "library", name: "postgres", description: "The PostgreSQL object-relational database system provides reliability and data integrity.",
		stars: 14300, pulls: 5_800_000_000, categories: dbCats},
		hubTagOf("latest", day(35), hubAMD64, hubARM64, hubPPC64LE), hubTagOf("17", day(35), hubAMD64, hubARM64, hubPPC64LE),
		hubTagOf("17-alpine", day(34), hubAMD64, hubARM64), hubTagOf("16", day(33), hubAMD64, hubARM64))

	h.addRepo(&hubRepo{namespace: HubUser, name: "webapp", description: "Alice's web application", stars: 3, pulls: 1234},
		hubTagOf("latest", day(5), hubAMD64), hubTagOf("v1", day(2), hubAMD64))
	h.addRepo(&hubRepo{namespace: HubUser, name: "secret-app", description: "Private work", private: true, pulls: 12},
		hubTagOf("latest", day(6), hubAMD64, hubARM64))
	h.addRepo(&hubRepo{namespace: HubUser, name: "old-tool", description: "Never pushed", status: 0})
	h.addRepo(&hubRepo{namespace: "bob", name: "tools", description: "Bob's tools", pulls: 42}, hubTagOf("latest", day(1), hubAMD64))

	// acme/api has enough tags for several pages.
	var apiTags []*hubTag
	for i := 24; i >= 0; i-- {
		apiTags = append(apiTags, hubTagOf(fmt.Sprintf("1.0.%d", i), day(i), hubAMD64, hubARM64))
	}
	h.addRepo(&hubRepo{namespace: HubOrg, name: "api", description: "Acme's public API server", stars: 12, pulls: 512_000}, apiTags...)
	h.addRepo(&hubRepo{namespace: HubOrg, name: "internal", description: "Internal tooling", private: true}, hubTagOf("latest", day(3), hubAMD64))
	h.addRepo(&hubRepo{namespace: HubOrg, name: "dhi-python", description: "Mirror of dhi/python", private: true}, hubTagOf("3.13", day(12), hubAMD64, hubARM64))
	h.addRepo(&hubRepo{namespace: HubOrg, name: "dhi-node", description: "Mirror of dhi/node", private: true}, hubTagOf("22", day(11), hubAMD64, hubARM64))
	h.mirrors = []hubMirror{
		{org: HubOrg, dest: "dhi-python", source: "python", display: "Python"},
		{org: HubOrg, dest: "dhi-node", source: "node", display: "Node.js"},
	}

	h.search = []hubSearchEntry{
		{name: "alpine", typ: "image", badge: "official", publisher: "Docker Official Images", description: "A minimal Docker image based on Alpine Linux", pullCount: "1B+", stars: 11200, updated: day(40)},
		{name: "nginx", typ: "image", badge: "official", publisher: "Docker Official Images", description: "Official build of Nginx.", pullCount: "1B+", stars: 20700, updated: day(41)},
		{name: "postgres", typ: "image", badge: "official", publisher: "Docker Official Images", description: "The PostgreSQL object-relational database system", pullCount: "1B+", stars: 14300, updated: day(35)},
		{name: "bitnami/nginx", typ: "image", badge: "verified_publisher", publisher: "VMware", description: "Bitnami container image for NGINX", pullCount: "100M+", stars: 200, updated: day(38)},
		{name: "nginxinc/nginx-unprivileged", typ: "image", badge: "open_source", publisher: "NGINX, Inc.", description: "Unprivileged NGINX Dockerfiles", pullCount: "500K+", stars: 150, updated: day(37)},
		{name: "dhi/nginx", typ: "dhi", badge: "hardened", publisher: "Docker", description: "Docker Hardened Image for nginx", pullCount: "10K+", stars: 5, updated: day(42)},
		{name: HubUser + "/webapp", typ: "image", publisher: HubUser, description: "Alice's web application using nginx", pullCount: "1.2K", stars: 3, updated: day(5)},
	}
}

func (h *Hub) addProfile(p *hubProfile) {
	p.id = hubID(p.name)
	h.profiles[p.name] = p
}

func (h *Hub) addRepo(r *hubRepo, tags ...*hubTag) {
	r.tags = tags
	r.registered = hubSeedTime
	r.contentTypes = []string{"image"}
	if len(tags) > 0 {
		r.status = 1
		r.updated = tags[0].pushed
	} else {
		r.updated = hubSeedTime
	}
	for _, t := range tags {
		t.digest = hubDigest(r.namespace, r.name, t.name)
		for i := range t.images {
			im := &t.images[i]
			im.digest = hubDigest(r.namespace, r.name, t.name, im.os, im.arch, im.variant)
		}
	}
	h.repos[r.namespace+"/"+r.name] = r
}

// hubTagOf makes a multi-platform tag pushed at pushed. Sizes differ by platform
// so that tests can tell images apart.
func hubTagOf(name string, pushed time.Time, platforms ...hubImage) *hubTag {
	t := &hubTag{name: name, mediaType: "application/vnd.oci.image.index.v1+json", pushed: pushed, pulled: pushed.Add(48 * time.Hour), active: true}
	if len(platforms) == 1 {
		t.mediaType = "application/vnd.oci.image.manifest.v1+json"
	}
	for i, p := range platforms {
		p.size = int64(3_500_000 + 100_000*i + len(name))
		t.images = append(t.images, p)
	}
	if pushed.Before(time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)) {
		t.active = false
	}
	return t
}

func hubDigest(parts ...string) string {
	sum := sha256.Sum256(fmt.Append(nil, parts))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func hubID(name string) string {
	sum := sha256.Sum256([]byte("id:" + name))
	return hex.EncodeToString(sum[:16])
}
