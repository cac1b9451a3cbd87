package tools

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// ListFilesInput selects an image and a part of its filesystem.
type ListFilesInput struct {
	ImageRef string `json:"image_ref" jsonschema:"Image reference, e.g. alpine:3.20"`
	Platform string `json:"platform,omitempty" jsonschema:"os/arch[/variant], e.g. linux/arm64"`
	Path     string `json:"path,omitempty" jsonschema:"Path prefix, e.g. /etc/"`
	Limit    *int   `json:"limit,omitempty" jsonschema:"Entries"`
}

// ListFilesOutput is the merged filesystem, or part of it.
type ListFilesOutput struct {
	Files     []oci.FileEntry `json:"files" jsonschema:"Entries sorted by path; layer is the digest of the layer the entry comes from"`
	Total     int             `json:"total" jsonschema:"Entries matching path (more than files when truncated)"`
	Truncated bool            `json:"truncated"`
	Note      string          `json:"note,omitempty"`
}

var filesLimitArg = intArg{name: "limit", def: 200, lo: 1, hi: 2000}

func listImageFilesTool() *toolDef {
	t := readOnlyTool("list_image_files", "List files in an image",
		"List an image's merged filesystem (deletions applied): size, mode, type, layer. Reads every layer.",
		inputSchema[ListFilesInput]([]intArg{filesLimitArg}, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, req *mcp.CallToolRequest, in ListFilesInput) (ListFilesOutput, error) {
		limit, err := filesLimitArg.value(in.Limit)
		if err != nil {
			return ListFilesOutput{}, err
		}
		r, err := resolveImage(ctx, d, ImageInput{ImageRef: in.ImageRef, Platform: in.Platform})
		if err != nil {
			return ListFilesOutput{}, err
		}
		listing, err := d.Registry.ListFiles(ctx, r.ref.Context(), r.res.Image.Image, in.Path, scanOptions(ctx, req))
		if err != nil {
			return ListFilesOutput{}, err
		}
		out := ListFilesOutput{Files: listing.Files, Total: len(listing.Files), Truncated: listing.Truncated, Note: listing.Reason}
		if len(out.Files) > limit {
			out.Files, out.Truncated = out.Files[:limit], true
			out.Note = strings.TrimPrefix(out.Note+fmt.Sprintf("; showing %d of %d entries: narrow with path or raise limit", limit, out.Total), "; ")
		}
		return out, nil
	})
}

// scanOptions reports a layer scan's progress to the client, when it asked.
func scanOptions(ctx context.Context, req *mcp.CallToolRequest) oci.ScanOptions {
	return oci.ScanOptions{Progress: func(msg string, done float64) { progress(ctx, req, msg, done) }}
}

// ReadFileInput names a file inside an image.
type ReadFileInput struct {
	ImageRef string `json:"image_ref" jsonschema:"Image reference, e.g. alpine:3.20"`
	Path     string `json:"path" jsonschema:"Absolute path, e.g. /etc/os-release"`
	Platform string `json:"platform,omitempty" jsonschema:"os/arch[/variant], e.g. linux/arm64"`
	MaxBytes *int   `json:"max_bytes,omitempty" jsonschema:"Content bytes"`
}

// ReadFileOutput is a file's content, or the fact that it is binary.
type ReadFileOutput struct {
	Path      string `json:"path"`
	Resolved  string `json:"resolved_path,omitempty" jsonschema:"Where the content was found, when path goes through symbolic links"`
	Size      int64  `json:"size"`
	Mode      string `json:"mode"`
	Content   string `json:"content" jsonschema:"UTF-8 text; empty for binary files"`
	Truncated bool   `json:"truncated"`
	Binary    bool   `json:"binary"`
	Layer     string `json:"layer" jsonschema:"Digest of the layer the file comes from"`
}

func readImageFileTool() *toolDef {
	t := readOnlyTool("read_image_file", "Read a file in an image",
		"Read a file from an image (symlinks followed), stopping at the top-most layer that has it.",
		inputSchema[ReadFileInput]([]intArg{maxBytesArg}, nil))
	return define(ToolsetRegistry, t, func(ctx context.Context, d Deps, req *mcp.CallToolRequest, in ReadFileInput) (ReadFileOutput, error) {
		maxBytes, err := maxBytesArg.value(in.MaxBytes)
		if err != nil {
			return ReadFileOutput{}, err
		}
		if strings.TrimSpace(in.Path) == "" {
			return ReadFileOutput{}, fmt.Errorf("%w: path is empty; give an absolute path such as /etc/os-release", errdef.ErrInvalidInput)
		}
		r, err := resolveImage(ctx, d, ImageInput{ImageRef: in.ImageRef, Platform: in.Platform})
		if err != nil {
			return ReadFileOutput{}, err
		}
		fc, err := d.Registry.ReadFile(ctx, r.ref.Context(), r.res.Image.Image, in.Path, maxBytes, scanOptions(ctx, req))
		if err != nil {
			return ReadFileOutput{}, err
		}
		return fileOutput(in.Path, fc), nil
	})
}

func fileOutput(asked string, fc *oci.FileContent) ReadFileOutput {
	e := fc.Entry
	out := ReadFileOutput{Path: asked, Size: e.Size, Mode: e.Mode, Truncated: fc.Truncated, Layer: e.Layer}
	if e.Path != path.Clean("/"+asked) {
		out.Resolved = e.Path
	}
	if text, ok := fc.Text(); ok {
		out.Content = string(text)
	} else {
		out.Binary = true
	}
	return out
}
