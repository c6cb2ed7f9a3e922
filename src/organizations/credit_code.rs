//! The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from the
//! 31-character set `0-9 A-H J-N P-R T U W-Y` (no I, O, S, V, Z); the 18th is a check
//! character: with `c_i` the value of the i-th character and `w_i = 3^(i-1) mod 31`,
//! `check = (31 - Σ c_i·w_i mod 31) mod 31` over the first 17.

/// The code's alphabet, in value order (GB 32100-2015, table 1).
const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// Why a code is not valid.
#[derive(Debug, PartialEq, Eq)]
pub enum CreditCodeError {
    Length(usize),
    Character(char),
    CheckCharacter { expected: char },
}

impl std::fmt::Display for CreditCodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Length(n) => write!(f, "must be 18 characters (got {n})"),
            Self::Character(c) => write!(f, "`{c}` is not allowed (digits and A-H, J-N, P-R, T, U, W-Y only)"),
            Self::CheckCharacter { expected } => write!(f, "check character does not match (expected `{expected}`)"),
        }
    }
}

/// The check character for the first 17 characters of a code; `None` if one is not allowed.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    let mut count = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    ALPHABET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// Checks a code (upper-case, no spaces) and its check character.
pub fn validate(code: &str) -> Result<(), CreditCodeError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(CreditCodeError::Length(chars.len()));
    }
    if let Some(&bad) = chars.iter().find(|&&c| value(c).is_none()) {
        return Err(CreditCodeError::Character(bad));
    }
    let first17: String = chars[..17].iter().collect();
    let expected = check_character(&first17).unwrap_or('0');
    if chars[17] == expected {
        Ok(())
    } else {
        Err(CreditCodeError::CheckCharacter { expected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_codes_and_names_the_expected_check_character() {
        // Published sample codes that satisfy the standard's check.
        assert_eq!(validate("91350100M000100Y43"), Ok(()));
        assert_eq!(validate("91110000600037341L"), Ok(()));
        assert_eq!(validate("91350100M000100Y44"), Err(CreditCodeError::CheckCharacter { expected: '3' }));
        assert_eq!(validate("91350100M000100Y4"), Err(CreditCodeError::Length(17)));
        assert_eq!(validate("91350100M000100I43"), Err(CreditCodeError::Character('I')));
    }
}
