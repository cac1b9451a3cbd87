package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"
)

// MaxOSVBatch is the number of queries one querybatch may hold, as on osv.dev.
const MaxOSVBatch = 1000

// OSVService is a small OSV service (osv.dev's API: POST /v1/querybatch and
// GET /v1/vulns/{id}) answering from the sample records, so that
// scan_image_vulnerabilities works with no network. It matches versions
// with the ecosystems' own ordering, as osv.dev does.
type OSVService struct {
	// PageSize, when positive, is how many vulnerabilities one query's
	// result holds before it says next_page_token, as osv.dev does for
	// packages with very many.
	PageSize int
	records  []osvRecord
	raw      map[string]json.RawMessage
}

// osvRecord is what matching needs of a record.
type osvRecord struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string              `json:"type"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
		Versions []string `json:"versions"`
	} `json:"affected"`
}

// NewOSVService returns the sample service.
func NewOSVService() *OSVService {
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(osvRecords), &raws); err != nil {
		panic(fmt.Sprintf("demo OSV records: %v", err)) // a programming error, caught by every test
	}
	s := &OSVService{raw: map[string]json.RawMessage{}}
	for _, r := range raws {
		var rec osvRecord
		if err := json.Unmarshal(r, &rec); err != nil {
			panic(fmt.Sprintf("demo OSV record: %v", err))
		}
		s.records = append(s.records, rec)
		s.raw[rec.ID] = r
	}
	return s
}

// Handler serves the API.
func (s *OSVService) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/querybatch", s.queryBatch)
	mux.HandleFunc("GET /v1/vulns/{id}", s.vuln)
	return mux
}

// StartOSV serves the sample service on a loopback port and returns its URL.
func StartOSV() (url string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: NewOSVService().Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() { _ = srv.Close() }, nil
}

type osvQuery struct {
	Package struct {
		Name      string `json:"name"`
		Ecosystem string `json:"ecosystem"`
		PURL      string `json:"purl"`
	} `json:"package"`
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	PageToken string `json:"page_token"`
}

type osvRef struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
}

type osvList struct {
	Vulns         []osvRef `json:"vulns,omitempty"`
	NextPageToken string   `json:"next_page_token,omitempty"`
}

func (s *OSVService) queryBatch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Queries []osvQuery `json:"queries"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&req); err != nil {
		osvError(w, http.StatusBadRequest, 3, "Invalid request body")
		return
	}
	if len(req.Queries) > MaxOSVBatch {
		osvError(w, http.StatusBadRequest, 3, fmt.Sprintf("Too many queries: at most %d in one batch", MaxOSVBatch))
		return
	}
	out := struct {
		Results []osvList `json:"results"`
	}{Results: make([]osvList, len(req.Queries))}
	for i, q := range req.Queries {
		list, err := s.page(s.match(q), q.PageToken)
		if err != nil {
			osvError(w, http.StatusBadRequest, 3, err.Error())
			return
		}
		out.Results[i] = list
	}
	osvWriteJSON(w, http.StatusOK, out)
}

// page cuts one query's result to PageSize, from the offset a token names.
func (s *OSVService) page(all []osvRef, token string) (osvList, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "p"))
		if err != nil || !strings.HasPrefix(token, "p") || n < 0 || n > len(all) {
			return osvList{}, errors.New("invalid page token")
		}
		start = n
	}
	end := len(all)
	if s.PageSize > 0 {
		end = min(start+s.PageSize, len(all))
	}
	list := osvList{Vulns: all[start:end]}
	if end < len(all) {
		list.NextPageToken = "p" + strconv.Itoa(end)
	}
	return list, nil
}

// match lists the records whose affected versions include the query's.
func (s *OSVService) match(q osvQuery) []osvRef {
	var out []osvRef
	for _, rec := range s.records {
		for _, a := range rec.Affected {
			eco := q.Package.Ecosystem
			base, _, _ := strings.Cut(eco, ":")
			if a.Package.Name != q.Package.Name || (a.Package.Ecosystem != eco && a.Package.Ecosystem != base) {
				continue
			}
			if affects(a.Versions, a.Ranges, q.Version, eco) {
				out = append(out, osvRef{ID: rec.ID, Modified: rec.Modified})
				break
			}
		}
	}
	return out
}

// affects applies OSV's evaluation: listed versions, or a range whose
// events put the version between an introduced and the next fixed or
// last_affected.
func affects(versions []string, ranges []struct {
	Type   string              `json:"type"`
	Events []map[string]string `json:"events"`
}, version, ecosystem string) bool {
	for _, v := range versions {
		if v == version {
			return true
		}
	}
	v, err := semantic.Parse(version, ecosystem)
	if err != nil {
		return false
	}
	cmp := func(bound string) int {
		c, err := v.CompareStr(bound)
		if err != nil {
			return -2
		}
		return c
	}
	for _, r := range ranges {
		in := false
		for _, e := range r.Events {
			switch {
			case e["introduced"] != "":
				if e["introduced"] == "0" || cmp(e["introduced"]) >= 0 {
					in = true
				}
			case e["fixed"] != "":
				if in && cmp(e["fixed"]) >= 0 {
					in = false
				} else if in {
					return true
				}
			case e["last_affected"] != "":
				if in && cmp(e["last_affected"]) <= 0 && cmp(e["last_affected"]) != -2 {
					return true
				}
				in = false
			}
		}
		if in {
			return true
		}
	}
	return false
}

func (s *OSVService) vuln(w http.ResponseWriter, r *http.Request) {
	raw, ok := s.raw[r.PathValue("id")]
	if !ok {
		osvError(w, http.StatusNotFound, 5, "Bug not found.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}

// osvError answers as the service does: a google.rpc.Status object.
func osvError(w http.ResponseWriter, status, code int, message string) {
	osvWriteJSON(w, status, map[string]any{"code": code, "message": message})
}

func osvWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
