package hub

import (
	"encoding/base64"
	"strconv"
	"testing"
	"time"
)

func TestParsePullCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
	}{
		{"1B+", 1_000_000_000},
		{"10M+", 10_000_000},
		{"500K+", 500_000},
		{"1.2K", 1_200},
		{"2.5m", 2_500_000},
		{"1,234", 1_234},
		{"42", 42},
		{" 7 ", 7},
		{"", 0},
		{"N/A", 0},
		{"-5K", 0},
		{"NaN", 0},
		{"+", 0},
	}
	for _, tt := range tests {
		if got := parsePullCount(tt.in); got != tt.want {
			t.Errorf("parsePullCount(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestNextPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		next    string
		current int
		want    int
	}{
		{"", 1, 0},
		{"https://hub.docker.com/v2/namespaces/docker/repositories?page=2&page_size=2", 1, 2},
		{"https://hub.docker.com/v2/x?page=7", 6, 7},
		{"https://hub.docker.com/v2/x?cursor=abc", 3, 4},
		{"https://hub.docker.com/v2/x?cursor=abc", 0, 2},
		{"::not a url", 1, 0},
	}
	for _, tt := range tests {
		if got := nextPage(tt.next, tt.current); got != tt.want {
			t.Errorf("nextPage(%q, %d) = %d, want %d", tt.next, tt.current, got, tt.want)
		}
	}
}

func TestRefreshTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	c := New(Options{Now: func() time.Time { return now }})
	jwt := func(payload string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	tests := []struct {
		name  string
		token string
		want  time.Time
	}{
		{"ten minutes: a minute early", jwt(`{"exp":` + itoa(now.Add(10*time.Minute).Unix()) + `}`), now.Add(9 * time.Minute)},
		{"fractional exp", jwt(`{"exp":` + itoa(now.Add(10*time.Minute).Unix()) + `.75}`), now.Add(9 * time.Minute)},
		{"short-lived: at half its life", jwt(`{"exp":` + itoa(now.Add(40*time.Second).Unix()) + `}`), now.Add(20 * time.Second)},
		{"already expired: at once", jwt(`{"exp":` + itoa(now.Add(-time.Minute).Unix()) + `}`), now.Add(-30 * time.Second)},
		{"no exp: ten minutes assumed", jwt(`{"sub":"x"}`), now.Add(9 * time.Minute)},
		{"not a JWT: ten minutes assumed", "opaque-token", now.Add(9 * time.Minute)},
		{"unreadable payload", "a.!!!.b", now.Add(9 * time.Minute)},
	}
	for _, tt := range tests {
		if got := c.refreshTime(parseClaims(tt.token)); !got.Equal(tt.want) {
			t.Errorf("%s: refresh at %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := parseClaims(jwt(`{"https://hub.docker.com":{"username":"alice"}}`)).Hub.Username; got != "alice" {
		t.Errorf("username claim = %q, want alice", got)
	}
}

func TestScoutURLDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, DefaultScoutURL},
		{Options{BaseURL: "https://hub.docker.com/"}, DefaultScoutURL},
		{Options{BaseURL: "http://127.0.0.1:5000"}, ""},
		{Options{BaseURL: "http://127.0.0.1:5000", ScoutURL: "http://127.0.0.1:5000/v1/graphql"}, "http://127.0.0.1:5000/v1/graphql"},
	}
	for _, tt := range tests {
		if got := New(tt.opts).scoutURL; got != tt.want {
			t.Errorf("New(%+v).scoutURL = %q, want %q", tt.opts, got, tt.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
