# syntax=docker/dockerfile:1
#
# registry-mcp's container image: the static binary on distroless (no shell, no
# package manager, non-root), serving MCP over stdio by default.
#
#   docker build -t registry-mcp --build-arg VERSION=1.2.3 --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/registry-mcp/registry-mcp:1.2.3 --push .
#   docker run -i --rm -e OCI_TOKEN registry-mcp
#
# `make image` builds the same image without a container engine
# (cmd/registry-mcp-image); a test there keeps the labels of both in step.

# scripts/go builds with the MCP Go SDK patched as in patches/go-sdk (it needs
# git, which the golang image has).
# The build stage runs on the build machine's own platform and cross-compiles,
# which is much faster under buildx than emulating the target.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH scripts/go build -trimpath \
    -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
    -o /out/registry-mcp ./cmd/registry-mcp

# static-debian12 brings CA certificates, /etc/passwd with the nonroot user
# (65532) and /tmp; :nonroot sets that user and its home.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
# io.modelcontextprotocol.server.name must equal "name" in server.json: the
# official MCP registry reads it to verify that the image is the publisher's.
LABEL io.modelcontextprotocol.server.name="io.github.registry-mcp/registry-mcp" \
      org.opencontainers.image.title="registry-mcp" \
      org.opencontainers.image.description="MCP server for OCI registries and the Docker Hub API" \
      org.opencontainers.image.source="https://github.com/registry-mcp/registry-mcp" \
      org.opencontainers.image.url="https://github.com/registry-mcp/registry-mcp" \
      org.opencontainers.image.documentation="https://github.com/registry-mcp/registry-mcp/tree/main/docs/install" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${DATE}"
COPY --from=build /out/registry-mcp /registry-mcp
USER 65532:65532
# HTTP mode only (-transport http -host 0.0.0.0, which needs MCP_AUTH_TOKEN).
EXPOSE 8080
ENTRYPOINT ["/registry-mcp"]
CMD ["-transport", "stdio"]
