package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Limiter counts attempts per key (an account, an address) over a
// sliding minute. Keys are kept as SHA-256 sums and the table holds at most
// limiterKeys of them, so a flood of unique, huge e-mail addresses cannot
// grow the server's memory; Take reserves an attempt atomically, so
// parallel guesses cannot all pass the check before any failure counts.
type Limiter struct {
	mu    sync.Mutex
	fails map[[sha256.Size]byte][]time.Time
}

// limiterKeys bounds the table; under a flood past it, keys with no attempt
// in the last minute go first, then arbitrary ones.
const limiterKeys = 10_000

func NewLimiter() *Limiter { return &Limiter{fails: map[[sha256.Size]byte][]time.Time{}} }

// Take reports whether key has had fewer than max attempts in the last
// minute and, if so, counts this one; Forgive takes it back when it turns
// out to be a success.
func (l *Limiter) Take(key string, max int, now time.Time) bool {
	k := sha256.Sum256([]byte(key))
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(k, now)
	if len(recent) >= max {
		return false
	}
	if _, known := l.fails[k]; !known && len(l.fails) >= limiterKeys {
		l.evict(now)
	}
	l.fails[k] = append(recent, now)
	return true
}

func (l *Limiter) Forgive(key string, at time.Time) {
	k := sha256.Sum256([]byte(key))
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.fails[k]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			l.fails[k] = append(ts[:i], ts[i+1:]...)
			break
		}
	}
	if len(l.fails[k]) == 0 {
		delete(l.fails, k)
	}
}

func (l *Limiter) recent(k [sha256.Size]byte, now time.Time) []time.Time {
	ts := l.fails[k]
	out := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < time.Minute {
			out = append(out, t)
		}
	}
	return out
}

// evict makes room: first every key with nothing in the last minute, then,
// if the table is still full, a tenth of it.
func (l *Limiter) evict(now time.Time) {
	for k := range l.fails {
		if len(l.recent(k, now)) == 0 {
			delete(l.fails, k)
		}
	}
	for k := range l.fails {
		if len(l.fails) < limiterKeys*9/10 {
			return
		}
		delete(l.fails, k)
	}
}
