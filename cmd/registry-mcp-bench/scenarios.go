package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// scenario is one tool call to measure.
type scenario struct {
	tool  string
	label string
	args  map[string]any
	// repos are the repositories the call reads. A cold call is measured on
	// a new server whose registry token for them was obtained beforehand, as
	// issue 5's targets count; without repos the cold figure includes the
	// ping and the token exchange.
	repos []string
}

// scenarios lists what is measured for each tool, from the standard
// fixtures. A registered registry tool missing here is reported as such.
func scenarios(fx *registrytest.Fixtures) []scenario {
	host := fx.Host
	ref := fx.Ref
	repoOf := func(repoTag string) string { return host + "/" + strings.SplitN(repoTag, ":", 2)[0] }
	s := fx.Supply
	var out []scenario
	add := func(tool, label string, args map[string]any, repos ...string) {
		out = append(out, scenario{tool: tool, label: label, args: args, repos: repos})
	}
	add("get_image_info", "single-platform", map[string]any{"image_ref": ref(fx.App)}, repoOf(fx.App))
	add("get_image_info", "index (3 platforms)", map[string]any{"image_ref": ref(fx.Multi)}, repoOf(fx.Multi))
	add("get_image_info", "by digest", map[string]any{"image_ref": host + "/" + strings.Split(fx.App, ":")[0] + "@" + fx.AppDigest}, repoOf(fx.App))
	add("get_image_manifest", "index", map[string]any{"image_ref": ref(fx.Multi)}, repoOf(fx.Multi))
	add("get_image_config", "single-platform", map[string]any{"image_ref": ref(fx.App)}, repoOf(fx.App))
	add("get_image_details", "single-platform", map[string]any{"image_ref": ref(fx.App)}, repoOf(fx.App))
	add("list_tags", "first page", map[string]any{"repository": host + "/" + fx.TagsRepo}, host+"/"+fx.TagsRepo)
	add("list_tags", "semver-desc", map[string]any{"repository": host + "/" + fx.TagsRepo, "sort": "semver-desc", "limit": 20}, host+"/"+fx.TagsRepo)
	add("list_tags", "pattern 2.5*", map[string]any{"repository": host + "/" + fx.TagsRepo, "pattern": "2.5*"}, host+"/"+fx.TagsRepo)
	if s.Signed != "" {
		add("list_referrers", "signed image", map[string]any{"image_ref": ref(s.Signed)}, repoOf(s.Signed))
		if d := s.Referrers["sbom"]; d != "" {
			add("get_referrer_content", "SPDX SBOM", map[string]any{"image_ref": ref(s.Signed), "digest": d}, repoOf(s.Signed))
		}
	}
	if s.Layered != "" {
		add("list_image_files", "3 layers", map[string]any{"image_ref": ref(s.Layered)}, repoOf(s.Layered))
		add("read_image_file", "/etc/os-release", map[string]any{"image_ref": ref(s.Layered), "path": "/etc/os-release"}, repoOf(s.Layered))
	}
	if s.AppNext != "" {
		add("compare_images", "app 1.0 vs 1.1", map[string]any{"image_ref_a": ref(fx.App), "image_ref_b": ref(s.AppNext)}, repoOf(fx.App))
	}
	add("list_repositories", "first page", map[string]any{"registry": host})
	if s.RateLimit != "" {
		add("get_rate_limit", "HEAD", map[string]any{"registry": host}, repoOf(s.RateLimit))
	}
	return out
}

// tools measures every scenario of every registered registry tool.
func (b *bench) tools(ctx context.Context, w io.Writer) error {
	all := append(scenarios(b.fx), trustScenarios(b.trust, b.signed)...)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "Per call: registry requests and latency. cold: a new server (token held); warm: within the TTL;")
	fmt.Fprintln(w, "reval: after the TTL; replica: a new server (no token yet) sharing Redis with one that made the call")
	fmt.Fprintln(tw, "tool\tscenario\tcold req\tp50\tp95\twarm req\tp50\tp95\treval req\tp50\tp95\treplica req\tp50\tp95\t")
	var breakdown []string
	var missing []string
	for _, t := range tools.List(tools.Options{Toolsets: []string{tools.ToolsetRegistry, tools.ToolsetTrust}, ReadOnly: true}) {
		if len(b.o.only) > 0 && !slices.Contains(b.o.only, t.Name) {
			continue
		}
		found := false
		for _, sc := range all {
			if sc.tool != t.Name {
				continue
			}
			found = true
			cold, kinds := b.cold(ctx, sc, false)
			warm := b.warm(ctx, sc)
			reval := b.revalidated(ctx, sc)
			replica := &series{}
			if b.redisURL != "" {
				replica = b.replica(ctx, sc)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", sc.tool, sc.label,
				cold.requests(), cold.percentile(50), cold.percentile(95),
				warm.requests(), warm.percentile(50), warm.percentile(95),
				reval.requests(), reval.percentile(50), reval.percentile(95),
				replica.requests(), replica.percentile(50), replica.percentile(95))
			note := byKind(kinds)
			if len(sc.repos) == 0 {
				note += " (includes the ping and token exchange)"
			}
			for _, s := range []*series{cold, warm, reval, replica} {
				if s.err != nil {
					note = "error: " + s.err.Error()
					break
				}
			}
			breakdown = append(breakdown, fmt.Sprintf("  %-22s %-22s %s", sc.tool, sc.label, note))
		}
		if !found {
			missing = append(missing, t.Name)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nCold requests by kind (first call of a new server, after its token was obtained):")
	fmt.Fprintln(w, strings.Join(breakdown, "\n"))
	if len(missing) > 0 {
		fmt.Fprintf(w, "\nNo scenario yet for: %s\n", strings.Join(missing, ", "))
	}
	return nil
}

// replica measures the first call of new servers sharing Redis with one
// that has made the call: what a replica behind a load balancer pays for
// what another replica fetched.
func (b *bench) replica(ctx context.Context, sc scenario) *series {
	first, err := b.newInstance(ctx, time.Hour, true)
	if err != nil {
		return &series{err: err}
	}
	err = call(ctx, first.cs, sc.tool, sc.args)
	first.close()
	if err != nil {
		return &series{err: err}
	}
	s, _ := b.cold(ctx, sc, true)
	return s
}

// cold measures the first call of new servers, each having obtained its
// token for the scenario's repositories (list_tags with limit 1) first,
// unless shared: then each is a fresh replica sharing Redis.
func (b *bench) cold(ctx context.Context, sc scenario, shared bool) (*series, map[string]int) {
	s := &series{}
	var kinds map[string]int
	for range b.o.n {
		in, err := b.newInstance(ctx, time.Hour, shared)
		if err != nil {
			s.err = err
			return s, nil
		}
		for _, repo := range sc.repos {
			if shared {
				break // a fresh replica: whatever it needs that Redis lacks includes its token
			}
			if err := call(ctx, in.cs, "list_tags", map[string]any{"repository": repo, "limit": 1}); err != nil {
				in.close()
				s.err = fmt.Errorf("token warm-up: %w", err)
				return s, nil
			}
		}
		b.reg.Reset()
		osvBefore := b.osv.requests.Load()
		start := time.Now()
		err = call(ctx, in.cs, sc.tool, sc.args)
		d := time.Since(start)
		in.close()
		if err != nil {
			s.err = err
			return s, nil
		}
		kinds = b.reg.Counts()
		if n := b.osv.requests.Load() - osvBefore; n > 0 {
			kinds["OSV requests"] = int(n) // not in the registry columns
		}
		s.add(d, b.reg.Total())
	}
	return s, kinds
}

// warm measures repeated calls within the TTL: -warm of them, or as many
// as fit in a second (at least -n).
func (b *bench) warm(ctx context.Context, sc scenario) *series {
	s := &series{}
	in, err := b.newInstance(ctx, time.Hour, false)
	if err != nil {
		s.err = err
		return s
	}
	defer in.close()
	if s.err = call(ctx, in.cs, sc.tool, sc.args); s.err != nil {
		return s
	}
	// Bounded in time too: a call that streams layers is slow even warm.
	deadline := time.Now().Add(time.Second)
	for i := range b.o.warm {
		if i >= b.o.n && time.Now().After(deadline) {
			break
		}
		b.reg.Reset()
		start := time.Now()
		if s.err = call(ctx, in.cs, sc.tool, sc.args); s.err != nil {
			return s
		}
		s.add(time.Since(start), b.reg.Total())
	}
	return s
}

// revalidated measures calls made just after the tag TTL ran out.
func (b *bench) revalidated(ctx context.Context, sc scenario) *series {
	s := &series{}
	in, err := b.newInstance(ctx, b.o.ttl, false)
	if err != nil {
		s.err = err
		return s
	}
	defer in.close()
	if s.err = call(ctx, in.cs, sc.tool, sc.args); s.err != nil {
		return s
	}
	for range b.o.n {
		time.Sleep(b.o.ttl + 5*time.Millisecond)
		b.reg.Reset()
		start := time.Now()
		if s.err = call(ctx, in.cs, sc.tool, sc.args); s.err != nil {
			return s
		}
		s.add(time.Since(start), b.reg.Total())
	}
	return s
}
