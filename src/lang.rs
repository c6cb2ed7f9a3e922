//! The language a reader gets: Chinese (the default) or English. Notifications pick their texts
//! by it; problem messages by the request's `Accept-Language`.

use serde::{Deserialize, Serialize};

/// 中文 or English; Chinese unless a reader asks for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 中文 (简体)
    #[default]
    Zh,
    /// English
    En,
}

impl Lang {
    /// `zh` or `en` by this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
