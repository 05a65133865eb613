package messaging

import "testing"

func TestParseWhatsAppWebhook(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
		"messages":[{"from":"8801711000001","id":"wamid.A","timestamp":"1780286400","type":"text","text":{"body":"৪"}},
		            {"from":"8801711000002","id":"wamid.B","timestamp":"1780286401","type":"button","button":{"text":"Yes","payload":"score:5"}},
		            {"from":"8801711000003","id":"wamid.C","timestamp":"1780286402","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"score:1","title":"1"}}}],
		"statuses":[{"id":"wamid.OUT","status":"failed","timestamp":"1780286403","errors":[{"title":"Re-engagement message"}]}]}}]}]}`)
	ev, err := ParseWhatsAppWebhook(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Messages) != 3 || ev.Messages[0].From != "+8801711000001" || ev.Messages[0].Text != "৪" || ev.Messages[0].At.Unix() != 1780286400 {
		t.Errorf("a text: %+v", ev.Messages)
	}
	if ev.Messages[1].ReplyID != "score:5" || ev.Messages[2].ReplyID != "score:1" {
		t.Errorf("taps: %+v", ev.Messages[1:])
	}
	if len(ev.Statuses) != 1 || ev.Statuses[0].Status != "failed" || ev.Statuses[0].Detail != "Re-engagement message" {
		t.Errorf("statuses: %+v", ev.Statuses)
	}
	if VerifyMetaSignature("s", MetaSignature("s", body), body) != nil || VerifyMetaSignature("s", MetaSignature("t", body), body) == nil ||
		VerifyMetaSignature("s", "", body) == nil || VerifyMetaSignature("", MetaSignature("", body), body) == nil {
		t.Error("signatures")
	}
}
