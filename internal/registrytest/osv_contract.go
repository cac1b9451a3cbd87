package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The OSV emulator is checked against OSV's own API description,
// apidocs/osv-api/osv_service_v1.swagger.json (see SOURCE.md there), a
// Swagger 2.0 document converted to OpenAPI 3 for checking. The document
// names the host api.osv.dev; the host is dropped, so that the emulator's
// loopback address routes.

var osvContractOnce = sync.OnceValues(func() (routers.Router, error) {
	raw, err := apiDocs.ReadFile("apidocs/osv-api/osv_service_v1.swagger.json")
	if err != nil {
		return nil, err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(raw, &doc2); err != nil {
		return nil, err
	}
	doc2.Host, doc2.Schemes = "", nil
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, err
	}
	doc3.Servers = nil
	return gorillamux.NewRouter(doc3)
})

// osvCheck validates a request and, when ans is set, its answer against
// the document. A path the document does not describe is an error: the
// client must speak only OSV's API.
func osvCheck(r *http.Request, reqBody []byte, ans *hubAnswer) error {
	router, err := osvContractOnce()
	if err != nil {
		return fmt.Errorf("loading the OSV API document: %w", err)
	}
	route, params, err := router.FindRoute(r)
	if err != nil {
		return fmt.Errorf("%s %s is not an operation of the OSV API: %w", r.Method, r.URL.Path, err)
	}
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true}}
	var errs []error
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		errs = append(errs, fmt.Errorf("request: %w", err))
	}
	if ans != nil {
		err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: ans.status, Header: ans.header,
			Body: io.NopCloser(bytes.NewReader(ans.body)), Options: &openapi3filter.Options{MultiError: true},
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("response %d: %w", ans.status, err))
		}
	}
	return errors.Join(errs...)
}
