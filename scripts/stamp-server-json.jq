# stamp-server-json.jq writes a release's version into server.json: the
# version, the image tag, and the MCP bundle's download URL and SHA-256
# (known only once the bundle is built). The release workflow runs it; a test
# in deploy/ runs it too, so the stamped file is validated like the committed
# one.
#
#   jq --arg version 1.2.3 --arg mcpb_sha256 <hex> -f scripts/stamp-server-json.jq server.json
.version = $version
| .packages |= map(
    if .registryType == "oci" then
      .identifier = (.identifier | sub(":[^:/]+$"; "")) + ":" + $version
    elif .registryType == "mcpb" then
      .identifier = (.identifier | sub("/releases/download/.*$"; ""))
        + "/releases/download/v" + $version + "/registry-mcp_" + $version + ".mcpb"
      | .fileSha256 = $mcpb_sha256
    else . end)
