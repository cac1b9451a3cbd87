package tools

// registryTools are the tools of the registry toolset, for any OCI registry.
func registryTools() []*toolDef {
	return []*toolDef{
		getImageInfoTool(),
		getImageManifestTool(),
		getImageConfigTool(),
		getImageDetailsTool(),
		listTagsTool(),
		listReferrersTool(),
		getReferrerContentTool(),
		listImageFilesTool(),
		readImageFileTool(),
		compareImagesTool(),
		listRepositoriesTool(),
		getRateLimitTool(),
	}
}
