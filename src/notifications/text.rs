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
                ("published", Lang::Zh) => "审核通过，已上架".to_string(),
                ("published", Lang::En) => "was approved and is on the market".to_string(),
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
        NotificationKind::EventPairProposed => {
            let (own, other, why) = (text("listing_title"), text("partner_title"), text("summary_zh"));
            (
                lang.pick(kind.label_zh(), kind.label_en()).to_string(),
                match lang {
                    Lang::Zh => format!("对接会为「{own}」推荐了对接方「{other}」：{why}请表达对接意向。"),
                    Lang::En => format!(
                        "The event proposes \"{other}\" as a partner for \"{own}\" ({why}). Say whether you are interested."
                    ),
                },
            )
        }
        NotificationKind::EventMeetingScheduled => {
            let (demand, supply, venue) = (text("demand_title"), text("supply_title"), text("venue"));
            let (slot, table) =
                (text("slot_start"), payload.get("table_no").and_then(Value::as_i64).unwrap_or_default());
            (
                lang.pick(kind.label_zh(), kind.label_en()).to_string(),
                match lang {
                    Lang::Zh => format!("「{demand}」与「{supply}」的洽谈安排在{venue} {table} 号桌，时间 {slot}。"),
                    Lang::En => {
                        format!("The meeting of \"{demand}\" and \"{supply}\" is at {venue}, table {table}, at {slot}.")
                    }
                },
            )
        }
        NotificationKind::ChallengeSuggested => {
            let supply = text("supply_title");
            let reason = text("reason");
            let closes = text("closes_at");
            let closes = closes.get(..10).unwrap_or(&closes).to_string();
            let body = match lang {
                Lang::Zh => format!(
                    "您的成果「{supply}」可能解决揭榜挂帅「{title}」的需求，欢迎在 {closes} 前揭榜。匹配理由：{reason}"
                ),
                Lang::En => format!(
                    "Your supply \"{supply}\" may solve the challenge \"{title}\": apply before {closes}. Why: {reason}"
                ),
            };
            (lang.pick(kind.label_zh(), kind.label_en()).to_string(), body)
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
    fn event_notifications_name_the_pair_and_the_slot() {
        let pair = json!({"title": "宁夏科技成果对接会", "listing_title": "枸杞采收", "partner_title": "采收装备",
            "summary_zh": "同属枸杞产业。"});
        let zh = render(NotificationKind::EventPairProposed, &pair, Lang::Zh);
        assert!(zh.body.contains("采收装备") && zh.title.contains("宁夏科技成果对接会"), "{zh:?}");
        let meeting = json!({"title": "t", "demand_title": "d", "supply_title": "s", "venue": "主会场", "table_no": 3,
            "slot_start": "2026-12-10T09:00:00Z"});
        let en = render(NotificationKind::EventMeetingScheduled, &meeting, Lang::En);
        assert!(en.body.contains("table 3") && en.body.contains("主会场"), "{en:?}");
    }

    #[test]
    fn a_suggested_solver_is_told_which_supply_and_until_when() {
        let payload = json!({"title": "枸杞烘干", "supply_title": "热泵干燥", "closes_at": "2026-12-31T16:00:00Z",
            "reason": "关键词一致", "path": "/api/v1/challenges/x"});
        let zh = render(NotificationKind::ChallengeSuggested, &payload, Lang::Zh);
        assert!(zh.body.contains("热泵干燥") && zh.body.contains("2026-12-31"), "{zh:?}");
        assert_eq!(zh.title, "揭榜推荐：枸杞烘干");
        let en = render(NotificationKind::ChallengeSuggested, &payload, Lang::En);
        assert!(en.body.contains("apply before 2026-12-31"), "{en:?}");
    }

    #[test]
    fn a_review_note_reaches_the_owner() {
        let payload = json!({"title": "t", "status": "changes_requested", "note": "补充成熟度"});
        let zh = render(NotificationKind::ListingReviewed, &payload, Lang::Zh);
        assert!(zh.body.contains("需要修改") && zh.body.contains("补充成熟度"), "{zh:?}");
    }
}
