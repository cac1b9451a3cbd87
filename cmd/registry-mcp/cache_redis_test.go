package main

import (
	"bytes"
	"testing"
)

func TestCacheRedisFlagAndEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unset", nil, nil, ""},
		{"flag", []string{"-cache-redis", "redis://127.0.0.1:6379/0"}, nil, "redis://127.0.0.1:6379/0"},
		{"env keeps a password out of ps", nil, map[string]string{"MCP_CACHE_REDIS": "redis://:pw@cache:6379"}, "redis://:pw@cache:6379"},
		{"flag beats env", []string{"-cache-redis", "redis://a:1"}, map[string]string{"MCP_CACHE_REDIS": "redis://b:2"}, "redis://a:1"},
	}
	for _, tt := range tests {
		c, err := parseConfig(tt.args, envOf(tt.env), &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.cacheRedis != tt.want {
			t.Errorf("%s: cacheRedis %q, want %q", tt.name, c.cacheRedis, tt.want)
		}
	}
	for _, bad := range []string{"localhost:6379", "http://cache:6379", "redis://cache/notadb"} {
		if _, err := parseConfig([]string{"-cache-redis", bad}, envOf(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("-cache-redis %q: want an error", bad)
		}
	}
}
