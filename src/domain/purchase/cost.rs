//! Cost lines: what an order cost, line by line.
//!
//! A line is a unit price (`cost`, an integer in the currency's smallest unit), a quantity
//! (`int`, at least 1), the client's own line total (`costt`, kept as sent and never checked),
//! a currency and a free-text `type`. Field names in errors start with `costs` so every dialect
//! can tell a bad cost line from other bad input (`ops_v1` answers `-202`).

use serde_json::Value;

use super::currency::{Currency, RawCurrency};
use crate::error::{Error, Problem, Result, Violations};

/// The most cost lines one order may carry.
pub const MAX_LINES: usize = 200;
/// The longest `type` text, in characters.
pub const TYPE_MAX: usize = 50;
/// Upper bounds that keep `Σ cost × int` far from overflowing an `i64`.
pub const PRICE_MAX: i64 = 10_000_000_000;
pub const QUANTITY_MAX: i64 = 1_000_000;

/// What `currencytype` accepts: a code or its number.
const CURRENCY_CHOICES: &[&str] = &["CNY", "MOP", "HKD", "USD", "1", "2", "3", "4"];

/// A unit price in the smallest unit of its currency: zero or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price(i64);

impl Price {
    pub fn parse(field: &str, value: i64) -> Result<Self> {
        if value < 0 {
            return Err(Error::invalid(field, Problem::AtLeast { min: 0 }));
        }
        if value > PRICE_MAX {
            return Err(Error::invalid(field, Problem::AtMost { max: PRICE_MAX }));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// How many units: 1 or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(i64);

impl Quantity {
    pub fn parse(field: &str, value: i64) -> Result<Self> {
        if !(1..=QUANTITY_MAX).contains(&value) {
            return Err(Error::invalid(
                field,
                Problem::OutOfRange {
                    min: 1,
                    max: QUANTITY_MAX,
                },
            ));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A cost line as it arrived, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct RawCost {
    pub cost: i64,
    pub int: i64,
    /// The client's line total, any JSON value; stored as sent.
    pub costt: Option<Value>,
    /// `None` means the default currency (CNY).
    pub currency: Option<RawCurrency>,
    pub kind: Option<String>,
}

/// A valid cost line.
#[derive(Debug, Clone, PartialEq)]
pub struct CostLine {
    pub price: Price,
    pub quantity: Quantity,
    pub costt: Option<Value>,
    pub currency: Currency,
    pub kind: String,
}

impl CostLine {
    /// Validates line `index`; errors name `costs[index].<field>`.
    pub fn parse(index: usize, raw: RawCost) -> Result<Self> {
        let field = |name: &str| format!("costs[{index}].{name}");
        let mut v = Violations::new();
        let price = v.check(Price::parse(&field("cost"), raw.cost))?;
        let quantity = v.check(Quantity::parse(&field("int"), raw.int))?;
        let currency = match &raw.currency {
            None => Some(Currency::default()),
            Some(c) => {
                let parsed = Currency::parse(c);
                if parsed.is_none() {
                    v.add(
                        field("currencytype"),
                        Problem::NotOneOf {
                            allowed: CURRENCY_CHOICES,
                            got: None,
                        },
                    );
                }
                parsed
            }
        };
        let kind = raw.kind.unwrap_or_default();
        if kind.chars().count() > TYPE_MAX {
            v.add(field("type"), Problem::TooLong { max: TYPE_MAX });
        }
        v.into_result()?;
        match (price, quantity, currency) {
            (Some(price), Some(quantity), Some(currency)) => Ok(Self {
                price,
                quantity,
                costt: raw.costt,
                currency,
                kind,
            }),
            // Unreachable: every `None` above recorded a violation.
            _ => Err(anyhow::anyhow!("cost line {index} failed without a violation").into()),
        }
    }

    /// `cost × int`.
    pub fn amount(&self) -> i64 {
        self.price.get() * self.quantity.get()
    }
}

/// One or more valid cost lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs(Vec<CostLine>);

impl Costs {
    /// Validates every line; an empty list, too many lines or any bad line is an error naming
    /// a `costs…` field.
    pub fn parse(raw: Vec<RawCost>) -> Result<Self> {
        if raw.is_empty() {
            return Err(Error::invalid("costs", Problem::Blank));
        }
        if raw.len() > MAX_LINES {
            return Err(Error::invalid("costs", Problem::TooMany { max: MAX_LINES }));
        }
        let mut v = Violations::new();
        let mut lines: Vec<CostLine> = Vec::with_capacity(raw.len());
        for (i, r) in raw.into_iter().enumerate() {
            lines.extend(v.check(CostLine::parse(i, r))?);
        }
        v.into_result()?;
        Ok(Self(lines))
    }

    pub fn lines(&self) -> &[CostLine] {
        &self.0
    }

    /// `Σ cost × int`, over every line whatever its currency (decisions §2). Cannot overflow:
    /// at most [`MAX_LINES`] lines of at most [`PRICE_MAX`] × [`QUANTITY_MAX`].
    pub fn total(&self) -> i64 {
        self.0.iter().map(CostLine::amount).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(cost: i64, int: i64) -> RawCost {
        RawCost {
            cost,
            int,
            costt: Some(json!(cost * int)),
            currency: Some(RawCurrency::Code("CNY".into())),
            kind: Some("服务器".into()),
        }
    }

    fn field_of(err: Error) -> String {
        err.first_field().unwrap().field.clone()
    }

    #[test]
    fn total_is_the_sum_of_price_times_quantity() {
        let costs = Costs::parse(vec![raw(1200, 2), raw(300, 1)]).unwrap();
        assert_eq!(costs.total(), 2700);
        assert_eq!(costs.lines()[0].costt, Some(json!(2400)));
    }

    #[test]
    fn worst_case_total_fits_in_i64() {
        assert!(
            (MAX_LINES as i64)
                .checked_mul(PRICE_MAX)
                .and_then(|x| x.checked_mul(QUANTITY_MAX))
                .is_some()
        );
    }

    #[test]
    fn bad_lines_name_a_costs_field() {
        assert_eq!(field_of(Costs::parse(vec![]).unwrap_err()), "costs");
        assert_eq!(
            field_of(Costs::parse(vec![raw(1, 1), raw(-1, 1)]).unwrap_err()),
            "costs[1].cost"
        );
        assert_eq!(
            field_of(Costs::parse(vec![raw(1, 0)]).unwrap_err()),
            "costs[0].int"
        );
        let mut eur = raw(1, 1);
        eur.currency = Some(RawCurrency::Code("EUR".into()));
        assert_eq!(
            field_of(Costs::parse(vec![eur]).unwrap_err()),
            "costs[0].currencytype"
        );
        let mut long = raw(1, 1);
        long.kind = Some("x".repeat(TYPE_MAX + 1));
        assert_eq!(
            field_of(Costs::parse(vec![long]).unwrap_err()),
            "costs[0].type"
        );
        assert!(Costs::parse(vec![raw(1, 1); MAX_LINES + 1]).is_err());
    }

    #[test]
    fn a_missing_currency_is_cny_and_zero_price_is_allowed() {
        let mut r = raw(0, 3);
        r.currency = None;
        let line = CostLine::parse(0, r).unwrap();
        assert_eq!(line.currency, Currency::Cny);
        assert_eq!(line.amount(), 0);
        let numbered = RawCost {
            currency: Some(RawCurrency::Number(4)),
            ..raw(5, 1)
        };
        assert_eq!(
            CostLine::parse(0, numbered).unwrap().currency,
            Currency::Usd
        );
    }
}
