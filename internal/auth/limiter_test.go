package auth

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimiterIsAtomic: 40 parallel attempts on one account get exactly the
// 5 the limit allows (the check and the count were two steps: 40 of 40
// were checked against the password).
func TestLimiterIsAtomic(t *testing.T) {
	l := NewLimiter()
	now := time.Date(2026, 3, 18, 9, 30, 0, 0, time.UTC)
	var passed atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if l.Take("account:a@example.com", 5, now) {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if passed.Load() != 5 {
		t.Errorf("%d of 40 parallel attempts passed, want 5", passed.Load())
	}
	if !l.Take("account:a@example.com", 5, now.Add(time.Minute)) {
		t.Error("still refused a minute later")
	}
}

// TestLimiterMemoryIsBounded: 10,000 and then 20,000 unique, long e-mail
// addresses leave a table of at most limiterKeys fixed-size keys (the heap
// in use is logged).
func TestLimiterMemoryIsBounded(t *testing.T) {
	l := NewLimiter()
	now := time.Date(2026, 3, 18, 9, 30, 0, 0, time.UTC)
	pad := strings.Repeat("x", 64<<10) // 64 KiB addresses
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	for i := range 20_000 {
		l.Take(fmt.Sprintf("account:%d%s@example.com", i, pad), 5, now)
	}
	if n := len(l.fails); n > limiterKeys {
		t.Errorf("%d keys kept, at most %d", n, limiterKeys)
	}
	after := heap()
	t.Logf("heap in use: %.1f MB before, %.1f MB after 20,000 unique 64 KiB addresses (%d keys kept)",
		float64(before)/1e6, float64(after)/1e6, len(l.fails))
}
