package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
)

// The hub tools answer with the Hub client's own records (hub.Repository,
// hub.Tag, ...): one shape per record, named once.

// ListHubRepositoriesInput selects a page of a namespace's repositories.
type ListHubRepositoriesInput struct {
	Namespace string `json:"namespace" jsonschema:"User or organisation"`
	hubPage
	Ordering     string `json:"ordering,omitempty" jsonschema:"name, last_updated or pull_count; - reverses"`
	MediaTypes   string `json:"media_types,omitempty" jsonschema:"Comma list"`
	ContentTypes string `json:"content_types,omitempty" jsonschema:"Comma list, e.g. image"`
}

// ListHubRepositoriesOutput is one page of repositories.
type ListHubRepositoriesOutput struct {
	Count    int              `json:"count"`
	NextPage int              `json:"next_page,omitempty"`
	Results  []hub.Repository `json:"results"`
}

func listHubRepositoriesTool() *toolDef {
	// ordering has no enum: six spellings cost more bytes in every session
	// than the sentence, and the client names them when one is wrong.
	t := readOnlyTool("list_hub_repositories", "List Hub repositories",
		"List a Docker Hub namespace's repositories.", inputSchema[ListHubRepositoriesInput](hubPageArgs, nil))
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ListHubRepositoriesInput) (ListHubRepositoriesOutput, error) {
		c, err := hubClient(d)
		if err != nil {
			return ListHubRepositoriesOutput{}, err
		}
		page, size, err := in.params()
		if err != nil {
			return ListHubRepositoriesOutput{}, err
		}
		res, err := c.ListRepositories(ctx, in.Namespace, hub.ListReposParams{
			Page: page, PageSize: size, Ordering: in.Ordering, MediaTypes: in.MediaTypes, ContentTypes: in.ContentTypes,
		})
		if err != nil {
			return ListHubRepositoriesOutput{}, err
		}
		return ListHubRepositoriesOutput{Count: res.Count, NextPage: res.NextPage, Results: res.Results}, nil
	})
}

// HubRepositoryInput names a repository; the namespace defaults to library.
type HubRepositoryInput struct {
	Namespace  string `json:"namespace,omitempty" jsonschema:"Default library"`
	Repository string `json:"repository" jsonschema:"e.g. nginx"`
}

// GetHubRepositoryOutput is a repository, or exists: false.
type GetHubRepositoryOutput struct {
	Exists bool `json:"exists"`
	*hub.Repository
}

func getHubRepositoryTool() *toolDef {
	t := readOnlyTool("get_hub_repository", "Hub repository",
		"A Docker Hub repository's details, or exists: false.",
		inputSchema[HubRepositoryInput](nil, nil))
	t.OutputSchema = only(outputSchema[GetHubRepositoryOutput](), append(repositoryKeys, "exists")...)
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in HubRepositoryInput) (GetHubRepositoryOutput, error) {
		c, err := hubClient(d)
		if err != nil {
			return GetHubRepositoryOutput{}, err
		}
		r, err := c.GetRepository(ctx, orDefault(in.Namespace, "library"), in.Repository)
		if errors.Is(err, errdef.ErrNotFound) {
			return GetHubRepositoryOutput{}, nil
		}
		if err != nil {
			return GetHubRepositoryOutput{}, err
		}
		return GetHubRepositoryOutput{Exists: true, Repository: r}, nil
	})
}

// ListHubTagsInput selects a page of a repository's tags.
type ListHubTagsInput struct {
	HubRepositoryInput
	hubPage
	Architecture string `json:"architecture,omitempty" jsonschema:"e.g. arm64"`
	OS           string `json:"os,omitempty" jsonschema:"e.g. linux"`
	Name         string `json:"name,omitempty" jsonschema:"Substring of the tag name"`
}

// ListHubTagsOutput is one page of tags, most recently pushed first.
type ListHubTagsOutput struct {
	Count    int       `json:"count"`
	NextPage int       `json:"next_page,omitempty"`
	Results  []hub.Tag `json:"results"`
}

func listHubTagsTool() *toolDef {
	t := readOnlyTool("list_hub_tags", "List Hub tags",
		"List a Docker Hub repository's tags with platforms and sizes, newest first.",
		inputSchema[ListHubTagsInput](hubPageArgs, nil))
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in ListHubTagsInput) (ListHubTagsOutput, error) {
		c, err := hubClient(d)
		if err != nil {
			return ListHubTagsOutput{}, err
		}
		page, size, err := in.params()
		if err != nil {
			return ListHubTagsOutput{}, err
		}
		res, err := c.ListTags(ctx, orDefault(in.Namespace, "library"), in.Repository, hub.ListTagsParams{
			Page: page, PageSize: size, Architecture: in.Architecture, OS: in.OS, Name: in.Name,
		})
		if err != nil {
			return ListHubTagsOutput{}, err
		}
		return ListHubTagsOutput{Count: res.Count, NextPage: res.NextPage, Results: res.Results}, nil
	})
}

// GetHubTagInput names one tag.
type GetHubTagInput struct {
	HubRepositoryInput
	Tag string `json:"tag" jsonschema:"e.g. latest"`
}

// GetHubTagOutput is a tag, or exists: false.
type GetHubTagOutput struct {
	Exists bool `json:"exists"`
	*hub.Tag
}

func getHubTagTool() *toolDef {
	t := readOnlyTool("get_hub_tag", "Hub tag",
		"One Docker Hub tag with platforms and sizes, or exists: false.",
		inputSchema[GetHubTagInput](nil, nil))
	t.OutputSchema = only(outputSchema[GetHubTagOutput](), append(tagKeys, "exists")...)
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in GetHubTagInput) (GetHubTagOutput, error) {
		c, err := hubClient(d)
		if err != nil {
			return GetHubTagOutput{}, err
		}
		tag, err := c.GetTag(ctx, orDefault(in.Namespace, "library"), in.Repository, in.Tag)
		if errors.Is(err, errdef.ErrNotFound) {
			return GetHubTagOutput{}, nil
		}
		if err != nil {
			return GetHubTagOutput{}, err
		}
		return GetHubTagOutput{Exists: true, Tag: tag}, nil
	})
}

// CreateHubRepositoryInput describes a new repository.
type CreateHubRepositoryInput struct {
	Namespace       string `json:"namespace" jsonschema:"User or organisation"`
	Name            string `json:"name" jsonschema:"Lowercase name"`
	Description     string `json:"description,omitempty" jsonschema:"Up to 100 characters"`
	FullDescription string `json:"full_description,omitempty" jsonschema:"Markdown overview"`
	IsPrivate       bool   `json:"is_private,omitempty" jsonschema:"Private"`
}

func createHubRepositoryTool() *toolDef {
	t := writeTool("create_hub_repository", "Create Hub repository",
		"Create a Docker Hub repository.",
		inputSchema[CreateHubRepositoryInput](nil, nil), false, false)
	t.OutputSchema = only(outputSchema[hub.Repository](), repositoryKeys...)
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in CreateHubRepositoryInput) (hub.Repository, error) {
		c, err := hubClient(d)
		if err != nil {
			return hub.Repository{}, err
		}
		r, err := c.CreateRepository(ctx, in.Namespace, hub.CreateRepoParams{
			Name: in.Name, Description: in.Description, FullDescription: in.FullDescription, IsPrivate: in.IsPrivate,
		})
		if err != nil {
			return hub.Repository{}, err
		}
		return *r, nil
	})
}

// UpdateHubRepositoryInput lists the fields to change; omitted ones stay.
type UpdateHubRepositoryInput struct {
	Namespace           string  `json:"namespace" jsonschema:"User or organisation"`
	Repository          string  `json:"repository" jsonschema:"Name"`
	Description         *string `json:"description,omitempty" jsonschema:"Up to 100 characters"`
	FullDescription     *string `json:"full_description,omitempty" jsonschema:"Markdown overview"`
	Status              string  `json:"status,omitempty" jsonschema:"Needs confirm_status_change"`
	ConfirmStatusChange bool    `json:"confirm_status_change,omitempty" jsonschema:"True to change status"`
}

var repoStatuses = []string{"active", "inactive"}

func updateHubRepositoryTool() *toolDef {
	schema := inputSchema[UpdateHubRepositoryInput](nil, map[string][]string{"status": repoStatuses})
	// Destructive: setting a repository inactive changes how Docker Hub
	// treats it; idempotent: the same update twice leaves the same state.
	t := writeTool("update_hub_repository", "Update Hub repository",
		"Change a Docker Hub repository's descriptions or status.",
		schema, true, true)
	t.OutputSchema = only(outputSchema[hub.Repository](), repositoryKeys...)
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in UpdateHubRepositoryInput) (hub.Repository, error) {
		p := hub.UpdateRepoParams{Description: in.Description, FullDescription: in.FullDescription}
		if in.Status != "" {
			// Checked here, before any request, so that a model cannot flip a
			// repository's status as a side effect of editing its description.
			if !in.ConfirmStatusChange {
				return hub.Repository{}, fmt.Errorf("%w: changing status to %q needs confirm_status_change: true; ask the user first, nothing was changed", errdef.ErrInvalidInput, in.Status)
			}
			active := in.Status == "active" // the schema's enum admits active and inactive only
			p.Active = &active
		}
		c, err := hubClient(d)
		if err != nil {
			return hub.Repository{}, err
		}
		r, err := c.UpdateRepository(ctx, in.Namespace, in.Repository, p)
		if err != nil {
			return hub.Repository{}, err
		}
		return *r, nil
	})
}
