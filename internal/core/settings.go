package core

import (
	"context"
	"sync"

	"github.com/retainhq/retain/internal/messaging"
	"github.com/retainhq/retain/internal/scheduler"
	"github.com/retainhq/retain/internal/store"
)

// LiveSettings is the one source every job reads the messaging settings
// from. It costs one small read per call to learn the settings' version and
// decodes them again only when that moved, so a change saved in the UI or
// by `retain messaging set` reaches the running jobs on their next pass,
// with no restart.
type LiveSettings struct {
	DB *store.DB

	mu      sync.Mutex
	version int64
	cur     *Messaging
}

// Messaging is the messaging settings in force, built.
type Messaging struct {
	Version  int64
	Settings messaging.Settings
	Channels map[string]messaging.Channel
	Policy   messaging.Policy
	// Unsubscribe makes a marketing message's one-click link; nil when no
	// public URL is set.
	Unsubscribe func(customerID int64, channel string) string
}

// Configured reports the channels that are set up.
func (m *Messaging) Configured() map[string]bool {
	out := make(map[string]bool, len(m.Channels))
	for k := range m.Channels {
		out[k] = true
	}
	return out
}

// Messaging returns the settings in force.
func (l *LiveSettings) Messaging(ctx context.Context) (*Messaging, error) {
	v, err := l.DB.SettingsVersion(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil && l.version == v {
		return l.cur, nil
	}
	s, err := MessagingSettings(ctx, l.DB)
	if err != nil {
		return nil, err
	}
	chans, policy, err := s.Build()
	if err != nil {
		return nil, err
	}
	links, err := UnsubscribeLinks(ctx, l.DB, s.PublicURL)
	if err != nil {
		return nil, err
	}
	l.cur, l.version = &Messaging{Version: v, Settings: s, Channels: chans, Policy: policy, Unsubscribe: links}, v
	return l.cur, nil
}

// Sender gives the outbox sender the settings in force (its Settings hook).
func (l *LiveSettings) Sender(ctx context.Context) (scheduler.Settings, error) {
	m, err := l.Messaging(ctx)
	if err != nil {
		return scheduler.Settings{}, err
	}
	timeout, lease := m.Settings.Timeouts()
	s := scheduler.Settings{Channels: m.Channels, Policy: m.Policy, Timeout: timeout, Lease: lease}
	if m.Unsubscribe != nil {
		s.UnsubscribeURL = func(c store.Claimed) string { return m.Unsubscribe(c.CustomerID, string(c.Channel)) }
	}
	return s, nil
}
