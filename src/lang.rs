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

    /// `zh` or `en` by this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl Lang {
    /// The `Content-Language` of a text in this language.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language a request asks for in `Accept-Language` (RFC 9110 §12.5.4): the listed
    /// ranges ordered by their q-values (ties keep their order, `q=0` means "not this"), and the
    /// first one whose primary subtag is `zh` or `en` wins; `*`, no match or no header gives the
    /// default, Chinese. `zh-CN`, `zh-Hans`, `zh-TW` are all Chinese; `en-US`, `en-GB` English.
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let Some(value) = accept_language else { return Lang::default() };
        let mut ranges: Vec<(u16, &str)> = Vec::new();
        for item in value.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim();
            if range.is_empty() {
                continue;
            }
            let mut quality = 1000u16;
            for param in parts {
                let (name, v) = param.split_once('=').unwrap_or((param, ""));
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_quality(v.trim()).unwrap_or(0);
                }
            }
            if quality > 0 {
                ranges.push((quality, range));
            }
        }
        ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (_, range) in ranges {
            let primary = range.split('-').next().unwrap_or("");
            if primary.eq_ignore_ascii_case("zh") {
                return Lang::Zh;
            }
            if primary.eq_ignore_ascii_case("en") {
                return Lang::En;
            }
            if primary == "*" {
                return Lang::default();
            }
        }
        Lang::default()
    }

    /// The language of the request being answered (set by [`scope`] around each request); the
    /// default, Chinese, outside a request.
    pub fn current() -> Lang {
        CURRENT.try_with(|lang| *lang).unwrap_or_default()
    }
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths; `None` when it is not one.
fn parse_quality(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// Runs `work` (a request's handling) with `lang` as [`Lang::current`], so that every problem
/// rendered while answering it speaks the reader's language.
pub async fn scope<F: std::future::Future>(lang: Lang, work: F) -> F::Output {
    CURRENT.scope(lang, work).await
}

/// The request's language as an extractor (from `Accept-Language`, see [`Lang::negotiate`]).
impl actix_web::FromRequest for Lang {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let header = req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        std::future::ready(Ok(Lang::negotiate(header)))
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn accept_language_is_negotiated_by_quality() {
        assert_eq!(Lang::negotiate(None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("zh-CN;q=0.5, en;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.1, zh;q=0.05")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en;q=0, zh-TW")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en;q=0")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("de, *;q=0.5, en;q=0.4")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("EN-gb;Q=1.0")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en;q=2")), Lang::Zh);
    }
}
