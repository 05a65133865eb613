// Package config holds Retain's boot configuration: which database, which
// address, where data lives. Values are layered defaults < RETAIN_* environment
// < command-line flags; cli binds the flags. Runtime settings (channels,
// branding) live in the database, not here.
package config

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// Config is the boot configuration.
type Config struct {
	DB      string // SQLite file path or postgres:// URL
	Addr    string // HTTP listen address
	DataDir string // where the default SQLite file lives
	// TLSCert and TLSKey: serve HTTPS with this certificate and key (PEM
	// files). BehindProxy: a reverse proxy terminates TLS and sets
	// X-Forwarded-Proto / X-Forwarded-For, which are believed only then.
	TLSCert, TLSKey string
	BehindProxy     bool
}

// Defaults returns the built-in configuration with RETAIN_* variables applied.
func Defaults(getenv func(string) string) Config {
	c := Config{DataDir: "retain-data", Addr: "127.0.0.1:8080"}
	if v := getenv("RETAIN_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	c.DB = filepath.Join(c.DataDir, "retain.db")
	if v := getenv("RETAIN_DB"); v != "" {
		c.DB = v
	}
	if v := getenv("RETAIN_DB_FILE"); v != "" { // a secret URL kept in a file
		if b, err := os.ReadFile(v); err == nil {
			c.DB = string(trimNL(b))
		}
	}
	if v := getenv("RETAIN_ADDR"); v != "" {
		c.Addr = v
	}
	return c
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.DB == "" {
		return fmt.Errorf("config: --db is empty")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("config: --addr %q is not HOST:PORT", c.Addr)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("config: --tls-cert and --tls-key go together")
	}
	if c.TLSCert != "" && c.BehindProxy {
		return fmt.Errorf("config: --behind-proxy is for a proxy that terminates TLS; with --tls-cert Retain terminates it itself")
	}
	return nil
}
