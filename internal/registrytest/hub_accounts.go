package registrytest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Accounts: the token exchange, the caller's organisations, public profiles,
// and the Docker Scout query for hardened-image mirrors.

func (h *Hub) handleToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Identifier string `json:"identifier"`
		Secret     string `json:"secret"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Identifier == "" || req.Secret == "" {
		hubWriteError(w, http.StatusBadRequest, "identifier and secret are required")
		return
	}
	h.mu.Lock()
	acct := h.accounts[req.Identifier]
	gen := h.generation
	h.mu.Unlock()
	if acct == nil || !hmac.Equal([]byte(acct.token), []byte(req.Secret)) {
		hubWriteJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Incorrect authentication credentials", "message": "Incorrect authentication credentials"})
		return
	}
	hubWriteJSON(w, http.StatusOK, map[string]any{"access_token": h.issue(acct.username, gen)})
}

// hubClaims are the claims of the emulator's access tokens, shaped like
// Docker Hub's (the username sits under "https://hub.docker.com").
type hubClaims struct {
	Sub string  `json:"sub"`
	Iat int64   `json:"iat"`
	Exp float64 `json:"exp"`
	Jti string  `json:"jti"`
	Gen int     `json:"gen"`
	Hub struct {
		Username string `json:"username"`
	} `json:"https://hub.docker.com"`
}

// issue signs a JWT (HS256) for username.
func (h *Hub) issue(username string, gen int) string {
	now := time.Now()
	c := hubClaims{Sub: hubID(username), Iat: now.Unix(), Exp: float64(now.Add(h.ttl).Unix()), Gen: gen}
	c.Hub.Username = username
	jti := make([]byte, 8)
	_, _ = rand.Read(jti)
	c.Jti = hex.EncodeToString(jti)
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	payload, _ := json.Marshal(c)
	signing := hubB64(header) + "." + hubB64(payload)
	return signing + "." + hubB64(h.sign(signing))
}

func (h *Hub) sign(s string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func hubB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// verify returns the account a bearer token belongs to, or nil when the token
// is forged, expired or revoked.
func (h *Hub) verify(token string) *hubAccount {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, h.sign(parts[0]+"."+parts[1])) {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c hubClaims
	if err != nil || json.Unmarshal(payload, &c) != nil || time.Now().Unix() >= int64(c.Exp) {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.Gen != h.generation {
		return nil
	}
	return h.accounts[c.Hub.Username]
}

// caller authenticates a request that may be anonymous. A token that is
// present but invalid is answered with 401, as Docker Hub does.
func (h *Hub) caller(w http.ResponseWriter, r *http.Request) (*hubAccount, bool) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, true
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	acct := h.verify(token)
	if !ok || acct == nil {
		hubWriteJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Invalid token.", "message": "Invalid token."})
		return nil, false
	}
	return acct, true
}

// account authenticates a request that needs an account.
func (h *Hub) account(w http.ResponseWriter, r *http.Request) (*hubAccount, bool) {
	acct, ok := h.caller(w, r)
	if ok && acct == nil {
		hubWriteJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Authentication credentials were not provided.", "message": "Authentication credentials were not provided."})
		return nil, false
	}
	return acct, ok
}

// handleUserOrgs lists the caller's organisations, in the shape of
// accounts-api-early.json (user_organization) and docker/hub-tool.
func (h *Hub) handleUserOrgs(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.account(w, r)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	orgs := slices.Clone(acct.orgs)
	slices.Sort(orgs)
	pg, ok := hubPaginate(w, r, len(orgs))
	if !ok {
		return
	}
	results := []any{}
	for _, name := range orgs[pg.from:pg.to] {
		m := h.profileJSON(h.profiles[name])
		m["user_role"] = "Owner"
		m["user_groups"] = []string{"owners"}
		m["org_groups_count"] = 1
		m["plan_name"] = "team"
		results = append(results, m)
	}
	hubWriteJSON(w, http.StatusOK, pg.envelope(results))
}

// profileJSON is a public profile as /v2/orgs/{name}/ and /v2/users/{name}/
// answer it (see docker/hub-tool's pkg/hub and the "user" schema of Docker's document).
func (h *Hub) profileJSON(p *hubProfile) map[string]any {
	m := map[string]any{
		"id":           p.id,
		"full_name":    p.fullName,
		"location":     p.location,
		"company":      p.company,
		"profile_url":  "",
		"date_joined":  hubTime(p.joined),
		"gravatar_url": "",
	}
	if p.org {
		m["orgname"], m["type"], m["badge"] = p.name, "Organization", p.badge
	} else {
		m["username"], m["type"] = p.name, "User"
	}
	return m
}

func (h *Hub) handleOrgProfile(w http.ResponseWriter, r *http.Request)  { h.profile(w, r, true) }
func (h *Hub) handleUserProfile(w http.ResponseWriter, r *http.Request) { h.profile(w, r, false) }

func (h *Hub) profile(w http.ResponseWriter, r *http.Request, org bool) {
	if _, ok := h.caller(w, r); !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.profiles[r.PathValue("name")]
	if p == nil || p.org != org {
		hubWriteError(w, http.StatusNotFound, "object not found")
		return
	}
	hubWriteJSON(w, http.StatusOK, h.profileJSON(p))
}

// handleScout answers the one Docker Scout query the client sends:
// dhiListMirroredRepositories(context: Context!).
func (h *Hub) handleScout(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.account(w, r)
	if !ok {
		return
	}
	var req struct {
		Query     string `json:"query"`
		Variables struct {
			Context struct {
				Organization string `json:"organization"`
			} `json:"context"`
		} `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil ||
		!strings.Contains(req.Query, "dhiListMirroredRepositories(context: $context)") ||
		!strings.Contains(req.Query, "$context: Context!") {
		hubWriteJSON(w, http.StatusBadRequest, hubGraphQLErrors("unsupported query", "GRAPHQL_VALIDATION_FAILED", ""))
		return
	}
	org := req.Variables.Context.Organization
	if !slices.Contains(acct.orgs, org) {
		hubWriteJSON(w, http.StatusOK, hubGraphQLErrors("not allowed to list mirrors of "+org, "FORBIDDEN", "FORBIDDEN"))
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	mirrored := []any{}
	for _, m := range h.mirrors {
		if m.org == org {
			mirrored = append(mirrored, map[string]any{
				"destinationRepository": map[string]any{"namespace": org, "name": m.dest},
				"dhiSourceRepository":   map[string]any{"namespace": "dhi", "name": m.source, "displayName": m.display},
			})
		}
	}
	hubWriteJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"dhiListMirroredRepositories": map[string]any{
		"totalCount": len(mirrored), "canMirrorMoreRepositories": true, "mirroredRepositories": mirrored,
	}}})
}

func hubGraphQLErrors(message, code, status string) map[string]any {
	ext := map[string]any{"code": code}
	if status != "" {
		ext["status"] = status
	}
	return map[string]any{"data": nil, "errors": []any{map[string]any{"message": message, "extensions": ext}}}
}
