package oci

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

// RedisCache is a SharedCache kept in Redis, so that registry-mcp replicas
// share what any of them fetched: ten replicas spend one Docker Hub pull of
// an image instead of ten.
//
// Give the Redis server a memory limit and an eviction policy
// (maxmemory-policy allkeys-lru); every key also expires by itself.
type RedisCache struct {
	rdb  *redis.Client
	addr string
}

// redisTimeout bounds connecting to Redis and each command on the wire; the
// Client's own per-call bound (sharedTimeout) sits on top.
const redisTimeout = 250 * time.Millisecond

var quietRedis sync.Once

// NewRedisCache returns a cache in the Redis server a URL names:
// redis://[user:password@]host:port[/db], rediss:// for TLS, or
// unix:///path/to/socket. It connects lazily, so a server that is down at
// start-up only means a warning later; only a malformed URL is an error.
func NewRedisCache(rawURL string) (*RedisCache, error) {
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
	return &RedisCache{rdb: redis.NewClient(opts), addr: addr}, nil
}

// CheckRedisURL reports whether NewRedisCache would accept a URL, without
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
func (r *RedisCache) Addr() string { return r.addr }

// Get returns the value of key; a missing key is (nil, false, nil).
func (r *RedisCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
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
func (r *RedisCache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return r.rdb.Set(ctx, key, val, ttl).Err()
}

// Ping checks that the server answers.
func (r *RedisCache) Ping(ctx context.Context) error { return r.rdb.Ping(ctx).Err() }

// Close closes the connections.
func (r *RedisCache) Close() error { return r.rdb.Close() }

type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}
