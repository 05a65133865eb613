package messaging

import (
	"strings"
	"testing"
)

func TestParseMail(t *testing.T) {
	reply := "From: =?utf-8?b?4Kaw4Ka/4Kao4Ka+?= <rina.customer@example.com>\r\n" +
		"To: help@shop.example\r\nSubject: Re: Order O123\r\nMessage-ID: <abc@mail.example.com>\r\n" +
		"In-Reply-To: <ticket-reply.agent.1@shop.example>\r\nReferences: <first@mail.example.com> <ticket-reply.agent.1@shop.example>\r\n" +
		"Date: Tue, 01 Dec 2026 10:00:00 +0600\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"পার্সেল এখনো আসেনি।\r\nআজ কি আসবে?\r\n\r\nমঙ্গল, ১ ডিসে, ২০২৬ এ Shop <help@shop.example> লিখেছেন:\r\n> আমরা খুঁজে দেখছি\r\n"
	m, err := ParseMail(strings.NewReader(reply))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "rina.customer@example.com" || m.Name != "রিনা" || m.MessageID != "abc@mail.example.com" || m.Subject != "Re: Order O123" {
		t.Errorf("headers: %+v", m)
	}
	if len(m.Refs) != 3 || m.Refs[0] != "ticket-reply.agent.1@shop.example" || m.Refs[2] != "first@mail.example.com" {
		t.Errorf("refs: %v", m.Refs)
	}
	if m.Text != "পার্সেল এখনো আসেনি।\nআজ কি আসবে?" || m.Automatic {
		t.Errorf("text: %q automatic %v", m.Text, m.Automatic)
	}

	big := strings.Repeat("A", 7<<20)
	multipart := "From: Sita <sita@example.com>\r\nSubject: photo\r\nMessage-ID: <m2@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n" +
		"<html><head><style>p{}</style></head><body><p>The box was torn &amp; wet, caf\xe9</p><blockquote>old thread</blockquote></body></html>\r\n" +
		"--XX\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"../../box.jpg\"\r\n\r\nJPEGDATA\r\n" +
		"--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"huge.bin\"\r\n\r\n" + big + "\r\n--XX--\r\n"
	m, err = ParseMail(strings.NewReader(multipart))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "The box was torn & wet, café" {
		t.Errorf("html text: %q", m.Text)
	}
	if len(m.Attachments) != 2 || m.Attachments[0].Name != "box.jpg" || string(m.Attachments[0].Data) != "JPEGDATA" || m.Attachments[0].Dropped ||
		!m.Attachments[1].Dropped || m.Attachments[1].Data != nil || m.Attachments[1].Size < 7<<20 {
		t.Errorf("attachments: %+v", m.Attachments[0])
	}

	auto := "From: Sita <sita@example.com>\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nI am away."
	if m, err := ParseMail(strings.NewReader(auto)); err != nil || !m.Automatic {
		t.Errorf("an auto-reply: %+v %v", m, err)
	}
	if _, err := ParseMail(strings.NewReader("Subject: no sender\r\n\r\nhi")); err == nil {
		t.Error("a mail with no From read")
	}
}

func TestTrimQuoted(t *testing.T) {
	for in, want := range map[string]string{
		"Thanks!\n\nOn Mon, 30 Nov 2026 at 10:00, Shop <help@shop.example> wrote:\n> old":   "Thanks!",
		"Yes please\nOn Mon, 30 Nov 2026 at 10:00, Shop\n<help@shop.example> wrote:\n> old": "Yes please",
		"ठिक छ\n\nसोम, नोभेम्बर ३० मा Shop ले लेख्नुभयो:\n> पुरानो":                         "ठिक छ",
		"Ok\n\n-----Original Message-----\nFrom: Shop":                                      "Ok",
		"Call me\n-- \nRam\n+977 980":   "Call me",
		"> only a quote\n> nothing new": "> only a quote\n> nothing new",
		"See below\n> quoted line":      "See below",
	} {
		if got := TrimQuoted(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
