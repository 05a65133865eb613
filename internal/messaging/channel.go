package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/retainhq/retain"
)

// Outgoing is a message ready for a channel.
type Outgoing struct {
	ID         int64
	Key        string // idempotency key: the same key is the same message
	CustomerID int64
	Channel    retain.Channel
	Purpose    retain.Purpose
	Kind       string
	Locale     string
	To         string // email address, E.164 phone number or webhook URL
	Subject    string
	Body       string
	// Unsubscribe is the one-click unsubscribe URL of a marketing message.
	Unsubscribe string
	// Menu: answers to show as buttons or a list where the channel can
	// (WhatsApp); the body says how to answer by reply all the same.
	Menu *retain.ReplyMenu
	// Template: send as this approved WhatsApp template, Body its one
	// parameter (outside the 24-hour customer service window).
	Template *retain.MessageTemplate
	// InReplyTo: the Message-ID an e-mail answers (threading).
	InReplyTo string
}

// A Channel delivers messages to one kind of gateway.
type Channel interface {
	// Send delivers m and returns the gateway's id for it. A failure is a
	// *SendError saying whether to retry.
	Send(ctx context.Context, m Outgoing) (providerID string, err error)
	// Idempotent reports whether the gateway honours m.Key, so that a
	// repeat after a crash is still one delivery.
	Idempotent() bool
}

// ErrorKind says what a failed send means for the message.
type ErrorKind int

const (
	// Temporary: nothing was delivered; try again later.
	Temporary ErrorKind = iota
	// Permanent: the gateway refused the message; do not retry.
	Permanent
	// Ambiguous: the request may have been delivered (a timeout or a reset
	// after it was written).
	Ambiguous
)

// SendError is a failed send.
type SendError struct {
	Kind       ErrorKind
	RetryAfter time.Duration // the gateway's Retry-After, if any
	Err        error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// KindOf classifies err; errors that are not *SendError count as ambiguous.
func KindOf(err error) (ErrorKind, time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Kind, se.RetryAfter
	}
	return Ambiguous, 0
}

// httpError classifies an HTTP response (docs/reliability.md M9): 429, 503 and
// 408 are retried (with Retry-After), 5xx retried, 3xx and other 4xx not.
func httpError(resp *http.Response, body []byte) *SendError {
	err := fmt.Errorf("gateway answered %s: %.200s", resp.Status, body)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return &SendError{Kind: Temporary, RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Err: err}
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return &SendError{Kind: Temporary, Err: err}
	}
	return &SendError{Kind: Permanent, Err: err}
}

func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}
