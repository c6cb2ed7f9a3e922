//! The OpenAPI 3.1 `webhooks` entry: what techmatch POSTs to an organisation's endpoint for each
//! notification, with its headers, so generators and readers find the callback beside the paths
//! (utoipa 5 has no `webhooks` member; [`crate::routes::document_json`] adds this one).

use serde_json::{json, Value};

/// The document's `webhooks` object: one callback, `notification`.
pub fn webhooks() -> Value {
    let header = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "header", "required": true, "description": description, "schema": schema});
    json!({
        "notification": {
            "post": {
                "operationId": "notification_webhook",
                "tags": ["notifications"],
                "summary": "A notification, POSTed to each enabled webhook endpoint of its organisation.",
                "description": "Sent by techmatch to the URL of `POST /organizations/{id}/webhooks`. Verify \
    `X-Techmatch-Signature` before trusting the body: HMAC-SHA256 keyed with the endpoint's secret over the bytes \
    `t + \".\" + body` (the body exactly as received), compared in constant time; refuse a `t` more than 300 seconds \
    from your clock (the replay window). Process each `X-Techmatch-Delivery` id once: a retry carries the same id. \
    Answer 2xx within 5 s; any other status, a redirect (never followed) or a timeout is retried with exponential \
    backoff (30 s doubling, at most 2 h) for 24 hours, and the endpoint is disabled after \
    `TECHMATCH_WEBHOOK_MAX_FAILURES` consecutive failures (its owners get a `webhook_disabled` notification).",
                "security": [],
                "parameters": [
                    header("X-Techmatch-Delivery", "The delivery id, the same on every retry (the idempotency id; also the body's `id`).",
                        json!({"type": "string", "format": "uuid"})),
                    header("X-Techmatch-Event", "The notification kind (the body's `kind`).",
                        json!({"$ref": "#/components/schemas/NotificationKind"})),
                    header("X-Techmatch-Signature", "`t=<unix seconds>,v1=<64 hex digits>`: the signature described above.",
                        json!({"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"})),
                ],
                "requestBody": {
                    "required": true,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookPayload"}}}
                },
                "responses": {
                    "2XX": {"description": "Received. Anything else is retried as described above."}
                }
            }
        }
    })
}
