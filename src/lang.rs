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
    /// The stored form: `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        self.pick("zh", "en")
    }

    /// `zh` or `en`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header prefers among Chinese and English, by its
    /// q-values (ties: the first named); `None` when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or_default() {
                "zh" => Lang::Zh,
                "en" => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.map_or(true, |(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// `zh` or `en` by this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, zh-Hans;q=0.5, en;q=0.4"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("en;q=0, zh"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("fr-FR"), None);
    }
}
