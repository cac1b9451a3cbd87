package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Tag is a tag of a Docker Hub repository with its per-platform images.
type Tag struct {
	Name        string  `json:"name"`
	Digest      string  `json:"digest"`                 // of the manifest or index the tag points to
	MediaType   string  `json:"media_type,omitempty"`   // of that manifest or index
	ContentType string  `json:"content_type,omitempty"` // "image", "helm", "unrecognized", ...
	FullSize    int64   `json:"full_size"`              // compressed bytes of one platform's image
	LastUpdated string  `json:"last_updated,omitempty"`
	LastUpdater string  `json:"last_updater_username,omitempty"`
	LastPushed  string  `json:"last_pushed"`
	LastPulled  string  `json:"last_pulled"`
	TagStatus   string  `json:"tag_status"` // "active" or "inactive" (not pushed or pulled for a month)
	Images      []Image `json:"images"`
}

// Image is one platform's image under a tag.
type Image struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	Digest       string `json:"digest,omitempty"`
	Size         int64  `json:"size"` // compressed bytes
	Status       string `json:"status,omitempty"`
	LastPushed   string `json:"last_pushed,omitempty"`
	LastPulled   string `json:"last_pulled,omitempty"`
}

// TagPage is one page of a repository's tags.
type TagPage struct {
	Count    int   `json:"count"`
	NextPage int   `json:"next_page,omitempty"` // 0 on the last page
	Results  []Tag `json:"results"`
}

// ListTagsParams selects a page of tags. Zero values mean no filter and the
// server's defaults.
type ListTagsParams struct {
	Page         int
	PageSize     int    // 1-100
	Architecture string // only tags with an image for this architecture ("arm64")
	OS           string // only tags with an image for this OS ("linux")
	Name         string // only tags whose name contains this text
}

// ListTags lists a repository's tags, most recently pushed first
// (GET /v2/namespaces/{namespace}/repositories/{repository}/tags). The
// architecture and os filters are those of Docker's repository API document;
// name is the filter Docker Hub's own pages use.
func (c *Client) ListTags(ctx context.Context, namespace, repo string, p ListTagsParams) (*TagPage, error) {
	if err := required("namespace", namespace, "repository", repo); err != nil {
		return nil, err
	}
	q := url.Values{}
	pageQuery(q, p.Page, p.PageSize)
	for k, v := range map[string]string{"architecture": p.Architecture, "os": p.OS, "name": p.Name} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out page[wireTag]
	err := c.do(ctx, call{
		method: http.MethodGet,
		url:    withQuery(c.endpoint(false, "v2", "namespaces", namespace, "repositories", repo, "tags"), q),
		what:   fmt.Sprintf("tags of %s/%s", namespace, repo),
	}, &out)
	if err != nil {
		return nil, err
	}
	res := &TagPage{Count: out.Count, NextPage: nextPage(out.Next, p.Page), Results: make([]Tag, 0, len(out.Results))}
	for _, t := range out.Results {
		res.Results = append(res.Results, t.tag())
	}
	return res, nil
}

// GetTag reads one tag (GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}).
func (c *Client) GetTag(ctx context.Context, namespace, repo, tag string) (*Tag, error) {
	if err := required("namespace", namespace, "repository", repo, "tag", tag); err != nil {
		return nil, err
	}
	var out wireTag
	err := c.do(ctx, call{
		method: http.MethodGet,
		url:    c.endpoint(false, "v2", "namespaces", namespace, "repositories", repo, "tags", tag),
		what:   fmt.Sprintf("tag %s/%s:%s", namespace, repo, tag),
	}, &out)
	if err != nil {
		return nil, err
	}
	t := out.tag()
	return &t, nil
}

// wireTag is a tag as Docker Hub sends it.
type wireTag struct {
	Name                string     `json:"name"`
	Digest              string     `json:"digest"`
	MediaType           string     `json:"media_type"`
	ContentType         string     `json:"content_type"`
	FullSize            int64      `json:"full_size"`
	LastUpdated         string     `json:"last_updated"`
	LastUpdaterUsername string     `json:"last_updater_username"`
	TagLastPushed       string     `json:"tag_last_pushed"`
	TagLastPulled       string     `json:"tag_last_pulled"`
	TagStatus           string     `json:"tag_status"`
	Status              string     `json:"status"` // the name Docker's API document uses for tag_status
	Images              wireImages `json:"images"`
}

func (w wireTag) tag() Tag {
	t := Tag{
		Name:        w.Name,
		Digest:      w.Digest,
		MediaType:   w.MediaType,
		ContentType: w.ContentType,
		FullSize:    w.FullSize,
		LastUpdated: w.LastUpdated,
		LastUpdater: w.LastUpdaterUsername,
		LastPushed:  w.TagLastPushed,
		LastPulled:  w.TagLastPulled,
		TagStatus:   orDefault(w.TagStatus, w.Status),
		Images:      []Image(w.Images),
	}
	if t.Images == nil {
		t.Images = []Image{}
	}
	return t
}

// wireImages accepts the array Docker Hub sends and also the single object
// its API document describes.
type wireImages []Image

// UnmarshalJSON reads an array of images, a single image, or null.
func (w *wireImages) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*w = nil
		return nil
	case len(b) > 0 && b[0] == '{':
		var one Image
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*w = wireImages{one}
		return nil
	}
	var many []Image
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*w = many
	return nil
}
