package registrytest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOSVContractCatchesDepartures: the check must be able to fail, for the
// request, the answer, and a path OSV does not have.
func TestOSVContractCatchesDepartures(t *testing.T) {
	t.Parallel()
	post := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/querybatch", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	ok := &hubAnswer{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"results":[{"vulns":[{"id":"X-1","modified":"2026-01-01T00:00:00Z"}]}]}`)}
	if err := osvCheck(post(`{"queries":[{"package":{"name":"a","ecosystem":"npm"},"version":"1"}]}`), []byte(`{"queries":[{"package":{"name":"a","ecosystem":"npm"},"version":"1"}]}`), ok); err != nil {
		t.Fatalf("a conforming exchange was refused: %v", err)
	}
	badReq := `{"queries":"all"}`
	if err := osvCheck(post(badReq), []byte(badReq), nil); err == nil {
		t.Error("a request whose queries is not an array passed")
	}
	badAns := &hubAnswer{status: 200, header: ok.header, body: []byte(`{"results":[{"vulns":[{"id":7}]}]}`)}
	good := `{"queries":[]}`
	if err := osvCheck(post(good), []byte(good), badAns); err == nil {
		t.Error("an answer with a numeric id passed")
	}
	other := httptest.NewRequest(http.MethodPost, "/v2/query", strings.NewReader("{}"))
	if err := osvCheck(other, []byte("{}"), nil); err == nil {
		t.Error("a path OSV does not have passed")
	}
}
