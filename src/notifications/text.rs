//! What a notification says, in Chinese and English: one arm per [`NotificationKind`], built
//! from the kind and the outbox row's `payload` alone (delivery reads no other table). A new kind
//! adds its arm here (ARCHITECTURE.md, "A notification kind").

use serde_json::Value;

use crate::lang::Lang;
use crate::vocab::{NotificationKind, Vocabulary};

/// A notification's text in one language, and the API path of what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

/// The text of a `kind` notification with `payload`, in `lang`.
pub fn render(kind: NotificationKind, payload: &Value, lang: Lang) -> Message {
    let text = |field: &str| payload.get(field).and_then(Value::as_str).unwrap_or_default().to_string();
    let title = text("title");
    let link = payload.get("path").and_then(Value::as_str).map(str::to_string);
    let (subject, body) = match kind {
        NotificationKind::ListingExpiring => {
            let days = payload.get("days_before").and_then(Value::as_i64).unwrap_or_default();
            (
                lang.pick("即将到期", "Expiring soon").to_string(),
                match lang {
                    Lang::Zh => format!("「{title}」将在 {days} 天内到期，请确认仍有效或续期。"),
                    Lang::En => {
                        format!("\"{title}\" expires within {days} days: confirm it is still available or renew it.")
                    }
                },
            )
        }
        NotificationKind::ListingExpired => (
            lang.pick("已过期", "Expired").to_string(),
            match lang {
                Lang::Zh => format!("「{title}」已到期下架，续期后重新上架。"),
                Lang::En => format!("\"{title}\" has expired and left the market; renew it to publish it again."),
            },
        ),
        NotificationKind::ListingReviewed => {
            let status = text("status");
            let note = text("note");
            let outcome = match (status.as_str(), lang) {
                // A supply goes on the market `published`, a demand `open`.
                ("published" | "open", Lang::Zh) => "审核通过，已上架".to_string(),
                ("published" | "open", Lang::En) => "was approved and is on the market".to_string(),
                ("changes_requested", Lang::Zh) => "需要修改后重新提交".to_string(),
                ("changes_requested", Lang::En) => "needs changes before it is published".to_string(),
                (_, Lang::Zh) => "未通过审核".to_string(),
                (_, Lang::En) => "was rejected".to_string(),
            };
            let mut body = match lang {
                Lang::Zh => format!("「{title}」{outcome}。"),
                Lang::En => format!("\"{title}\" {outcome}."),
            };
            if !note.is_empty() {
                body.push_str(&match lang {
                    Lang::Zh => format!("审核意见：{note}"),
                    Lang::En => format!(" Reviewer's note: {note}"),
                });
            }
            (lang.pick(kind.label_zh(), kind.label_en()).to_string(), body)
        }
        NotificationKind::WebhookDisabled => {
            let url = text("url");
            let failures = payload.get("failures").and_then(Value::as_i64).unwrap_or_default();
            (
                lang.pick(kind.label_zh(), kind.label_en()).to_string(),
                match lang {
                    Lang::Zh => format!(
                        "Webhook {url} 连续 {failures} 次投递失败，已停用。修复接收端后请重新启用（PATCH enabled=true）。"
                    ),
                    Lang::En => format!(
                        "The webhook {url} failed {failures} times in a row and was disabled. Fix the receiver, then \
enable it again (PATCH enabled=true)."
                    ),
                },
            )
        }
    };
    Message { title: if title.is_empty() { subject } else { format!("{subject}：{title}") }, body, link }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_language_has_its_own_text() {
        let payload = json!({"title": "枸杞采收装备", "days_before": 7, "path": "/api/v1/supplies/x"});
        let zh = render(NotificationKind::ListingExpiring, &payload, Lang::Zh);
        let en = render(NotificationKind::ListingExpiring, &payload, Lang::En);
        assert!(zh.body.contains("7 天内到期"), "{zh:?}");
        assert!(en.body.contains("within 7 days"), "{en:?}");
        assert_eq!(zh.link.as_deref(), Some("/api/v1/supplies/x"));
    }

    #[test]
    fn a_review_note_reaches_the_owner() {
        let payload = json!({"title": "t", "status": "changes_requested", "note": "补充成熟度"});
        let zh = render(NotificationKind::ListingReviewed, &payload, Lang::Zh);
        assert!(zh.body.contains("需要修改") && zh.body.contains("补充成熟度"), "{zh:?}");
    }

    #[test]
    fn an_approved_demand_is_on_the_market_not_rejected() {
        let zh = render(NotificationKind::ListingReviewed, &json!({"title": "t", "status": "open"}), Lang::Zh);
        assert!(zh.body.contains("审核通过"), "{zh:?}");
    }
}
