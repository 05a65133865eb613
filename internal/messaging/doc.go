// Package messaging holds what decides whether, when and how a message to a
// customer may go out — quiet hours, opt-out keywords, templates — and the
// channels that carry it: email over SMTP, SMS through an HTTP gateway,
// WhatsApp Business Cloud API and signed outbound webhooks. It does no
// database work: the scheduler claims messages from the store and hands
// them here.
package messaging
