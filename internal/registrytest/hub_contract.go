package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/oasdiff/yaml"
)

// The Hub emulator is checked against Docker's own API documents, kept in
// apidocs/hub-api (see SOURCE.md there), embedded in the test kit:
//
//   - latest.yaml: the Docker Hub API (auth token, repositories, tags);
//   - search-v4.yaml: GET /api/search/v4;
//   - accounts-api-early.json: GET /v2/user/orgs;
//   - repos-api-early.json: PATCH of a repository, the only operation used
//     here that latest.yaml lacks.
//
// Not described by any of them, and so not checked: the public profiles
// GET /v2/orgs/{name}/ and GET /v2/users/{name}/ (their shape follows
// docker/hub-tool's pkg/hub and the "user" schema of latest.yaml), and the
// Docker Scout GraphQL endpoint.
//
// The documents disagree with themselves and with the live service in a few
// places; each is adjusted narrowly after loading, by the hubFix functions
// below, which say what and why.

// hubContract routes a request to the operation that documents it.
type hubContract struct {
	latest, search, accounts, early routers.Router
}

var hubContractOnce = sync.OnceValues(func() (*hubContract, error) {
	c := &hubContract{}
	for _, d := range []struct {
		file   string
		router *routers.Router
		fix    func(map[string]any) error
	}{
		{"latest.yaml", &c.latest, hubFixLatest},
		{"search-v4.yaml", &c.search, hubFixSearch},
		{"accounts-api-early.json", &c.accounts, hubFixAccounts},
		{"repos-api-early.json", &c.early, hubFixEarlyRepos},
	} {
		r, err := loadHubDoc(path.Join("apidocs/hub-api", d.file), d.fix)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", d.file, err)
		}
		*d.router = r
	}
	return c, nil
})

// loadHubContract loads Docker's documents once per test binary.
func loadHubContract() (*hubContract, error) { return hubContractOnce() }

// loadHubDoc parses a document as plain data, applies fix, and builds a
// router that ignores the documented host (the emulator listens on loopback).
func loadHubDoc(name string, fix func(map[string]any) error) (routers.Router, error) {
	raw, err := apiDocs.ReadFile(name)
	if err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	delete(m, "servers")
	if fix != nil {
		if err := fix(m); err != nil {
			return nil, err
		}
	}
	if js, err = json.Marshal(m); err != nil {
		return nil, err
	}
	// The documents are not passed through doc.Validate: latest.yaml has
	// examples of the wrong type and responses without descriptions, which do
	// not affect request and response checking.
	doc, err := openapi3.NewLoader().LoadFromData(js)
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
}

// hubAnswer is a response as the emulator recorded it.
type hubAnswer struct {
	status int
	header http.Header
	body   []byte
}

// check validates a request and, when ans is not nil, its answer. Endpoints
// no document describes pass.
func (c *hubContract) check(r *http.Request, reqBody []byte, ans *hubAnswer) error {
	route, params, router := c.find(r)
	if route == nil {
		return nil
	}
	opts := &openapi3filter.Options{AuthenticationFunc: hubCheckBearer}
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	var errs []error
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		errs = append(errs, fmt.Errorf("request: %w", err))
	}
	if ans == nil {
		return errors.Join(errs...)
	}
	respIn := in
	if router == c.early {
		// repos-api-early.json documents the PATCH request but describes its
		// answer with an outdated repository schema (integer type, no
		// "inactive"); the answer is the repository_info of latest.yaml, the
		// same as GET returns.
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		getRoute, getParams, err := c.latest.FindRoute(get)
		if err != nil {
			return fmt.Errorf("no GET operation in latest.yaml for %s", r.URL.Path)
		}
		respIn = &openapi3filter.RequestValidationInput{Request: get, PathParams: getParams, Route: getRoute, Options: opts}
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: respIn,
		Status:                 ans.status,
		Header:                 ans.header,
		Body:                   io.NopCloser(bytes.NewReader(ans.body)),
		Options:                opts,
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("response %d: %w", ans.status, err))
	}
	return errors.Join(errs...)
}

// find looks the request up in latest.yaml, then the other documents, and
// says which one describes it.
func (c *hubContract) find(r *http.Request) (*routers.Route, map[string]string, routers.Router) {
	for _, rt := range []routers.Router{c.latest, c.search, c.accounts, c.early} {
		if route, params, err := rt.FindRoute(r); err == nil {
			return route, params, rt
		}
	}
	return nil, nil, nil
}

// hubCheckBearer accepts anonymous requests (Docker Hub serves public data
// without a token although the documents list only bearerAuth for tags) and
// requires a present Authorization header to be a bearer JWT.
func hubCheckBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	auth := in.RequestValidationInput.Request.Header.Get("Authorization")
	if auth == "" {
		return nil
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.Count(token, ".") != 2 {
		return errors.New("the Authorization header is not a bearer JWT")
	}
	return nil
}

// hubFixLatest adjusts latest.yaml where it cannot describe the live API:
//   - four org access token properties carry "required: true", which OpenAPI
//     3.0 schemas do not allow (it must be a list); the flags are dropped;
//   - schema team_repo has an allOf entry pointing at a response that does not
//     exist; the entry is dropped (neither is used by the emulator);
//   - CreateRepository names a security scheme "BearerAuth", declared as
//     "bearerAuth"; the spelling is added as an alias;
//   - a tag's "images" is declared as one object, but Docker Hub sends an
//     array of per-platform images (as docker/hub-mcp and repos-api-early.json's
//     "images" schema have it).
func hubFixLatest(m map[string]any) error {
	schemas, err := hubDig(m, "components", "schemas")
	if err != nil {
		return err
	}
	if n := hubDropBoolRequired(schemas); n != 4 {
		return fmt.Errorf("expected 4 boolean required flags, found %d: the document changed, review fixLatest", n)
	}
	teamRepo, err := hubDig(schemas, "team_repo")
	if err != nil {
		return err
	}
	delete(teamRepo, "allOf")
	schemes, err := hubDig(m, "components", "securitySchemes")
	if err != nil {
		return err
	}
	schemes["BearerAuth"] = schemes["bearerAuth"]
	tagProps, err := hubDig(schemas, "tag", "properties")
	if err != nil {
		return err
	}
	tagProps["images"] = map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/image"}}
	return nil
}

// hubFixSearch places search-v4.yaml's "/v4" under /api/search, where the
// service answers, and adds the result types and badges the live service
// sends beyond the document's enums: type "dhi" with badge "hardened" (see
// SOURCE.md), and "verified_publisher", which the document misspells
// "verfified_publisher".
func hubFixSearch(m map[string]any) error {
	m["servers"] = []any{map[string]any{"url": "/api/search"}}
	props, err := hubDig(m, "components", "schemas", "v4_result", "properties", "results", "items", "properties")
	if err != nil {
		return err
	}
	for field, extra := range map[string][]any{"type": {"dhi"}, "badge": {"hardened", "verified_publisher"}} {
		p, err := hubDig(props, field)
		if err != nil {
			return err
		}
		enum, _ := p["enum"].([]any)
		p["enum"] = append(enum, extra...)
	}
	return nil
}

// hubFixAccounts lets the pagination links be null on the first and last pages,
// as latest.yaml's "page" schema (the same paginator) and the live API have it.
func hubFixAccounts(m map[string]any) error {
	for _, name := range []string{"pagination_next", "pagination_previous"} {
		s, err := hubDig(m, "components", "schemas", name)
		if err != nil {
			return err
		}
		s["nullable"] = true
	}
	return nil
}

// hubFixEarlyRepos widens the PATCH body's status, documented as an integer
// limited to 6 (archived) although its own description lists 1 as active:
// docker/hub-mcp, the reference client, sends 1 for active and 0 for inactive.
func hubFixEarlyRepos(m map[string]any) error {
	status, err := hubDig(m, "components", "schemas", "update_repository", "properties", "status")
	if err != nil {
		return err
	}
	status["enum"] = []any{0, 1, 6}
	return nil
}

// hubDig walks nested objects by key.
func hubDig(m map[string]any, keys ...string) (map[string]any, error) {
	cur := m
	for i, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the document has no object at %s", strings.Join(keys[:i+1], "/"))
		}
		cur = next
	}
	return cur, nil
}

// hubDropBoolRequired removes boolean "required" keys from schemas, counting them.
func hubDropBoolRequired(v any) int {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["required"].(bool); ok {
			delete(t, "required")
			n++
		}
		for _, c := range t {
			n += hubDropBoolRequired(c)
		}
	case []any:
		for _, c := range t {
			n += hubDropBoolRequired(c)
		}
	}
	return n
}
