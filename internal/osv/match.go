package osv

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Match is a vulnerability that affects a package version asked about.
type Match struct {
	Query Query
	Vuln  *Vulnerability
}

// Result is what the service knows about a set of package versions.
type Result struct {
	Matches []Match
	// QueriedAt is when the oldest answer used was obtained from the
	// service (answers are reused for the result TTL).
	QueriedAt time.Time
}

// Match asks which vulnerabilities affect each package version: one
// querybatch per thousand versions not answered recently (following page
// tokens), then one request per record not already held at its
// modification time. Withdrawn records are left out.
func (c *Client) Match(ctx context.Context, queries []Query) (*Result, error) {
	refs, at, err := c.vulnIDs(ctx, queries)
	if err != nil {
		return nil, err
	}
	records, err := c.fetchRecords(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := &Result{QueriedAt: at}
	for _, q := range uniq(queries) {
		for _, r := range refs[q] {
			if v := records[r.key()]; v != nil && v.Withdrawn == "" {
				out.Matches = append(out.Matches, Match{Query: q, Vuln: v})
			}
		}
	}
	return out, nil
}

func (r vulnRef) key() string { return r.ID + "@" + r.Modified }

func uniq(queries []Query) []Query {
	seen := map[Query]bool{}
	out := queries[:0:0]
	for _, q := range queries {
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

// vulnIDs answers each query from the cache or the service.
func (c *Client) vulnIDs(ctx context.Context, queries []Query) (map[Query][]vulnRef, time.Time, error) {
	now := c.now()
	oldest := now
	out := map[Query][]vulnRef{}
	var missing []Query
	c.mu.Lock()
	for _, q := range uniq(queries) {
		if r, ok := c.results[q]; ok && now.Sub(r.at) < c.ttl {
			out[q] = r.vulns
			oldest = minTime(oldest, r.at)
			continue
		}
		missing = append(missing, q)
	}
	c.mu.Unlock()
	for start := 0; start < len(missing); start += MaxBatchQueries {
		chunk := missing[start:min(start+MaxBatchQueries, len(missing))]
		got, err := c.batch(ctx, chunk)
		if err != nil {
			return nil, time.Time{}, err
		}
		c.mu.Lock()
		if len(c.results)+len(got) > maxResults {
			clear(c.results)
		}
		for q, refs := range got {
			out[q] = refs
			c.results[q] = cachedResult{vulns: refs, at: now}
		}
		c.mu.Unlock()
	}
	return out, oldest, nil
}

// batch runs one querybatch of at most MaxBatchQueries, following page
// tokens: a query with more vulnerabilities than the service returns at
// once is asked again with its token, together with the others that
// still have pages.
func (c *Client) batch(ctx context.Context, queries []Query) (map[Query][]vulnRef, error) {
	out := make(map[Query][]vulnRef, len(queries))
	pending := make([]wireQuery, len(queries))
	owners := make([]Query, len(queries))
	for i, q := range queries {
		pending[i] = wireQuery{Package: Package{Ecosystem: q.Ecosystem, Name: q.Name}, Version: q.Version}
		owners[i] = q
		out[q] = nil
	}
	for page := 0; len(pending) > 0; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("%w: more than %d pages of results for one query", errdef.ErrTooLarge, maxPages)
		}
		var resp batchResponse
		if err := c.call(ctx, http.MethodPost, "/v1/querybatch", batchRequest{Queries: pending}, MaxBatchBytes, &resp); err != nil {
			return nil, err
		}
		if len(resp.Results) != len(pending) {
			return nil, &ServiceError{Source: c.source, Err: fmt.Errorf("%w: querybatch answered %d results for %d queries", errdef.ErrBadResponse, len(resp.Results), len(pending))}
		}
		var next []wireQuery
		var nextOwners []Query
		for i, r := range resp.Results {
			out[owners[i]] = append(out[owners[i]], r.Vulns...)
			if r.NextPageToken != "" {
				q := pending[i]
				q.PageToken = r.NextPageToken
				next = append(next, q)
				nextOwners = append(nextOwners, owners[i])
			}
		}
		pending, owners = next, nextOwners
	}
	return out, nil
}

// fetchRecords returns every record named, fetching those not held.
func (c *Client) fetchRecords(ctx context.Context, refs map[Query][]vulnRef) (map[string]*Vulnerability, error) {
	out := map[string]*Vulnerability{}
	var missing []vulnRef
	c.mu.Lock()
	for _, rs := range refs {
		for _, r := range rs {
			if _, done := out[r.key()]; done {
				continue
			}
			if v, ok := c.records[r.key()]; ok {
				out[r.key()] = v
				continue
			}
			out[r.key()] = nil
			missing = append(missing, r)
		}
	}
	c.mu.Unlock()
	fetched := make([]*Vulnerability, len(missing))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchers)
	for i, r := range missing {
		g.Go(func() error {
			var v Vulnerability
			if err := c.call(gctx, http.MethodGet, "/v1/vulns/"+url.PathEscape(r.ID), nil, MaxRecordBytes, &v); err != nil {
				return err
			}
			fetched[i] = &v
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.records)+len(missing) > maxRecords {
		clear(c.records)
	}
	for i, r := range missing {
		out[r.key()] = fetched[i]
		c.records[r.key()] = fetched[i]
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
