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
		inputSchema[HubPage](notNull))
	return define(ToolsetHub, t, func(ctx context.Context, d Deps, _ *mcp.CallToolRequest, in HubPage) (hub.NamespaceList, error) {
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

// HubNamespace is the public profile of a user or organisation.
type HubNamespace struct {
	Name            string `json:"name"`
	FullName        string `json:"full_name"`
	Location        string `json:"location"`
	Company         string `json:"company"`
	IsOrganization  bool   `json:"is_organization"`
	DateJoined      string `json:"date_joined"`
	RepositoryCount int    `json:"repository_count"`
	Badge           string `json:"badge,omitempty"`
}

// GetHubNamespaceOutput is a profile, or exists: false.
type GetHubNamespaceOutput struct {
	Exists bool `json:"exists"`
	*HubNamespace
}

func getHubNamespaceTool() *toolDef {
	t := readOnlyTool("get_hub_namespace", "Hub namespace profile",
		"Public profile of a Docker Hub user or organisation, or exists: false.",
		inputSchema[NamespaceInput](nil))
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
		return GetHubNamespaceOutput{Exists: true, HubNamespace: &HubNamespace{
			Name: ns.Name, FullName: ns.FullName, Location: ns.Location, Company: ns.Company,
			IsOrganization: ns.IsOrganization, DateJoined: ns.DateJoined, RepositoryCount: ns.RepositoryCount, Badge: ns.Badge,
		}}, nil
	})
}

// OrganisationInput names a Docker Hub organisation.
type OrganisationInput struct {
	Organisation string `json:"organisation" jsonschema:"Organisation name"`
}

func listHardenedImagesTool() *toolDef {
	t := readOnlyTool("list_hardened_images", "Hardened images",
		"Docker Hardened Images mirrored into an organisation (needs credentials).",
		inputSchema[OrganisationInput](nil))
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
