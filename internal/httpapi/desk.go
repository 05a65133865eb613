package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/core"
	"github.com/retainhq/retain/internal/store"
)

// The support desk: its inbox views, a ticket's thread, replies and notes
// (a reply goes out on the ticket's channel), changes of status, priority,
// cause and assignee, and inbound messages from integrations (a contact
// form, a mail service, a chat tool) that open or continue a conversation.

type deskTicketsInput struct {
	View    string `query:"view" enum:"open,mine,team,unassigned,breaching,pending,resolved,all" doc:"Default open (new, open, on hold). mine and team mean nothing to an API key."`
	Status  string `query:"status" enum:"new,open,pending,on_hold,resolved,closed"`
	Channel string `query:"channel" enum:"email,phone,web,chat,sms,whatsapp,messenger,in_store"`
	Query   string `query:"q" maxLength:"200" doc:"Subject, customer name, phone, e-mail or external id."`
	Tag     string `query:"tag" maxLength:"40" doc:"Only tickets with this tag."`
	Sort    string `query:"sort" enum:"due,opened,-opened,-updated" doc:"Default due: the deadline nearest first."`
	Limit   int    `query:"limit" minimum:"0" maximum:"500" doc:"Default 50."`
	Offset  int    `query:"offset" minimum:"0"`
}

type deskTicketsOutput struct {
	Body struct {
		Tickets []core.DeskTicket `json:"tickets"`
	}
}

func (a *API) deskTickets(ctx context.Context, in *deskTicketsInput) (*deskTicketsOutput, error) {
	out := &deskTicketsOutput{}
	var err error
	out.Body.Tickets, err = a.work().Tickets(ctx, actorFrom(ctx), store.TicketFilter{View: in.View, Status: in.Status, Channel: in.Channel,
		Query: in.Query, Tag: in.Tag, Sort: in.Sort, Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, a.apiError(ctx, "desk-tickets", err)
	}
	return out, nil
}

type ticketRefInput struct {
	ID string `path:"id" maxLength:"200" doc:"The ticket's external id."`
}

type ticketThreadOutput struct {
	Body struct {
		Ticket   core.DeskTicket    `json:"ticket"`
		Messages []core.DeskMessage `json:"messages"`
	}
}

func (a *API) getTicket(ctx context.Context, in *ticketRefInput) (*ticketThreadOutput, error) {
	out := &ticketThreadOutput{}
	var err error
	out.Body.Ticket, out.Body.Messages, _, err = a.work().TicketThread(ctx, actorFrom(ctx), in.ID)
	if err != nil {
		return nil, a.apiError(ctx, "get-ticket", err)
	}
	return out, nil
}

type replyInput struct {
	ID   string `path:"id" maxLength:"200"`
	Body struct {
		Body   string `json:"body,omitempty" maxLength:"65536" doc:"The reply (sent to the customer on the ticket's channel) or the note."`
		Canned string `json:"canned,omitempty" maxLength:"40" doc:"Instead of body: the key of a canned reply, filled in for the customer in their language."`
		Note   bool   `json:"note,omitempty" doc:"An internal note: never sent."`
		Status string `json:"status,omitempty" enum:"new,open,pending,on_hold,resolved,closed" doc:"The status to set with it (pending: waiting on the customer)."`
		Key    string `json:"key,omitempty" maxLength:"100" doc:"Your key for the reply: the same key again on the ticket is the same reply, sent once (a retried request)."`
	}
}

func (a *API) replyTicket(ctx context.Context, in *replyInput) (*ticketThreadOutput, error) {
	actor := actorFrom(ctx)
	_, _, id, err := a.work().TicketThread(ctx, actor, in.ID)
	body := in.Body.Body
	if err == nil && body == "" && in.Body.Canned != "" {
		body, err = core.CannedText(ctx, a.db, id, in.Body.Canned)
	}
	if err == nil && in.Body.Key != "" {
		err = a.work().ReplyTicketOnce(ctx, actor, id, in.Body.Key, body, in.Body.Note, core.TicketChange{Status: in.Body.Status})
	} else if err == nil {
		err = a.work().ReplyTicket(ctx, actor, id, body, in.Body.Note, core.TicketChange{Status: in.Body.Status})
	}
	if err != nil {
		return nil, a.apiError(ctx, "reply-ticket", err)
	}
	return a.getTicket(ctx, &ticketRefInput{ID: in.ID})
}

type ticketPatchInput struct {
	ID   string `path:"id" maxLength:"200"`
	Body struct {
		Status    string    `json:"status,omitempty" enum:"new,open,pending,on_hold,resolved,closed"`
		Priority  string    `json:"priority,omitempty" enum:"low,normal,high,urgent"`
		RootCause string    `json:"root_cause,omitempty" enum:"quality,price_value,usability,service,delivery,other"`
		Assignee  string    `json:"assignee,omitempty" doc:"The e-mail of the active agent or manager to assign it to."`
		Unassign  bool      `json:"unassign,omitempty" doc:"Take the assignee away."`
		Tags      *[]string `json:"tags,omitempty" maxItems:"20" doc:"The ticket's tags, all of them (lowercased, spaces as -); [] clears."`
		Team      *string   `json:"team,omitempty" maxLength:"100" doc:"The team's name; \"\" clears."`
		OrderID   *string   `json:"order_id,omitempty" maxLength:"200" doc:"The external id of the customer's order it is about; \"\" clears."`
	}
}

func (a *API) patchTicket(ctx context.Context, in *ticketPatchInput) (*ticketThreadOutput, error) {
	actor := actorFrom(ctx)
	_, _, id, err := a.work().TicketThread(ctx, actor, in.ID)
	change := core.TicketChange{Status: in.Body.Status, Priority: in.Body.Priority, RootCause: in.Body.RootCause, Unassign: in.Body.Unassign,
		Team: in.Body.Team, Order: in.Body.OrderID}
	if in.Body.Tags != nil {
		tags := retain.NormalizeTags(strings.Join(*in.Body.Tags, ","))
		change.Tags = &tags
	}
	if err == nil && in.Body.Assignee != "" {
		if change.Assignee, err = a.db.StaffID(ctx, in.Body.Assignee); err != nil {
			err = retain.FieldError("assignee", "no active staff member with e-mail %q", in.Body.Assignee)
		}
	}
	if err == nil {
		err = a.work().UpdateTicket(ctx, actor, id, change)
	}
	if err != nil {
		return nil, a.apiError(ctx, "update-ticket", err)
	}
	return a.getTicket(ctx, &ticketRefInput{ID: in.ID})
}

type mergeInput struct {
	ID   string `path:"id" maxLength:"200" doc:"The ticket to merge (it closes; its thread moves)."`
	Body struct {
		Into string `json:"into" minLength:"1" maxLength:"200" doc:"The external id of the same customer's ticket to merge it into."`
	}
}

func (a *API) mergeTicket(ctx context.Context, in *mergeInput) (*ticketThreadOutput, error) {
	actor := actorFrom(ctx)
	_, _, from, err := a.work().TicketThread(ctx, actor, in.ID)
	var into int64
	if err == nil {
		_, _, into, err = a.work().TicketThread(ctx, actor, in.Body.Into)
		if retain.ErrorCode(err) == retain.ENOTFOUND {
			err = retain.FieldError("into", "no ticket %q", in.Body.Into)
		}
	}
	if err == nil {
		err = a.work().MergeTicket(ctx, actor, from, into)
	}
	if err != nil {
		return nil, a.apiError(ctx, "merge-ticket", err)
	}
	return a.getTicket(ctx, &ticketRefInput{ID: in.Body.Into})
}

type splitInput struct {
	ID   string `path:"id" maxLength:"200"`
	Body struct {
		Message int64 `json:"message" minimum:"1" doc:"The id of the message (in the ticket's messages) the new ticket starts with; later ones move too."`
	}
}

func (a *API) splitTicket(ctx context.Context, in *splitInput) (*ticketThreadOutput, error) {
	actor := actorFrom(ctx)
	_, _, id, err := a.work().TicketThread(ctx, actor, in.ID)
	var ref string
	if err == nil {
		ref, err = a.work().SplitTicket(ctx, actor, id, in.Body.Message)
	}
	if err != nil {
		return nil, a.apiError(ctx, "split-ticket", err)
	}
	return a.getTicket(ctx, &ticketRefInput{ID: ref})
}

type inboundInput struct {
	Body struct {
		ID      string     `json:"id" minLength:"1" maxLength:"200" doc:"Your id for the message: the same id is one message."`
		Channel string     `json:"channel" enum:"email,phone,web,chat,sms,whatsapp,messenger,in_store"`
		From    string     `json:"from" minLength:"1" maxLength:"320" doc:"The sender's phone number (any common form, Bengali or Devanagari digits too) or e-mail address."`
		Name    string     `json:"name,omitempty" maxLength:"300" doc:"The sender's name, for a customer not yet known."`
		Subject string     `json:"subject,omitempty" maxLength:"500"`
		Text    string     `json:"text" minLength:"1" maxLength:"65536"`
		SentAt  *time.Time `json:"sent_at,omitempty" doc:"Default: when received."`
	}
}

type inboundOutput struct {
	Status int
	Body   struct {
		Ticket string `json:"ticket" doc:"The external id of the ticket it opened or continued."`
	}
}

func (a *API) inbound(ctx context.Context, in *inboundInput) (*inboundOutput, error) {
	b := in.Body
	msg := core.Inbound{ID: b.ID, Channel: b.Channel, Name: b.Name, Subject: b.Subject, Text: b.Text}
	if b.SentAt != nil {
		msg.At = b.SentAt.UTC().Truncate(time.Microsecond)
	}
	var err error
	if b.Channel == "email" {
		msg.Email, err = retain.NormalizeEmail(b.From)
	} else {
		msg.Phone, err = retain.NormalizePhone(b.From, "")
	}
	if err != nil {
		return nil, a.apiError(ctx, "inbound", retain.FieldError("from", "%v", err))
	}
	out := &inboundOutput{Status: http.StatusCreated}
	if out.Body.Ticket, err = core.TakeInbound(ctx, a.db, msg); err != nil {
		return nil, a.apiError(ctx, "inbound", err)
	}
	return out, nil
}
