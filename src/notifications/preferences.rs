//! Channel preferences per user and kind: the inbox always has every notification; e-mail is
//! `off`, `instant`, `daily` or `weekly` (a digest), by default [`default_email`]. And the reader's
//! language for notifications.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{notification_preferences, notification_settings};
use crate::error::{ApiError, FieldCode, FieldError};
use crate::lang::Lang;
use crate::vocab::{EmailFrequency, NotificationKind};

/// E-mail of a kind when the user has not chosen: every notification is mailed at once (a
/// person acts on a review decision, an expiry reminder or a disabled webhook within the day).
pub fn default_email(kind: NotificationKind) -> EmailFrequency {
    match kind {
        NotificationKind::ListingExpiring
        | NotificationKind::ListingExpired
        | NotificationKind::ListingReviewed
        | NotificationKind::WebhookDisabled => EmailFrequency::Instant,
        #[allow(unreachable_patterns)]
        _ => EmailFrequency::Instant,
    }
}

/// The e-mail frequency `user_id` chose for `kind`, or its default.
pub fn email_frequency(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: NotificationKind,
) -> Result<EmailFrequency, ApiError> {
    let chosen: Option<String> = notification_preferences::table
        .filter(notification_preferences::user_id.eq(user_id))
        .filter(notification_preferences::kind.eq(kind.as_str()))
        .select(notification_preferences::email)
        .first(conn)
        .optional()?;
    Ok(chosen.as_deref().and_then(EmailFrequency::parse).unwrap_or_else(|| default_email(kind)))
}

/// The language `user_id` chose for notifications, if any.
pub fn language(conn: &mut PgConnection, user_id: Uuid) -> Result<Option<Lang>, ApiError> {
    let chosen: Option<Option<String>> =
        notification_settings::table.find(user_id).select(notification_settings::locale).first(conn).optional()?;
    Ok(chosen.flatten().as_deref().and_then(Lang::parse))
}

/// One kind's e-mail setting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindPreference {
    pub kind: NotificationKind,
    pub email: EmailFrequency,
}

/// A user's notification settings: every kind with its e-mail frequency, and the language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preferences {
    /// The language of notifications (inbox and e-mail); absent: the request's
    /// `Accept-Language` in the inbox, Chinese in e-mail.
    pub language: Option<Lang>,
    /// Every kind, in vocabulary order. The inbox always receives every kind.
    pub kinds: Vec<KindPreference>,
}

/// A change of settings (a JSON object); what is absent stays as it is.
// Read through a map so that a JSON array is refused (serde takes `[null, null]` for a struct).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct PreferencesInput {
    /// `zh` or `en`.
    pub language: Option<Lang>,
    /// Kinds to change (each at most once; at most 100).
    #[schema(max_items = 100)]
    pub kinds: Option<Vec<KindPreference>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferencesFields {
    language: Option<Lang>,
    kinds: Option<Vec<KindPreference>>,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for PreferencesInput {
    type Error = serde_json::Error;

    fn try_from(object: serde_json::Map<String, serde_json::Value>) -> Result<Self, Self::Error> {
        let fields: PreferencesFields = serde_json::from_value(serde_json::Value::Object(object))?;
        Ok(Self { language: fields.language, kinds: fields.kinds })
    }
}

/// `user_id`'s settings.
pub fn get(conn: &mut PgConnection, user_id: Uuid) -> Result<Preferences, ApiError> {
    let chosen: Vec<(String, String)> = notification_preferences::table
        .filter(notification_preferences::user_id.eq(user_id))
        .select((notification_preferences::kind, notification_preferences::email))
        .load(conn)?;
    let kinds = NotificationKind::ALL
        .iter()
        .map(|&kind| KindPreference {
            kind,
            email: chosen
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .and_then(|(_, e)| EmailFrequency::parse(e))
                .unwrap_or_else(|| default_email(kind)),
        })
        .collect();
    Ok(Preferences { language: language(conn, user_id)?, kinds })
}

/// Applies `input` to `user_id`'s settings in one transaction; 422 naming `kinds` for a kind
/// given twice or more than 100 items.
pub fn set(conn: &mut PgConnection, user_id: Uuid, input: PreferencesInput) -> Result<Preferences, ApiError> {
    if let Some(kinds) = &input.kinds {
        if kinds.len() > 100 {
            return Err(ApiError::invalid_field(
                FieldError::new("kinds", FieldCode::TooMany).with("max", 100).with("actual", kinds.len()),
            ));
        }
        for (i, k) in kinds.iter().enumerate() {
            if kinds[..i].iter().any(|o| o.kind == k.kind) {
                return Err(ApiError::invalid_field(
                    FieldError::new(format!("kinds.{i}"), FieldCode::InvalidValue)
                        .with("value", k.kind.as_str())
                        .says(format!("{} 重复出现", k.kind), format!("{} is given twice", k.kind)),
                ));
            }
        }
    }
    conn.transaction(|conn| {
        if let Some(lang) = input.language {
            diesel::insert_into(notification_settings::table)
                .values((notification_settings::user_id.eq(user_id), notification_settings::locale.eq(lang.as_str())))
                .on_conflict(notification_settings::user_id)
                .do_update()
                .set(notification_settings::locale.eq(lang.as_str()))
                .execute(conn)?;
        }
        for k in input.kinds.iter().flatten() {
            diesel::insert_into(notification_preferences::table)
                .values((
                    notification_preferences::user_id.eq(user_id),
                    notification_preferences::kind.eq(k.kind.as_str()),
                    notification_preferences::email.eq(k.email.as_str()),
                ))
                .on_conflict((notification_preferences::user_id, notification_preferences::kind))
                .do_update()
                .set(notification_preferences::email.eq(k.email.as_str()))
                .execute(conn)?;
        }
        get(conn, user_id)
    })
}
