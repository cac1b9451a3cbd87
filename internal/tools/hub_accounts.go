package tools

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
)

func listHubNamespacesTool() *toolDef {
	t := readOnlyTool("list_hub_namespaces", "My Hub namespaces",
		"Your Docker Hub namespace and organisations (needs credentials).",
		inputSchema[hubPage](hubPageArgs, nil))
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in hubPage) (hub.NamespaceList, error) {
		c, err := hubClient(d)
		if err != nil {
			return hub.NamespaceList{}, err
		}
		page, size, err := in.params()
		if err != nil {
			return hub.NamespaceList{}, err
		}
		res, err := c.ListNamespaces(ctx, page, size)
		if err != nil {
			return hub.NamespaceList{}, err
		}
		return *res, nil
	})
}

// NamespaceInput names a Docker Hub user or organisation.
type NamespaceInput struct {
	Namespace string `json:"namespace" jsonschema:"User or organisation"`
}

// GetHubNamespaceOutput is a profile, or exists: false.
type GetHubNamespaceOutput struct {
	Exists bool `json:"exists"`
	*hub.Namespace
}

func getHubNamespaceTool() *toolDef {
	t := readOnlyTool("get_hub_namespace", "Hub namespace profile",
		"Public profile of a Docker Hub user or organisation, or exists: false.",
		inputSchema[NamespaceInput](nil, nil))
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in NamespaceInput) (GetHubNamespaceOutput, error) {
		c, err := hubClient(d)
		if err != nil {
			return GetHubNamespaceOutput{}, err
		}
		ns, err := c.GetNamespace(ctx, in.Namespace)
		if errors.Is(err, errdef.ErrNotFound) {
			return GetHubNamespaceOutput{}, nil
		}
		if err != nil {
			return GetHubNamespaceOutput{}, err
		}
		return GetHubNamespaceOutput{Exists: true, Namespace: ns}, nil
	})
}

// OrganisationInput names a Docker Hub organisation.
type OrganisationInput struct {
	Organisation string `json:"organisation" jsonschema:"Organisation name"`
}

func listHardenedImagesTool() *toolDef {
	t := readOnlyTool("list_hardened_images", "Hardened images",
		"Docker Hardened Images mirrored into an organisation (needs credentials).",
		inputSchema[OrganisationInput](nil, nil))
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in OrganisationInput) (hub.HardenedImages, error) {
		c, err := hubClient(d)
		if err != nil {
			return hub.HardenedImages{}, err
		}
		res, err := c.ListHardenedImages(ctx, in.Organisation)
		if err != nil {
			return hub.HardenedImages{}, err
		}
		return *res, nil
	})
}
