package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/osv"
)

// explain turns a client error into text the model can act on: what went
// wrong and what to try next. It is the only place errors are translated,
// and each kind of error gets the advice that fits it, or none when its
// message already says what to do.
func explain(d Deps, tool, toolset string, err error) error {
	var rl *errdef.RateLimitError
	var na *errdef.NeedsAccountError
	var ua *errdef.UnauthorizedError
	var cr *errdef.CredentialsRejectedError
	var vs *osv.ServiceError
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("cancelled: the call was cancelled before it finished")
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("timed out: the call took too long; try again, or narrow it")
	case errors.Is(err, errdef.ErrInvalidReference), errors.Is(err, errdef.ErrInvalidInput),
		errors.Is(err, errdef.ErrNotInImage), errors.Is(err, errdef.ErrUnsupported):
		return err // the message names the argument or the part, and what to do
	case errors.As(err, &vs):
		return fmt.Errorf("%w. Try again later, or point -vuln-source (MCP_VULN_SOURCE) at a reachable OSV service or mirror", err)
	case errors.Is(err, errdef.ErrNotFound):
		return fmt.Errorf("%w. %s", err, notFoundHint(toolset))
	case errors.As(err, &na):
		return fmt.Errorf("%w: %w: set %s (a personal access token)", errdef.ErrUnauthorized, err, strings.Join(na.Vars, " and "))
	case errors.As(err, &cr):
		return fmt.Errorf("%w: check %s (the token may have expired, or lack the scope this needs)", err, strings.Join(cr.Vars, " and "))
	case errors.As(err, &ua) && d.Registry != nil:
		return fmt.Errorf("%w. %s", err, registryCredentialsHint(d.Registry.Credentials(ua.Host), ua.Host))
	case errors.Is(err, errdef.ErrUnauthorized):
		return fmt.Errorf("%w. %s", err, credentialsHint(toolset, "The repository may be private or may not exist."))
	case errors.Is(err, errdef.ErrDenied):
		return fmt.Errorf("%w. %s", err, credentialsHint(toolset, "The credentials in use do not grant access."))
	case errors.As(err, &rl):
		return fmt.Errorf("%w. %s", err, rateLimitHint(toolset, rl))
	case errors.Is(err, errdef.ErrTooLarge):
		return fmt.Errorf("%w. %s", err, narrowHint(tool))
	case errors.Is(err, errdef.ErrUnreachable):
		return fmt.Errorf("%w. %s", err, unreachableHint(err))
	case errors.Is(err, errdef.ErrBadResponse) && toolset == ToolsetHub:
		return fmt.Errorf("%w. Docker Hub's API did not answer as documented; check DOCKERHUB_API_URL, or retry later", err)
	case errors.Is(err, errdef.ErrBadResponse):
		return fmt.Errorf("%w. The server did not answer as a registry should; check that the host is a container registry", err)
	case errors.Is(err, errdef.ErrPolicy):
		return fmt.Errorf("%w. The server's operator restricts which registries it may reach; use an allowed registry", err)
	}
	d.Logger.Error("tool failed with an unexpected error", "tool", tool, "error", err)
	return fmt.Errorf("internal error in %s; it has been logged. Try again, and report it if it persists", tool)
}

// unreachableHint advises on each way a server can be out of reach.
func unreachableHint(err error) string {
	switch {
	case errors.Is(err, errdef.ErrNoSuchHost):
		return "Check the registry's host name"
	case errors.Is(err, errdef.ErrConnRefused):
		return "Check the port, and that the registry is running"
	case errors.Is(err, errdef.ErrTimeout):
		return "Try again later; the server may be overloaded"
	case errors.Is(err, errdef.ErrPlainHTTP):
		return "It speaks plain HTTP: allow it with -insecure-registry HOST:PORT if the network is trusted"
	case errors.Is(err, errdef.ErrServerFailed):
		return "The server failed; try again later"
	}
	return "Check the registry host and port"
}

// registryCredentialsHint tells a registry's refusal of the credentials sent
// from the absence of any, and names credentials configured for another host.
func registryCredentialsHint(src oci.CredentialSource, host string) string {
	host = oci.CanonicalHost(host)
	switch {
	case src.Static == "token":
		return fmt.Sprintf("The registry rejected the token from OCI_TOKEN for %s: it may have expired or lack pull access", host)
	case src.Static == "basic":
		return fmt.Sprintf("The registry rejected the credentials from OCI_USERNAME for %s: check OCI_USERNAME and OCI_PASSWORD (an access token goes in OCI_PASSWORD)", host)
	case src.Fallback:
		return fmt.Sprintf("The registry rejected the credentials the Docker config holds for %s: log in again with docker login %s", host, host)
	case src.StaticHost != "":
		return fmt.Sprintf("No credentials were sent: credentials are configured for %s, not this registry (%s). If they are meant for it, set OCI_REGISTRY=%s; otherwise log in with docker login %s", src.StaticHost, host, host, host)
	}
	return credentialsHint(ToolsetRegistry, "The repository may be private or may not exist.")
}

func notFoundHint(toolset string) string {
	if toolset == ToolsetHub {
		return "Check the namespace and name; official images live in the library namespace"
	}
	return "Check the repository and tag (list_tags shows the tags); official Docker Hub images live under library/<name>"
}

func credentialsHint(toolset, why string) string {
	if toolset == ToolsetHub {
		return why + " Set DOCKERHUB_USERNAME and DOCKERHUB_TOKEN (a personal access token) for Docker Hub"
	}
	return why + " Set OCI_REGISTRY with OCI_USERNAME and OCI_PASSWORD (or OCI_TOKEN), or log in with docker login"
}

func rateLimitHint(toolset string, rl *errdef.RateLimitError) string {
	wait := "retry later"
	if rl.RetryAfter > 0 {
		wait = fmt.Sprintf("retry after %d s", int(rl.RetryAfter.Seconds()+0.5))
	}
	if toolset == ToolsetHub {
		return wait + ", or set DOCKERHUB_USERNAME and DOCKERHUB_TOKEN for a higher limit"
	}
	return wait + "; on Docker Hub, credentials (OCI_USERNAME and OCI_PASSWORD) raise the pull quota"
}

// narrowHint names a narrower way to ask when an answer is too big.
func narrowHint(tool string) string {
	switch tool {
	case "get_image_manifest":
		return "pass platform to get one image's manifest, or use get_image_info for a summary"
	case "get_image_config":
		return "use get_image_details for the usual fields"
	case "list_tags":
		return "page with a smaller limit, or narrow with pattern"
	case "list_image_files":
		return "narrow with path (a directory prefix) or a smaller limit"
	case "read_image_file", "get_referrer_content":
		return "lower max_bytes"
	case "list_referrers":
		return "filter with artifact_type"
	}
	return "narrow the request (a platform, a path, a smaller limit)"
}
