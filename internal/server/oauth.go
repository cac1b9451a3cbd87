package server

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// Scopes a token may carry. Write tools need ScopeWrite.
const (
	ScopeRead  = "registry:read"
	ScopeWrite = tools.ScopeWrite
)

// OAuthConfig turns on OAuth 2.1 resource-server mode: clients present JWTs
// issued by Issuer for Audience, verified against the issuer's JWKS.
type OAuthConfig struct {
	Issuer   string
	Audience string
	// JWKSURL overrides discovery through the issuer's metadata.
	JWKSURL string
	// HTTPClient fetches metadata and keys; nil means a client with a timeout.
	HTTPClient *http.Client
}

// maxKeyDocBytes bounds issuer metadata and JWKS documents.
const maxKeyDocBytes = 1 << 20

// jwksRefreshInterval limits how often an unknown key id triggers a refetch,
// so a flood of forged tokens cannot turn into a flood of JWKS requests.
const jwksRefreshInterval = time.Minute

type jwtVerifier struct {
	cfg OAuthConfig

	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
}

func newJWTVerifier(cfg OAuthConfig) *jwtVerifier {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &jwtVerifier{cfg: cfg, keys: map[string]crypto.PublicKey{}}
}

// jwtLeeway is the clock skew allowed between the issuer and this server,
// on exp, nbf and iat alike: 30 s, within the "a few minutes at most" that
// RFC 7519 section 4.1.4 allows, and small enough that a token issued in
// the future is plainly a forgery or a broken clock.
const jwtLeeway = 30 * time.Second

// verify checks signature, issuer, audience, expiry and issue time, and
// reads the scopes.
func (v *jwtVerifier) verify(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) { return v.key(ctx, t) },
		jwt.WithIssuer(v.cfg.Issuer), jwt.WithAudience(v.cfg.Audience), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithLeeway(jwtLeeway), jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", auth.ErrInvalidToken, err)
	}
	exp, _ := claims.GetExpirationTime()
	sub, _ := claims.GetSubject()
	// A token without a subject is told apart from others by a hash of
	// itself, for the per-client limits.
	return &auth.TokenInfo{Scopes: scopesOf(claims), Expiration: exp.Time, UserID: sub,
		Extra: map[string]any{tokenIDKey: tokenID(token)}}, nil
}

// scopesOf reads "scope" (space-separated, RFC 9068) or "scp" (a list).
func scopesOf(claims jwt.MapClaims) []string {
	if s, ok := claims["scope"].(string); ok {
		return strings.Fields(s)
	}
	var out []string
	if list, ok := claims["scp"].([]any); ok {
		for _, s := range list {
			if str, ok := s.(string); ok {
				out = append(out, str)
			}
		}
	}
	return out
}

func (v *jwtVerifier) key(ctx context.Context, t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.lookup(kid); ok {
		return k, nil
	}
	if time.Since(v.fetched) < jwksRefreshInterval {
		return nil, errors.New("unknown signing key")
	}
	v.fetched = time.Now()
	keys, err := v.fetchKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot load the issuer's keys: %w", err)
	}
	v.keys = keys
	if k, ok := v.lookup(kid); ok {
		return k, nil
	}
	return nil, errors.New("unknown signing key")
}

// lookup finds a key by id; a token without kid may use a JWKS of one key.
func (v *jwtVerifier) lookup(kid string) (crypto.PublicKey, bool) {
	if k, ok := v.keys[kid]; ok {
		return k, true
	}
	if kid == "" && len(v.keys) == 1 {
		for _, k := range v.keys {
			return k, true
		}
	}
	return nil, false
}

func (v *jwtVerifier) fetchKeys(ctx context.Context) (map[string]crypto.PublicKey, error) {
	url := v.cfg.JWKSURL
	if url == "" {
		var err error
		if url, err = v.discoverJWKS(ctx); err != nil {
			return nil, err
		}
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := getJSON(ctx, v.cfg.HTTPClient, url, &set); err != nil {
		return nil, err
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		if pub, err := k.publicKey(); err == nil {
			keys[k.Kid] = pub
		}
	}
	return keys, nil
}

// discoverJWKS reads jwks_uri from RFC 8414 metadata, then OpenID discovery.
func (v *jwtVerifier) discoverJWKS(ctx context.Context) (string, error) {
	base := strings.TrimSuffix(v.cfg.Issuer, "/")
	var lastErr error
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		var meta struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := getJSON(ctx, v.cfg.HTTPClient, base+path, &meta); err != nil {
			lastErr = err
			continue
		}
		if meta.JWKSURI != "" {
			return meta.JWKSURI, nil
		}
	}
	return "", fmt.Errorf("no jwks_uri in the issuer's metadata: %w", lastErr)
}

func getJSON(ctx context.Context, c *http.Client, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered HTTP %d", url, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxKeyDocBytes)).Decode(into)
}

// jwk is one JSON Web Key (RFC 7517): RSA or EC public keys only.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err1 := b64int(k.N)
		e, err2 := b64int(k.E)
		if err := errors.Join(err1, err2); err != nil || !e.IsInt64() {
			return nil, fmt.Errorf("bad RSA key %q", k.Kid)
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384()}
		curve, ok := curves[k.Crv]
		x, err1 := b64int(k.X)
		y, err2 := b64int(k.Y)
		if !ok || errors.Join(err1, err2) != nil {
			return nil, fmt.Errorf("bad EC key %q", k.Kid)
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x.Bytes()) > size || len(y.Bytes()) > size {
			return nil, fmt.Errorf("bad EC key %q", k.Kid)
		}
		point := append([]byte{4}, append(x.FillBytes(make([]byte, size)), y.FillBytes(make([]byte, size))...)...)
		return ecdsa.ParseUncompressedPublicKey(curve, point)
	}
	return nil, fmt.Errorf("unsupported key type %q", k.Kty)
}

func b64int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("bad base64url integer")
	}
	return new(big.Int).SetBytes(b), nil
}
