package oci

import (
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// LayerHistory pairs a layer with the history entry that created it.
type LayerHistory struct {
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	CreatedBy string `json:"created_by"`
}

// AlignHistory walks the config history and the manifest layers together:
// history entries marked empty_layer made no layer, every other entry made
// the next layer. Layers without history (some builders write none) get an
// empty created_by.
func AlignHistory(img *v1.Manifest, cfg *v1.ConfigFile) []LayerHistory {
	out := make([]LayerHistory, 0, len(img.Layers))
	var history []v1.History
	if cfg != nil {
		history = cfg.History
	}
	h := 0
	for _, l := range img.Layers {
		for h < len(history) && history[h].EmptyLayer {
			h++
		}
		entry := LayerHistory{Digest: l.Digest.String(), Size: l.Size}
		if h < len(history) {
			entry.CreatedBy = history[h].CreatedBy
			h++
		}
		out = append(out, entry)
	}
	return out
}

var (
	// shellPrefix matches how classic builders record RUN and metadata steps.
	nopPrefix   = regexp.MustCompile(`^/bin/(?:ba)?sh -c #\(nop\)\s*`)
	shellPrefix = regexp.MustCompile(`^/bin/(?:ba)?sh -c\s+`)
	// buildArgs matches the "|2 A=b C=d " prefix classic builders add when build args are in effect.
	buildArgs = regexp.MustCompile(`^\|\d+(?:\s+\S+=\S*)*\s+`)
	// instruction matches a history entry that already reads like a Dockerfile line (BuildKit).
	instruction = regexp.MustCompile(`^(FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)\b`)
)

// ReconstructDockerfile turns an image history into a readable Dockerfile.
// It is an approximation: base-image steps appear inline, and file
// contents of ADD/COPY are not recoverable.
func ReconstructDockerfile(history []v1.History) string {
	var b strings.Builder
	for _, h := range history {
		line := DockerfileLine(h.CreatedBy)
		if line == "" {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// DockerfileLine renders one history entry as a Dockerfile instruction.
func DockerfileLine(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	if s == "" {
		return ""
	}
	s = buildArgs.ReplaceAllString(s, "")
	s = strings.TrimSuffix(s, " # buildkit")
	switch {
	case nopPrefix.MatchString(s):
		s = nopPrefix.ReplaceAllString(s, "")
		// Classic builders record ADD/COPY as "ADD file:<hash> in /dest".
		if strings.HasPrefix(s, "ADD ") || strings.HasPrefix(s, "COPY ") {
			s = strings.Replace(s, " in ", " ", 1)
		}
	case instruction.MatchString(s):
		if rest, ok := strings.CutPrefix(s, "RUN "); ok {
			s = "RUN " + shellPrefix.ReplaceAllString(strings.TrimSpace(rest), "")
		}
	case shellPrefix.MatchString(s):
		s = "RUN " + shellPrefix.ReplaceAllString(s, "")
	default:
		s = "# " + s
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\t", " ")), " ")
}
