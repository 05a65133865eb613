package store

// The merge steps of Apply, in dependency order. Each entity is merged in
// two statements: an INSERT of the new external ids (ON CONFLICT DO NOTHING,
// so a concurrent writer that created the same row first wins the insert),
// then an UPDATE of every staged row whose values differ. A staged NULL means
// "not given" and keeps the stored value. {now} is the transaction's clock.
//
// rejects, when set, lists staged rows the merge would skip (their order or
// ticket does not exist), as (ref, reason).

type mergeStep struct {
	name    string
	rejects string
	// stage, when set, says sql[0] inserts from that staging table and
	// sql[1] updates from it; the update is skipped when the insert took
	// every staged row (all were new), which halves a fresh import's work.
	stage string
	// onlyIfExisted, when set, names a staging table: the step runs only
	// when that table's insert left some rows to update (not all were new).
	onlyIfExisted string
	sql           []string
}

var mergeSteps = []mergeStep{
	{name: "teams", sql: []string{
		`INSERT INTO teams (name, created_at) SELECT DISTINCT team, {now} FROM stage_staff WHERE team IS NOT NULL
		 ON CONFLICT (name) DO NOTHING`,
	}},
	{name: "staff", stage: "stage_staff", sql: []string{
		`INSERT INTO staff (external_id, name, email, role, team_id, can_login, locale, created_at, updated_at)
		 SELECT s.external_id, COALESCE(s.name, s.external_id), COALESCE(s.email, ''), COALESCE(s.role, 'representative'),
		        (SELECT id FROM teams t WHERE t.name = s.team), COALESCE(s.can_login, FALSE), COALESCE(s.locale, 'en'), {now}, {now}
		 FROM stage_staff s WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
		updateFrom("staff", "stage_staff", "staff.external_id = s.external_id", []set{
			{"name", "COALESCE(s.name, staff.name)"},
			{"email", "COALESCE(s.email, staff.email)"},
			{"role", "COALESCE(s.role, staff.role)"},
			{"team_id", "COALESCE((SELECT id FROM teams t WHERE t.name = s.team), staff.team_id)"},
			{"locale", "COALESCE(s.locale, staff.locale)"},
		}, "updated_at = {now}"),
	}},
	{name: "customers", stage: "stage_customers", sql: []string{
		`INSERT INTO customers (external_id, name, email, phone, locale, time_zone, stage, owner_id, attributes, first_seen_at, created_at, updated_at)
		 SELECT s.external_id, COALESCE(s.name, ''), COALESCE(s.email, ''), COALESCE(s.phone, ''), COALESCE(s.locale, ''),
		        COALESCE(s.time_zone, ''), COALESCE(s.stage, 'prospect'), (SELECT id FROM staff st WHERE st.external_id = s.owner_ext),
		        COALESCE(s.attributes, '{}'), s.first_seen_at, {now}, {now}
		 FROM stage_customers s WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
		updateFrom("customers", "stage_customers", "customers.external_id = s.external_id", []set{
			{"name", "COALESCE(s.name, customers.name)"},
			{"email", "COALESCE(s.email, customers.email)"},
			{"phone", "COALESCE(s.phone, customers.phone)"},
			{"locale", "COALESCE(s.locale, customers.locale)"},
			{"time_zone", "COALESCE(s.time_zone, customers.time_zone)"},
			{"stage", "COALESCE(s.stage, customers.stage)"},
			{"owner_id", "COALESCE((SELECT id FROM staff st WHERE st.external_id = s.owner_ext), customers.owner_id)"},
			{"attributes", "COALESCE(s.attributes, customers.attributes)"},
			{"first_seen_at", "CASE WHEN customers.first_seen_at IS NULL OR s.first_seen_at < customers.first_seen_at THEN s.first_seen_at ELSE customers.first_seen_at END"},
		}, "updated_at = {now}"),
		`INSERT INTO consents (customer_id, channel, purpose, granted, source, updated_at)
		 SELECT c.id, s.channel, s.purpose, s.granted, COALESCE(s.source, ''), COALESCE(s.at, {now})
		 FROM stage_consents s JOIN customers c ON c.external_id = s.customer_ext WHERE true
		 ON CONFLICT (customer_id, channel, purpose) DO UPDATE
		 SET granted = excluded.granted, source = excluded.source, updated_at = excluded.updated_at
		 WHERE consents.granted IS DISTINCT FROM excluded.granted`,
	}},
	{name: "products", stage: "stage_products", sql: []string{
		`INSERT INTO products (external_id, name, category, created_at, updated_at)
		 SELECT s.external_id, COALESCE(s.name, s.external_id), COALESCE(s.category, ''), {now}, {now}
		 FROM stage_products s WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
		updateFrom("products", "stage_products", "products.external_id = s.external_id", []set{
			{"name", "COALESCE(s.name, products.name)"},
			{"category", "COALESCE(s.category, products.category)"},
		}, "updated_at = {now}"),
	}},
	{name: "orders", stage: "stage_orders", sql: []string{
		`INSERT INTO orders (external_id, customer_id, status, channel, currency, total_minor, placed_at, expected_delivery_at, created_at, updated_at)
		 SELECT s.external_id, c.id, COALESCE(s.status, 'placed'), COALESCE(s.channel, ''), s.currency, s.total_minor,
		        s.placed_at, s.expected_delivery_at, {now}, {now}
		 FROM stage_orders s JOIN customers c ON c.external_id = s.customer_ext WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
		updateFrom("orders", "stage_orders", "orders.external_id = s.external_id", []set{
			{"customer_id", "(SELECT id FROM customers c WHERE c.external_id = s.customer_ext)"},
			{"status", "COALESCE(s.status, orders.status)"},
			{"channel", "COALESCE(s.channel, orders.channel)"},
			{"currency", "s.currency"},
			{"total_minor", "CASE WHEN s.lines_total THEN orders.total_minor ELSE s.total_minor END"},
			{"placed_at", "s.placed_at"},
			{"expected_delivery_at", "COALESCE(s.expected_delivery_at, orders.expected_delivery_at)"},
		}, "updated_at = {now}"),
	}},
	{name: "order lines", stage: "stage_lines",
		rejects: `SELECT s.ref, 'order', s.order_ext FROM stage_lines s
		          WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)`,
		sql: []string{
			`INSERT INTO order_lines (external_id, order_id, product_id, name, quantity, unit_price_minor, total_minor)
			 SELECT s.external_id, o.id, p.id, COALESCE(s.name, ''), s.quantity, s.unit_price_minor, s.total_minor
			 FROM stage_lines s JOIN orders o ON o.external_id = s.order_ext LEFT JOIN products p ON p.external_id = s.product_ext
			 WHERE true
			 ON CONFLICT (external_id) DO NOTHING`,
			updateFrom("order_lines", "stage_lines", "order_lines.external_id = s.external_id AND EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)", []set{
				{"order_id", "(SELECT id FROM orders o WHERE o.external_id = s.order_ext)"},
				{"product_id", "(SELECT id FROM products p WHERE p.external_id = s.product_ext)"},
				{"name", "COALESCE(s.name, order_lines.name)"},
				{"quantity", "s.quantity"},
				{"unit_price_minor", "s.unit_price_minor"},
				{"total_minor", "s.total_minor"},
			}, ""),
		}},
	// An order given without a total is worth the sum of its lines. The
	// stager already summed the batch's lines, which is exact for a new order;
	// an order that existed may have lines from earlier imports, so its total
	// is recomputed from the table.
	{name: "order totals", onlyIfExisted: "stage_orders", sql: []string{
		`UPDATE orders SET total_minor = t.total
		 FROM (SELECT l.order_id AS order_id, SUM(l.total_minor) AS total
		       FROM stage_orders s JOIN orders o ON o.external_id = s.external_id JOIN order_lines l ON l.order_id = o.id
		       WHERE s.lines_total GROUP BY l.order_id) t
		 WHERE orders.id = t.order_id AND orders.total_minor <> t.total`,
	}},
	{name: "order events", stage: "stage_order_events",
		rejects: `SELECT s.ref, 'order', s.order_ext FROM stage_order_events s
		          WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)`,
		sql: []string{
			`INSERT INTO order_events (external_id, order_id, type, reason, amount_minor, occurred_at, created_at, staff_id, tracking_url, rider_phone)
			 SELECT s.external_id, o.id, s.type, COALESCE(s.reason, ''), COALESCE(s.amount_minor, 0), s.occurred_at, {now},
			        (SELECT id FROM staff st WHERE st.external_id = s.staff_ext), s.tracking_url, s.rider_phone
			 FROM stage_order_events s JOIN orders o ON o.external_id = s.order_ext WHERE true
			 ON CONFLICT (external_id) DO NOTHING`,
			updateFrom("order_events", "stage_order_events", "order_events.external_id = s.external_id AND EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)", []set{
				{"order_id", "(SELECT id FROM orders o WHERE o.external_id = s.order_ext)"},
				{"type", "s.type"},
				{"reason", "COALESCE(s.reason, order_events.reason)"},
				{"amount_minor", "COALESCE(s.amount_minor, order_events.amount_minor)"},
				{"occurred_at", "s.occurred_at"},
				{"staff_id", "COALESCE((SELECT id FROM staff st WHERE st.external_id = s.staff_ext), order_events.staff_id)"},
				{"tracking_url", "COALESCE(s.tracking_url, order_events.tracking_url)"},
				{"rider_phone", "COALESCE(s.rider_phone, order_events.rider_phone)"},
			}, ""),
		}},
	{name: "tickets", stage: "stage_tickets",
		rejects: `SELECT s.ref, 'order', s.order_ext FROM stage_tickets s
		          WHERE s.order_ext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)`,
		sql: []string{
			`INSERT INTO tickets (external_id, customer_id, channel, subject, status, priority, assignee_id, root_cause, opened_at,
		                      first_response_at, resolved_at, tags, team_id, order_id, created_at, updated_at)
		 SELECT s.external_id, c.id, s.channel, s.subject, s.status, s.priority, (SELECT id FROM staff st WHERE st.external_id = s.assignee_ext),
		        COALESCE(s.root_cause, ''), s.opened_at, s.first_response_at, s.resolved_at, COALESCE(s.tags, ''),
		        (SELECT id FROM teams tm WHERE tm.name = s.team), (SELECT id FROM orders o WHERE o.external_id = s.order_ext), {now}, {now}
		 FROM stage_tickets s JOIN customers c ON c.external_id = s.customer_ext WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
			updateFrom("tickets", "stage_tickets", "tickets.external_id = s.external_id", []set{
				{"customer_id", "(SELECT id FROM customers c WHERE c.external_id = s.customer_ext)"},
				{"channel", "s.channel"},
				{"subject", "s.subject"},
				{"status", "s.status"},
				{"priority", "s.priority"},
				{"assignee_id", "COALESCE((SELECT id FROM staff st WHERE st.external_id = s.assignee_ext), tickets.assignee_id)"},
				{"root_cause", "COALESCE(s.root_cause, tickets.root_cause)"},
				{"opened_at", "s.opened_at"},
				{"first_response_at", "COALESCE(s.first_response_at, tickets.first_response_at)"},
				{"resolved_at", "COALESCE(s.resolved_at, tickets.resolved_at)"},
				{"tags", "COALESCE(s.tags, tickets.tags)"},
				{"team_id", "COALESCE((SELECT id FROM teams tm WHERE tm.name = s.team), tickets.team_id)"},
				{"order_id", "COALESCE((SELECT id FROM orders o WHERE o.external_id = s.order_ext), tickets.order_id)"},
			}, "updated_at = {now}"),
			// The ticket's text, when given, is its first message.
			`INSERT INTO ticket_messages (external_id, ticket_id, author, body, sent_at, channel)
		 SELECT s.external_id || '#1', t.id, 'customer', s.body, s.opened_at, s.channel
		 FROM stage_tickets s JOIN tickets t ON t.external_id = s.external_id WHERE s.body IS NOT NULL
		 ON CONFLICT (external_id) DO UPDATE SET body = excluded.body WHERE ticket_messages.body IS DISTINCT FROM excluded.body`,
			// …written by the customer when the ticket opened.
			`UPDATE tickets SET last_customer_at = s.opened_at FROM stage_tickets s
		 WHERE tickets.external_id = s.external_id AND s.body IS NOT NULL AND tickets.last_customer_at IS NULL`,
		}},
	{name: "ticket messages",
		rejects: `SELECT s.ref, 'ticket', s.ticket_ext FROM stage_ticket_messages s
		          WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.external_id = s.ticket_ext)`,
		sql: []string{
			// Before the insert, while a message not yet stored is still
			// told apart from a replay: an agent's first reply is the first
			// response (and a new ticket is open); the customer writing
			// again reopens a ticket waiting on them, on hold, or resolved
			// before they wrote.
			`UPDATE tickets SET
			   first_response_at = COALESCE(tickets.first_response_at, f.first_agent),
			   last_customer_at = CASE WHEN f.last_customer IS NULL THEN tickets.last_customer_at
			                           WHEN tickets.last_customer_at IS NULL OR f.last_customer > tickets.last_customer_at THEN f.last_customer
			                           ELSE tickets.last_customer_at END,
			   status = CASE WHEN f.last_customer IS NOT NULL AND (tickets.status IN ('pending', 'on_hold')
			                      OR (tickets.status = 'resolved' AND f.last_customer > tickets.resolved_at)) THEN 'open'
			                 WHEN f.first_agent IS NOT NULL AND tickets.status = 'new' THEN 'open'
			                 ELSE tickets.status END,
			   resolved_at = CASE WHEN f.last_customer IS NOT NULL AND tickets.status = 'resolved' AND f.last_customer > tickets.resolved_at
			                      THEN NULL ELSE tickets.resolved_at END,
			   updated_at = {now}
			 FROM (SELECT s.ticket_ext, MIN(CASE WHEN s.author = 'agent' THEN s.sent_at END) AS first_agent,
			              MAX(CASE WHEN s.author = 'customer' THEN s.sent_at END) AS last_customer
			       FROM stage_ticket_messages s
			       WHERE NOT EXISTS (SELECT 1 FROM ticket_messages m WHERE m.external_id = s.external_id)
			       GROUP BY s.ticket_ext) f
			 WHERE tickets.external_id = f.ticket_ext`,
			// A thread is append-only: a message already stored stays as it was.
			`INSERT INTO ticket_messages (external_id, ticket_id, author, staff_id, body, sent_at, channel, deliver)
			 SELECT s.external_id, t.id, s.author, (SELECT id FROM staff st WHERE st.external_id = s.staff_ext), s.body, s.sent_at,
			        COALESCE(s.channel, ''), s.deliver
			 FROM stage_ticket_messages s JOIN tickets t ON t.external_id = s.ticket_ext WHERE true
			 ON CONFLICT (external_id) DO NOTHING`,
		}},
	{name: "survey responses", stage: "stage_surveys",
		rejects: `SELECT s.ref, CASE WHEN s.order_ext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)
		                       THEN 'order' ELSE 'ticket' END,
		                  CASE WHEN s.order_ext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext)
		                       THEN s.order_ext ELSE s.ticket_ext END
		          FROM stage_surveys s
		          WHERE (s.order_ext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext))
		             OR (s.ticket_ext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.external_id = s.ticket_ext))`,
		sql: []string{
			`INSERT INTO survey_responses (external_id, customer_id, kind, score, comment, staff_id, order_id, ticket_id, responded_at, created_at)
			 SELECT s.external_id, c.id, s.kind, s.score, COALESCE(s.comment, ''), (SELECT id FROM staff st WHERE st.external_id = s.staff_ext),
			        o.id, t.id, s.responded_at, {now}
			 FROM stage_surveys s JOIN customers c ON c.external_id = s.customer_ext
			 LEFT JOIN orders o ON o.external_id = s.order_ext LEFT JOIN tickets t ON t.external_id = s.ticket_ext
			 WHERE (s.order_ext IS NULL OR o.id IS NOT NULL) AND (s.ticket_ext IS NULL OR t.id IS NOT NULL)
			 ON CONFLICT (external_id) DO NOTHING`,
			updateFrom("survey_responses", "stage_surveys", `survey_responses.external_id = s.external_id
				AND (s.order_ext IS NULL OR EXISTS (SELECT 1 FROM orders o WHERE o.external_id = s.order_ext))
				AND (s.ticket_ext IS NULL OR EXISTS (SELECT 1 FROM tickets t WHERE t.external_id = s.ticket_ext))`, []set{
				{"customer_id", "(SELECT id FROM customers c WHERE c.external_id = s.customer_ext)"},
				{"kind", "s.kind"},
				{"score", "s.score"},
				{"comment", "COALESCE(s.comment, survey_responses.comment)"},
				{"staff_id", "COALESCE((SELECT id FROM staff st WHERE st.external_id = s.staff_ext), survey_responses.staff_id)"},
				{"order_id", "COALESCE((SELECT id FROM orders o WHERE o.external_id = s.order_ext), survey_responses.order_id)"},
				{"ticket_id", "COALESCE((SELECT id FROM tickets t WHERE t.external_id = s.ticket_ext), survey_responses.ticket_id)"},
				{"responded_at", "s.responded_at"},
			}, ""),
		}},
	{name: "subscriptions", stage: "stage_subscriptions", sql: []string{
		`INSERT INTO subscriptions (external_id, customer_id, plan, status, currency, value_minor, interval, started_at, renews_at, created_at, updated_at)
		 SELECT s.external_id, c.id, s.plan, COALESCE(s.status, 'active'), s.currency, s.value_minor, COALESCE(s.interval, 'month'),
		        s.started_at, s.renews_at, {now}, {now}
		 FROM stage_subscriptions s JOIN customers c ON c.external_id = s.customer_ext WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
		updateFrom("subscriptions", "stage_subscriptions", "subscriptions.external_id = s.external_id", []set{
			{"plan", "s.plan"},
			{"status", "COALESCE(s.status, subscriptions.status)"},
			{"currency", "s.currency"},
			{"value_minor", "s.value_minor"},
			{"interval", "COALESCE(s.interval, subscriptions.interval)"},
			{"started_at", "s.started_at"},
			{"renews_at", "COALESCE(s.renews_at, subscriptions.renews_at)"},
		}, "updated_at = {now}"),
	}},
	{name: "interactions", stage: "stage_interactions", sql: []string{
		`INSERT INTO interactions (external_id, customer_id, staff_id, kind, direction, summary, occurred_at, created_at)
		 SELECT s.external_id, c.id, (SELECT id FROM staff st WHERE st.external_id = s.staff_ext), s.kind, COALESCE(s.direction, 'outbound'),
		        s.summary, s.occurred_at, {now}
		 FROM stage_interactions s JOIN customers c ON c.external_id = s.customer_ext WHERE true
		 ON CONFLICT (external_id) DO NOTHING`,
		updateFrom("interactions", "stage_interactions", "interactions.external_id = s.external_id", []set{
			{"kind", "s.kind"},
			{"direction", "COALESCE(s.direction, interactions.direction)"},
			{"summary", "s.summary"},
			{"occurred_at", "s.occurred_at"},
		}, ""),
	}},
}
