package cache

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Redis is a Shared cache (and Leaser) kept in Redis, so that registry-mcp replicas
// share what any of them fetched: ten replicas spend one Docker Hub pull of
// an image instead of ten.
//
// Give the Redis server a memory limit and an eviction policy
// (maxmemory-policy allkeys-lru); every key also expires by itself.
type Redis struct {
	rdb  *redis.Client
	addr string
}

// redisTimeout bounds connecting to Redis and each command on the wire; the
// Client's own per-call bound (sharedTimeout) sits on top.
const redisTimeout = 250 * time.Millisecond

var quietRedis sync.Once

// NewRedis returns a cache in the Redis server a URL names:
// redis://[user:password@]host:port[/db], rediss:// for TLS, or
// unix:///path/to/socket. It connects lazily, so a server that is down at
// start-up only means a warning later; only a malformed URL is an error.
func NewRedis(rawURL string) (*Redis, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, redisURLError(err)
	}
	// Fail fast everywhere: the registry is the fallback, so waiting on a
	// struggling cache only makes calls slower than having no cache.
	opts.DialTimeout = redisTimeout
	opts.DialerRetries = 1
	opts.ReadTimeout = redisTimeout
	opts.WriteTimeout = redisTimeout
	opts.PoolTimeout = redisTimeout
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries = -1
	// RESP2 and no CLIENT SETINFO or maintenance-notification handshake:
	// nothing but the commands themselves, with any Redis-compatible server.
	opts.Protocol = 2
	opts.DisableIdentity = true
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	// go-redis logs connection failures to stderr by itself; the Client
	// already reports an unreachable cache once, in its own log.
	quietRedis.Do(func() { redis.SetLogger(discardRedisLog{}) })
	addr := opts.Addr
	if opts.Network == "unix" {
		addr = "unix:" + addr
	}
	return &Redis{rdb: redis.NewClient(opts), addr: addr}, nil
}

// CheckRedisURL reports whether NewRedis would accept a URL, without
// creating a client.
func CheckRedisURL(rawURL string) error {
	if _, err := redis.ParseURL(rawURL); err != nil {
		return redisURLError(err)
	}
	return nil
}

// redisURLError explains a bad URL without repeating it: it may hold a password.
func redisURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("the cache Redis URL is not redis://[user:password@]host:port[/db], rediss://... or unix:///path: %w", err)
}

// Addr names the server (host:port or unix:path), without credentials, for logs.
func (r *Redis) Addr() string { return r.addr }

// Get returns the value of key; a missing key is (nil, false, nil).
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set stores val under key for ttl.
func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return r.rdb.Set(ctx, key, val, ttl).Err()
}

// SetNX stores val under key for ttl only if key is absent, and reports
// whether it did.
func (r *Redis) SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	return r.rdb.SetNX(ctx, key, val, ttl).Result()
}

// releaseScript deletes a lease only while it still holds the holder's token.
var releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Release deletes key if it still holds val.
func (r *Redis) Release(ctx context.Context, key string, val []byte) error {
	return releaseScript.Run(ctx, r.rdb, []string{key}, val).Err()
}

// Del deletes key.
func (r *Redis) Del(ctx context.Context, key string) error { return r.rdb.Del(ctx, key).Err() }

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error { return r.rdb.Ping(ctx).Err() }

// Close closes the connections.
func (r *Redis) Close() error { return r.rdb.Close() }

type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}
