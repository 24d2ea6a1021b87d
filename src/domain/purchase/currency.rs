//! The currencies a cost line may be priced in.

/// `CNY`, `MOP`, `HKD` or `USD`. Clients send the code or its number 1–4 (the original front
/// end's select values); it is always stored and answered as the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Currency {
    #[default]
    Cny,
    Mop,
    Hkd,
    Usd,
}

/// A currency as it arrived on the wire, before it is known to be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawCurrency {
    Code(String),
    Number(i64),
}

impl Currency {
    pub const ALL: [Currency; 4] = [Currency::Cny, Currency::Mop, Currency::Hkd, Currency::Usd];

    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Cny => "CNY",
            Currency::Mop => "MOP",
            Currency::Hkd => "HKD",
            Currency::Usd => "USD",
        }
    }

    /// The number the original front end uses for this currency.
    pub fn number(self) -> i64 {
        match self {
            Currency::Cny => 1,
            Currency::Mop => 2,
            Currency::Hkd => 3,
            Currency::Usd => 4,
        }
    }

    /// A code (any case, surrounding blanks ignored) or a number written as text (`"2"`).
    pub fn parse_code(code: &str) -> Option<Self> {
        let code = code.trim();
        if let Ok(n) = code.parse::<i64>() {
            return Self::from_number(n);
        }
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
    }

    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.number() == n)
    }

    pub fn parse(raw: &RawCurrency) -> Option<Self> {
        match raw {
            RawCurrency::Code(code) => Self::parse_code(code),
            RawCurrency::Number(n) => Self::from_number(*n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_numbers_mean_the_same_currency() {
        for (code, n) in [("CNY", 1), ("MOP", 2), ("HKD", 3), ("USD", 4)] {
            let by_code = Currency::parse_code(code).unwrap();
            assert_eq!(Currency::from_number(n), Some(by_code));
            assert_eq!(Currency::parse_code(&n.to_string()), Some(by_code));
            assert_eq!(by_code.as_str(), code);
        }
        assert_eq!(Currency::parse_code(" usd "), Some(Currency::Usd));
    }

    #[test]
    fn unknown_currencies_are_refused() {
        assert_eq!(Currency::parse_code("EUR"), None);
        assert_eq!(Currency::parse_code(""), None);
        assert_eq!(Currency::from_number(0), None);
        assert_eq!(Currency::from_number(5), None);
        assert_eq!(Currency::parse(&RawCurrency::Number(-1)), None);
    }
}
