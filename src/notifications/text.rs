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
        NotificationKind::NewMatch => {
            (lang.pick(kind.label_zh(), kind.label_en()).to_string(), new_match(payload, lang))
        }
        NotificationKind::ConnectionProposed
        | NotificationKind::ConnectionAccepted
        | NotificationKind::ConnectionMoved
        | NotificationKind::ConnectionStale => {
            (lang.pick(kind.label_zh(), kind.label_en()).to_string(), connection(kind, payload, lang))
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
        NotificationKind::ContractUpdated => {
            (lang.pick(kind.label_zh(), kind.label_en()).to_string(), contract(payload, lang))
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

/// A string member of `payload` (empty when absent).
fn field(payload: &Value, name: &str) -> String {
    payload.get(name).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// A listing kind's name, as the payload's `listing_kind` spells it.
fn kind_name(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("supply", Lang::Zh) => "科技成果",
        ("demand", Lang::Zh) => "技术需求",
        ("supply", Lang::En) => "supply",
        _ => lang.pick("技术需求", "demand"),
    }
}

/// `new_match`: a listing that came on the market matches a subscription (`via: subscription`)
/// or one of the organisation's own open listings (`via: listing`, `watching`).
fn new_match(payload: &Value, lang: Lang) -> String {
    let title = field(payload, "title");
    let score = payload.get("score").and_then(Value::as_f64).unwrap_or_default();
    let pct = (score * 100.0).round() as i64;
    let summary = field(payload, "summary_zh");
    let evidence: Vec<&str> = payload
        .get("evidence")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).take(5).collect())
        .unwrap_or_default();
    let kind = field(payload, "listing_kind");
    let watching = payload.get("watching");
    let head = match (watching, lang) {
        (Some(w), Lang::Zh) => format!(
            "新的{}「{title}」与您的{}「{}」匹配，匹配度 {pct}%。",
            kind_name(&kind, lang),
            kind_name(&field(w, "listing_kind"), lang),
            field(w, "title")
        ),
        (Some(w), Lang::En) => format!(
            "A new {} \"{title}\" matches your {} \"{}\" (score {pct}%).",
            kind_name(&kind, lang),
            kind_name(&field(w, "listing_kind"), lang),
            field(w, "title")
        ),
        (None, Lang::Zh) => format!(
            "新的{}「{title}」符合您的订阅「{}」，匹配度 {pct}%。",
            kind_name(&kind, lang),
            field(payload, "subscription_name")
        ),
        (None, Lang::En) => format!(
            "A new {} \"{title}\" matches your subscription \"{}\" (score {pct}%).",
            kind_name(&kind, lang),
            field(payload, "subscription_name")
        ),
    };
    match lang {
        Lang::Zh => format!("{head}{summary}"),
        Lang::En if evidence.is_empty() => head,
        Lang::En => format!("{head} Both mention: {}.", evidence.join(", ")),
    }
}

/// The connection kinds: `demand_title`, `supply_title`, `by` (the organisation or person who
/// acted), `from_status`/`status` (moved), `days` (stale).
fn connection(kind: NotificationKind, payload: &Value, lang: Lang) -> String {
    use crate::vocab::ConnectionStatus;
    let (demand, supply, by) = (field(payload, "demand_title"), field(payload, "supply_title"), field(payload, "by"));
    let pair = match lang {
        Lang::Zh => format!("需求「{demand}」与成果「{supply}」"),
        Lang::En => format!("the demand \"{demand}\" and the supply \"{supply}\""),
    };
    let label = |name: &str| {
        ConnectionStatus::parse(&field(payload, name))
            .map(|s| lang.pick(s.label_zh(), s.label_en()).to_string())
            .unwrap_or_else(|| field(payload, name))
    };
    match (kind, lang) {
        (NotificationKind::ConnectionProposed, Lang::Zh) => format!("{by}发起了对接：{pair}。请查看并答复。"),
        (NotificationKind::ConnectionProposed, Lang::En) => {
            format!("{by} proposed a connection between {pair}. Please review and answer it.")
        }
        (NotificationKind::ConnectionAccepted, Lang::Zh) => {
            format!("{by}接受了对接（{pair}），双方联系方式已可查看。")
        }
        (NotificationKind::ConnectionAccepted, Lang::En) => {
            format!("{by} accepted the connection between {pair}; both sides' contacts are now visible.")
        }
        (NotificationKind::ConnectionStale, Lang::Zh) => {
            let days = payload.get("days").and_then(Value::as_i64).unwrap_or_default();
            format!("对接（{pair}）已 {days} 天没有进展，请更新状态或结束对接。")
        }
        (NotificationKind::ConnectionStale, Lang::En) => {
            let days = payload.get("days").and_then(Value::as_i64).unwrap_or_default();
            format!("The connection between {pair} has not moved for {days} days: record its progress or close it.")
        }
        (_, Lang::Zh) => {
            format!("对接（{pair}）状态由「{}」变为「{}」（{by}）。", label("from_status"), label("status"))
        }
        (_, Lang::En) => {
            format!("The connection between {pair} moved from {} to {} ({by}).", label("from_status"), label("status"))
        }
    }
}

/// `contract_updated`: what the other side did to the contract terms of a connection (`step`:
/// `proposed`, `confirmed`, `disputed`), with the amount in yuan.
fn contract(payload: &Value, lang: Lang) -> String {
    let (demand, supply, by, note) =
        (field(payload, "demand_title"), field(payload, "supply_title"), field(payload, "by"), field(payload, "note"));
    let fen = payload.get("total_fen").and_then(Value::as_i64).unwrap_or_default();
    let yuan = format!("{}.{:02}", fen / 100, fen % 100);
    match (field(payload, "step").as_str(), lang) {
        ("confirmed", Lang::Zh) => {
            format!("{by}确认了合同条款（合同金额 {yuan} 元），需求「{demand}」与成果「{supply}」的对接已签订。")
        }
        ("confirmed", Lang::En) => format!(
            "{by} confirmed the contract terms ({yuan} yuan): the connection between the demand \"{demand}\" and the \
supply \"{supply}\" is signed."
        ),
        ("disputed", Lang::Zh) => format!("{by}对合同条款提出异议：{note}。请修改后重新提出。"),
        ("disputed", Lang::En) => format!("{by} disputed the contract terms: {note}. Revise them and propose again."),
        (_, Lang::Zh) => format!(
            "{by}就需求「{demand}」与成果「{supply}」的对接提出了合同条款（合同金额 {yuan} 元），请确认或提出异议。"
        ),
        (_, Lang::En) => format!(
            "{by} proposed contract terms ({yuan} yuan) for the connection between the demand \"{demand}\" and the \
supply \"{supply}\": confirm or dispute them."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contract_steps_have_their_own_text_and_the_amount_in_yuan() {
        let payload = |step: &str| {
            json!({"step": step, "title": "需求甲", "demand_title": "需求甲", "supply_title": "成果乙",
                   "by": "宁夏大学", "total_fen": 12_345_678, "note": "金额过高"})
        };
        let proposed = render(NotificationKind::ContractUpdated, &payload("proposed"), Lang::Zh);
        assert!(proposed.body.contains("提出了合同条款（合同金额 123456.78 元）"), "{proposed:?}");
        assert_eq!(proposed.title, "合同进展：需求甲");
        let confirmed = render(NotificationKind::ContractUpdated, &payload("confirmed"), Lang::En);
        assert!(confirmed.body.contains("confirmed") && confirmed.body.contains("is signed"), "{confirmed:?}");
        let disputed = render(NotificationKind::ContractUpdated, &payload("disputed"), Lang::Zh);
        assert!(disputed.body.contains("提出异议：金额过高"), "{disputed:?}");
    }

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
    fn a_new_match_carries_its_explanation_in_both_languages() {
        let payload = json!({
            "listing_kind": "supply", "title": "枸杞烘干设备", "path": "/api/v1/supplies/x", "score": 0.8234,
            "summary_zh": "双方都涉及「枸杞」「烘干」。", "evidence": ["枸杞", "烘干"],
            "via": "subscription", "subscription_name": "枸杞加工",
        });
        let zh = render(NotificationKind::NewMatch, &payload, Lang::Zh);
        assert_eq!(zh.title, "新匹配：枸杞烘干设备");
        assert_eq!(
            zh.body,
            "新的科技成果「枸杞烘干设备」符合您的订阅「枸杞加工」，匹配度 82%。双方都涉及「枸杞」「烘干」。"
        );
        let en = render(NotificationKind::NewMatch, &payload, Lang::En);
        assert!(en.body.contains("matches your subscription \"枸杞加工\" (score 82%)"), "{en:?}");
        assert!(en.body.contains("Both mention: 枸杞, 烘干."), "{en:?}");
        assert_eq!(en.link.as_deref(), Some("/api/v1/supplies/x"));
    }

    #[test]
    fn a_new_match_for_an_own_listing_names_it() {
        let payload = json!({
            "listing_kind": "supply", "title": "枸杞烘干设备", "score": 0.5, "summary_zh": "同属枸杞产业。",
            "via": "listing", "watching": {"listing_kind": "demand", "title": "枸杞干燥需求"},
        });
        let zh = render(NotificationKind::NewMatch, &payload, Lang::Zh);
        assert!(
            zh.body.starts_with("新的科技成果「枸杞烘干设备」与您的技术需求「枸杞干燥需求」匹配，匹配度 50%。"),
            "{zh:?}"
        );
        let en = render(NotificationKind::NewMatch, &payload, Lang::En);
        assert!(en.body.contains("A new supply \"枸杞烘干设备\" matches your demand \"枸杞干燥需求\""), "{en:?}");
    }

    #[test]
    fn connection_kinds_have_their_own_text() {
        let payload = json!({
            "demand_title": "需求甲", "supply_title": "成果乙", "by": "宁夏大学", "from_status": "contacted",
            "status": "negotiating", "days": 14, "path": "/api/v1/connections/c",
        });
        let text = |kind, lang| render(kind, &payload, lang).body;
        assert!(text(NotificationKind::ConnectionProposed, Lang::Zh)
            .starts_with("宁夏大学发起了对接：需求「需求甲」与成果「成果乙」"));
        assert!(text(NotificationKind::ConnectionProposed, Lang::En).starts_with("宁夏大学 proposed a connection"));
        assert!(text(NotificationKind::ConnectionAccepted, Lang::Zh).contains("接受了对接"));
        assert!(text(NotificationKind::ConnectionAccepted, Lang::En).contains("accepted the connection"));
        assert!(text(NotificationKind::ConnectionMoved, Lang::Zh).contains("由「已接洽」变为「洽谈中」"));
        assert!(text(NotificationKind::ConnectionMoved, Lang::En).contains("moved from Contacted to Negotiating"));
        assert!(text(NotificationKind::ConnectionStale, Lang::Zh).contains("已 14 天没有进展"));
        assert!(text(NotificationKind::ConnectionStale, Lang::En).contains("has not moved for 14 days"));
        let zh = render(NotificationKind::ConnectionStale, &payload, Lang::Zh);
        assert_eq!((zh.title.as_str(), zh.link.as_deref()), ("对接停滞", Some("/api/v1/connections/c")));
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

    #[test]
    fn an_approved_demand_is_on_the_market_not_rejected() {
        let zh = render(NotificationKind::ListingReviewed, &json!({"title": "t", "status": "open"}), Lang::Zh);
        assert!(zh.body.contains("审核通过"), "{zh:?}");
    }
}
