package retain

import "time"

// Channel is a way to reach a customer.
type Channel string

// The channels.
const (
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelEmail    Channel = "email"
	ChannelWebhook  Channel = "webhook"
	ChannelPhone    Channel = "phone" // calls: consent only, Retain does not dial
)

// ChannelNames are the channels Retain sends messages on.
var ChannelNames = []Channel{ChannelSMS, ChannelWhatsApp, ChannelEmail, ChannelWebhook}

// ContactChannels are the channels a customer gives consent for.
var ContactChannels = []Channel{ChannelEmail, ChannelSMS, ChannelWhatsApp, ChannelPhone}

// Purpose is why a message is sent, which decides the consent it needs:
// transactional messages (an order's status, a reply) need none beyond the
// relationship; marketing needs an opt-in and honours unsubscribes.
type Purpose string

// The purposes.
const (
	PurposeTransactional Purpose = "transactional"
	PurposeMarketing     Purpose = "marketing"
)

// Purposes lists them.
var Purposes = []Purpose{PurposeTransactional, PurposeMarketing}

// MessageStatus is where a message is in its life.
type MessageStatus string

// Message statuses. A claimed message is "sending" until its outcome is
// recorded; "unknown" is a call whose result never came back, which a
// marketing message is never resent from (docs/reliability.md M3).
const (
	MsgQueued     MessageStatus = "queued"
	MsgSending    MessageStatus = "sending"
	MsgSent       MessageStatus = "sent"
	MsgUnknown    MessageStatus = "unknown"
	MsgDelivered  MessageStatus = "delivered"
	MsgFailed     MessageStatus = "failed"
	MsgDead       MessageStatus = "dead"
	MsgExpired    MessageStatus = "expired"
	MsgSuppressed MessageStatus = "suppressed"
	MsgCapped     MessageStatus = "capped"
	// MsgWaiting is a queued message waiting for its channel to be set
	// up: a status as shown and filtered, stored as queued + WaitingFor.
	MsgWaiting MessageStatus = "waiting"
)

// MessageStatuses lists every status, in the order a message goes through them.
var MessageStatuses = []MessageStatus{MsgQueued, MsgWaiting, MsgSending, MsgSent, MsgDelivered, MsgFailed, MsgDead,
	MsgExpired, MsgSuppressed, MsgCapped, MsgUnknown}

// ReplyMenu is the tappable answers of a message, with the label of the
// button that opens them when they are more than three.
type ReplyMenu struct {
	Button  string        `json:"button"`
	Options []ReplyOption `json:"options"`
}

// ReplyOption is one tappable answer of a message: ID comes back in the
// reply, Title is what the customer sees (WhatsApp allows 24 characters).
type ReplyOption struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// MessageTemplate names a WhatsApp template approved by Meta.
type MessageTemplate struct {
	Name     string `json:"name"`
	Language string `json:"language"`
}

// Message is one message to a customer (a row of the outbox).
type Message struct {
	ID             int64
	IdempotencyKey string // unique: enqueueing the same key twice is one message
	CustomerID     int64
	Channel        Channel
	Purpose        Purpose
	Kind           string // what it is, e.g. recovery.apology
	Locale         string
	Recipient      string
	Subject        string
	Body           string
	Status         MessageStatus
	DueAt          time.Time
	MaxLateness    time.Duration // 0: never expires
	Attempts       int
	Fence          int64
	ProviderID     string
	LastError      string
	EnrollmentID   int64
	FirstDueAt     time.Time
	SentAt         time.Time
	// Options are the answers a channel may show as buttons or a list
	// (WhatsApp): a survey's score is one tap. The body still says how to
	// answer by reply, for channels and phones that show no buttons.
	Menu *ReplyMenu
	// Template, when set, sends the message as an approved WhatsApp
	// template whose one body parameter is Body: WhatsApp delivers free
	// text only within 24 hours of the customer's last message.
	Template *MessageTemplate
	// InReplyTo is the Message-ID of the customer's e-mail an e-mail
	// answers: it threads in their mail client.
	InReplyTo string
	// WaitingFor lists the channels a queued message waits for, in order
	// of preference ("whatsapp,sms"): it was due while none was set up. It
	// is not claimed until one is, and its Status reads MsgWaiting.
	WaitingFor string
	// About is what the message is news of ("order:1042", the order's id):
	// a newer message about it replaces one still queued, and waits until
	// AboutGap after one just sent, so a customer never gets two messages
	// about one order minutes apart.
	About string
}

// AboutGap is the least time between two messages about one thing.
const AboutGap = 10 * time.Minute
