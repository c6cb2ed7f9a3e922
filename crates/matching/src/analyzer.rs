//! Text analysis: normalisation, jieba segmentation with a domain dictionary, stop words,
//! character bigrams.
//!
//! Every text that reaches the index or a query goes through [`normalize`] first:
//! NFKC (full-width → half-width, compatibility forms folded), Unicode lower-casing (Latin
//! case folding; Chinese is unaffected) and removal of the zero-width characters U+200B,
//! U+200C, U+200D, U+2060 and U+FEFF. The normalised text is then cut by jieba-rs, whose
//! dictionary the engine extends with the taxonomy's names and aliases and with every
//! indexed listing's keywords (so 枸杞多糖, 光伏组件, insar stay whole).

use std::collections::HashSet;
use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;
use jieba_rs::Jieba;
use unicode_normalization::UnicodeNormalization;

use crate::config::MatchingConfig;

/// Stop words removed from documents and queries (after normalisation).
///
/// Two kinds, kept deliberately short:
/// - function words and abstract scaffolding (的, 了, 和, 通过, 本文, 目的, 结果, 表明 …):
///   they carry no topic and are the longest posting lists, so dropping them also speeds
///   retrieval;
/// - generic research words that almost every listing on both sides uses (研究, 技术,
///   方法, 分析, 应用, 系统 …). A match on them is never a reason a broker would accept,
///   they would only clutter the explanation, and BM25's idf already gives them almost no
///   weight. Topical words, even frequent ones (模型, 材料, 检测), are kept.
pub(crate) const STOP_WORDS: &[&str] = &[
    // function words
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
    "在",
    "是",
    "为",
    "对",
    "以",
    "于",
    "将",
    "把",
    "被",
    "从",
    "由",
    "等",
    "并",
    "其",
    "之",
    "也",
    "而",
    "且",
    "则",
    "但",
    "这",
    "那",
    "此",
    "该",
    "个",
    "种",
    "又",
    "还",
    "就",
    "都",
    "所",
    "着",
    "过",
    "到",
    "给",
    "向",
    "至",
    "即",
    "若",
    "这些",
    "那些",
    "一个",
    "一种",
    "一些",
    "通过",
    "进行",
    "采用",
    "利用",
    "使用",
    "基于",
    "关于",
    "对于",
    "以及",
    "可以",
    "能够",
    "具有",
    "没有",
    "不同",
    "各种",
    "我们",
    "本文",
    "文章",
    "笔者",
    "作者",
    "其中",
    "之间",
    "同时",
    "因此",
    "所以",
    "由于",
    "为了",
    "如何",
    "如果",
    "已经",
    "主要",
    "相关",
    "方面",
    "情况",
    "过程",
    "目的",
    "结果",
    "结论",
    "表明",
    "显示",
    "发现",
    "提出",
    "认为",
    "以上",
    "以下",
    "之后",
    "以后",
    "其他",
    "它们",
    "他们",
    "and",
    "the",
    "of",
    "in",
    "for",
    "on",
    "to",
    "with",
    "a",
    "an",
    "by",
    "is",
    "are",
    // generic research / listing words
    "研究",
    "技术",
    "方法",
    "分析",
    "应用",
    "系统",
    "探讨",
    "探索",
    "讨论",
    "初探",
    "浅析",
    "试验",
    "实验",
    "进展",
    "综述",
    "问题",
    "对策",
    "措施",
    "发展",
    "现状",
    "实现",
    "开展",
    "实践",
    "理论",
    "需求",
    "成果",
    "项目",
    "关键",
    "关键技术",
    "提高",
    "提升",
    "影响",
    "作用",
];

/// Normalise a text: NFKC, lower-case, zero-width characters removed, traditional Chinese
/// converted to simplified (OpenCC's `t2s` tables, through `ferrous-opencc`).
///
/// `ＩｎＳＡＲ` → `insar`; `P＜0.05` → `p<0.05`; `釀酒葡萄` → `酿酒葡萄`.
pub(crate) fn normalize(text: &str) -> String {
    let folded: String = text
        .nfkc()
        .filter(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'))
        .flat_map(char::to_lowercase)
        .collect();
    match t2s() {
        Some(cc) if folded.chars().any(is_han) => cc.convert(&folded),
        _ => folded,
    }
}

/// The traditional → simplified converter, built once (`None` if its embedded tables failed to
/// load, in which case texts are left as they are).
fn t2s() -> Option<&'static OpenCC> {
    static T2S: OnceLock<Option<OpenCC>> = OnceLock::new();
    T2S.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok()).as_ref()
}

/// True for a CJK unified ideograph (the ranges jieba treats as Chinese).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// True when jieba keeps `c` inside one block (so a dictionary word made of such
/// characters can be found whole).
fn is_block_char(c: char) -> bool {
    is_han(c) || c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// The segmenter plus the switches from [`MatchingConfig`] that shape tokens.
pub(crate) struct Analyzer {
    jieba: Jieba,
    stop: HashSet<&'static str>,
    search_mode: bool,
    hmm: bool,
    remove_stop_words: bool,
    drop_single_han: bool,
    char_bigrams: bool,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("search_mode", &self.search_mode)
            .field("hmm", &self.hmm)
            .finish_non_exhaustive()
    }
}

/// Prefix marking a character-bigram term, so 光伏 as a word and 光伏 as a bigram are two
/// different index terms.
pub(crate) const BIGRAM_PREFIX: char = '\u{2}';

impl Analyzer {
    /// An analyser with jieba's default dictionary (about 350k words) and the switches of
    /// `config`.
    pub(crate) fn new(config: &MatchingConfig) -> Self {
        Self {
            jieba: Jieba::new(),
            stop: STOP_WORDS.iter().copied().collect(),
            search_mode: config.search_mode_segmentation,
            hmm: config.hmm,
            remove_stop_words: config.remove_stop_words,
            drop_single_han: config.drop_single_han,
            char_bigrams: config.char_bigrams,
        }
    }

    /// True when `token` is on the stop list.
    pub(crate) fn is_stop(&self, token: &str) -> bool {
        self.stop.contains(token)
    }

    /// Whether character bigrams are produced.
    pub(crate) fn char_bigrams(&self) -> bool {
        self.char_bigrams
    }

    /// Add an already-normalised word to the segmentation dictionary so that it is cut
    /// whole. Words shorter than 2 characters, words jieba would split anyway (spaces,
    /// punctuation) and words already known are skipped. Returns true when added.
    pub(crate) fn add_word(&mut self, word: &str) -> bool {
        let n = word.chars().count();
        if !(2..=32).contains(&n) || !word.chars().all(is_block_char) {
            return false;
        }
        if self.jieba.has_word(word) {
            return false;
        }
        // `None` asks jieba for the frequency that makes the word win over its parts.
        self.jieba.add_word(word, None, None);
        true
    }

    /// True when `token` is kept as an index term.
    fn keep(&self, token: &str) -> bool {
        let mut chars = token.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        let single = chars.next().is_none();
        if single {
            if first.is_ascii() {
                return false;
            }
            if self.drop_single_han && is_han(first) {
                return false;
            }
        }
        if !token.chars().any(|c| c.is_alphanumeric()) {
            return false;
        }
        if self.remove_stop_words && self.stop.contains(token) {
            return false;
        }
        true
    }

    /// Cut a normalised text into index terms and push them onto `out` (repeats kept, so
    /// the caller can count term frequencies).
    pub(crate) fn tokens<'a>(&self, normalized: &'a str, out: &mut Vec<&'a str>) {
        let cut = if self.search_mode {
            self.jieba.cut_for_search(normalized, self.hmm)
        } else {
            self.jieba.cut(normalized, self.hmm)
        };
        out.extend(cut.into_iter().map(|t| t.word.trim()).filter(|t| self.keep(t)));
    }

    /// Overlapping character bigrams of every run of Chinese characters, each prefixed
    /// with [`BIGRAM_PREFIX`]. A run of one character yields nothing.
    pub(crate) fn bigrams(&self, normalized: &str, out: &mut Vec<String>) {
        let mut prev: Option<char> = None;
        for c in normalized.chars() {
            if is_han(c) {
                if let Some(p) = prev {
                    let mut s = String::with_capacity(8);
                    s.push(BIGRAM_PREFIX);
                    s.push(p);
                    s.push(c);
                    out.push(s);
                }
                prev = Some(c);
            } else {
                prev = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(a: &Analyzer, text: &str) -> Vec<String> {
        let n = normalize(text);
        let mut v = Vec::new();
        a.tokens(&n, &mut v);
        v.into_iter().map(String::from).collect()
    }

    #[test]
    fn full_width_and_case_fold() {
        assert_eq!(normalize("ＩｎＳＡＲ"), "insar");
        assert_eq!(normalize("HPLC法"), "hplc法");
        assert_eq!(normalize("P＜０．０５"), "p<0.05");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(normalize("釀酒葡萄"), "酿酒葡萄");
        assert_eq!(normalize("枸杞鮮果採收"), "枸杞鲜果采收");
        assert_eq!(normalize("光伏组件"), "光伏组件");
    }

    #[test]
    fn zero_width_removed() {
        assert_eq!(normalize("光\u{200B}伏\u{200C}组\u{200D}件\u{2060}\u{FEFF}"), "光伏组件");
    }

    fn with_stops() -> Analyzer {
        Analyzer::new(&MatchingConfig { remove_stop_words: true, ..MatchingConfig::default() })
    }

    #[test]
    fn mixed_chinese_english() {
        let a = with_stops();
        let t = toks(&a, "基于ＩｎＳＡＲ的地表形变监测，HPLC测定，P<0.05");
        assert!(t.contains(&"insar".to_string()), "{t:?}");
        assert!(t.contains(&"hplc".to_string()), "{t:?}");
        assert!(t.contains(&"0.05".to_string()), "{t:?}");
        assert!(t.iter().any(|x| x == "形变" || x == "地表形变"), "{t:?}");
        // stop words and single Latin letters are gone
        assert!(!t.contains(&"的".to_string()));
        assert!(!t.contains(&"p".to_string()));
    }

    #[test]
    fn domain_terms_kept_whole_after_add_word() {
        let mut a = Analyzer::new(&MatchingConfig::default());
        let before = toks(&a, "枸杞多糖提取工艺");
        assert!(!before.contains(&"枸杞多糖".to_string()), "{before:?}");
        assert!(a.add_word("枸杞多糖"));
        let after = toks(&a, "枸杞多糖提取工艺");
        assert!(after.contains(&"枸杞多糖".to_string()), "{after:?}");
        // search mode still yields the parts, so 枸杞 alone matches too
        assert!(after.contains(&"枸杞".to_string()), "{after:?}");
        assert!(a.add_word("光伏组件"));
        assert!(toks(&a, "高效光伏组件回收").contains(&"光伏组件".to_string()));
        assert!(!a.add_word("光伏组件"), "second add is a no-op");
        assert!(!a.add_word("x"), "too short");
    }

    #[test]
    fn stop_words_removed() {
        let a = with_stops();
        let t = toks(&a, "研究技术方法的应用");
        assert!(t.is_empty(), "{t:?}");
        let keep = Analyzer::new(&MatchingConfig::default());
        assert!(toks(&keep, "研究技术方法的应用").contains(&"研究".to_string()));
        assert!(keep.is_stop("的") && !keep.is_stop("枸杞"));
    }

    #[test]
    fn bigrams_of_han_runs() {
        let a = Analyzer::new(&MatchingConfig::default());
        let mut v = Vec::new();
        a.bigrams("光伏组件ab硅", &mut v);
        let plain: Vec<String> = v.iter().map(|s| s.trim_start_matches(BIGRAM_PREFIX).to_string()).collect();
        assert_eq!(plain, vec!["光伏", "伏组", "组件"]);
    }
}
