package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/retainhq/retain"
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
	// Logo is the business's logo (LogoType: image/png or image/jpeg);
	// nil when none is set.
	Logo     []byte
	LogoType string
}

// LogoKey is the setting that holds the business's logo: its content type,
// a comma, and the image in base64.
const LogoKey = "business.logo"

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
	m := &Messaging{Version: v, Settings: s, Channels: chans, Policy: policy, Unsubscribe: links}
	if logo, ok, err := l.DB.Setting(ctx, LogoKey); err != nil {
		return nil, err
	} else if ok && logo != "" {
		ctype, b64, _ := strings.Cut(logo, ",")
		if m.Logo, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return nil, fmt.Errorf("stored logo: %w", err)
		}
		m.LogoType = ctype
	}
	l.cur, l.version = m, v
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

// UpdateMessaging changes the stored messaging settings with change, checks
// the result as `retain messaging set` does (every channel built, every
// field valid) and saves it, audited: the settings forms each change their
// own part of the one document.
func UpdateMessaging(ctx context.Context, db *store.DB, by retain.Actor, change func(*messaging.Settings) error) error {
	s, err := MessagingSettings(ctx, db)
	if err != nil {
		return err
	}
	if err := change(&s); err != nil {
		return err
	}
	if _, _, err := s.Build(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return db.SaveSetting(ctx, by, messaging.SettingsKey, string(b))
}

// BusinessZone is the business's time zone, UTC when none is set.
func BusinessZone(ctx context.Context, db *store.DB) (*time.Location, error) {
	s, err := MessagingSettings(ctx, db)
	if err != nil || s.TimeZone == "" {
		return time.UTC, err
	}
	return time.LoadLocation(s.TimeZone)
}

// ImportDefaults fills what an import was not told with the business's
// settings: amounts without a currency are in the business's currency and
// times without an offset in its zone (a Dhaka shop's file is in BDT and
// Dhaka time, not USD and UTC). Left unset when the business has none.
func ImportDefaults(ctx context.Context, db *store.DB, currency *string, zone **time.Location) error {
	if *currency != "" && *zone != nil {
		return nil
	}
	s, err := MessagingSettings(ctx, db)
	if err != nil {
		return err
	}
	if *currency == "" {
		*currency = s.Currency
	}
	if *zone == nil && s.TimeZone != "" {
		if loc, err := time.LoadLocation(s.TimeZone); err == nil {
			*zone = loc
		}
	}
	return nil
}
