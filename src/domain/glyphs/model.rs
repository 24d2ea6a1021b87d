//! The Character model of the hanzi decomposition system, parsed at the edge.
//!
//! A Character arrives as JSON in the original client's shape (references to other characters
//! are one-character strings) and is stored with those references as numbers (code points).
//! Once parsed, a [`Character`] is known to be valid: its fields have the documented types and
//! ranges, every glyph is one of the five variants, every operator is one of ⿰–⿻ and every
//! reference is a Unicode scalar value. Fields the model keeps "as sent" (`readings`,
//! `gb2312`, strokes, glyph extras such as `tags`, `order`, `parameters`) are kept as JSON.

use serde_json::{Map, Value};

use crate::error::{Error, Format, Kind, Problem, Result, Rule, Violations};

/// The first and last Ideographic Description Characters allowed as compound operators.
const OPERATOR_FIRST: char = '\u{2FF0}'; // ⿰
const OPERATOR_LAST: char = '\u{2FFB}'; // ⿻

/// Longest `name` accepted, in characters.
const NAME_MAX: usize = 255;

/// A Unicode scalar value (a code point that is not a surrogate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodePoint(char);

impl CodePoint {
    /// A code point given as a number; `None` outside the scalar values.
    pub fn from_number(n: i64) -> Option<Self> {
        u32::try_from(n)
            .ok()
            .and_then(char::from_u32)
            .map(CodePoint)
    }

    /// A code point given as a string of exactly one character.
    pub fn from_char_str(s: &str) -> Option<Self> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(CodePoint(c)),
            _ => None,
        }
    }

    /// Parses a path segment: a decimal code point.
    pub fn parse_decimal(s: &str) -> Option<Self> {
        if s.is_empty() || s.len() > 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<i64>().ok().and_then(Self::from_number)
    }

    pub fn value(self) -> i64 {
        i64::from(u32::from(self.0))
    }

    pub fn as_char(self) -> char {
        self.0
    }
}

/// One character of the repertoire: its code point, its stored JSON (references as numbers,
/// without the code point itself) and the code points its glyphs reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Character {
    unicode: CodePoint,
    data: Map<String, Value>,
    references: Vec<CodePoint>,
}

impl Character {
    /// Parses and validates a Character in the client's shape. Every failing field is
    /// reported (`tygf`, `glyphs[0].operator`, …).
    pub fn parse(value: &Value) -> Result<Self> {
        let Some(obj) = value.as_object() else {
            return Err(Error::invalid("body", wrong(Kind::Object)));
        };
        let mut v = Violations::new();
        let mut data = Map::new();
        let mut references = Vec::new();

        let unicode = match obj.get("unicode") {
            None => {
                v.add("unicode", Problem::Required);
                None
            }
            Some(u) => {
                let cp = u.as_i64().and_then(CodePoint::from_number);
                if cp.is_none() {
                    v.add("unicode", Problem::BadFormat(Format::CodePoint));
                }
                cp
            }
        };
        require(&mut v, obj, "tygf", |x| {
            x.as_i64()
                .filter(|n| (0..=3).contains(n))
                .map(|_| ())
                .ok_or(Problem::OutOfRange { min: 0, max: 3 })
        });
        require(&mut v, obj, "gb2312", |x| match x {
            Value::Bool(_) => Ok(()),
            _ if x.as_i64().is_some_and(|n| (0..=2).contains(&n)) => Ok(()),
            _ => Err(wrong(Kind::BooleanOrLevel { max: 2 })),
        });
        require(&mut v, obj, "readings", check_readings);
        require(&mut v, obj, "name", |x| match x {
            Value::Null => Ok(()),
            Value::String(s) if s.chars().count() <= NAME_MAX => Ok(()),
            Value::String(_) => Err(Problem::TooLong { max: NAME_MAX }),
            _ => Err(wrong(Kind::StringOrNull)),
        });
        require(&mut v, obj, "gf0014_id", nullable_integer);
        if let Some(x) = obj.get("gf3001_id") {
            if let Err(m) = nullable_integer(x) {
                v.add("gf3001_id", m);
            }
        }
        require(&mut v, obj, "ambiguous", |x| match x {
            Value::Bool(_) => Ok(()),
            _ if x.as_i64().is_some_and(|n| n == 0 || n == 1) => Ok(()),
            _ => Err(wrong(Kind::Boolean)),
        });
        let mut glyphs = Vec::new();
        match obj.get("glyphs") {
            None => v.add("glyphs", Problem::Required),
            Some(Value::Array(list)) => {
                for (i, g) in list.iter().enumerate() {
                    let field = format!("glyphs[{i}]");
                    match parse_glyph(g, &field) {
                        Ok((stored, refs)) => {
                            glyphs.push(stored);
                            references.extend(refs);
                        }
                        Err(Error::Invalid(fields)) => {
                            for f in fields {
                                v.add(f.field, f.problem);
                            }
                        }
                        Err(other) => return Err(other),
                    }
                }
            }
            Some(_) => v.add("glyphs", wrong(Kind::Array)),
        }
        v.into_result()?;
        let Some(unicode) = unicode else {
            return Err(Error::invalid("unicode", Problem::Required));
        };
        for key in [
            "tygf",
            "gb2312",
            "readings",
            "name",
            "gf0014_id",
            "ambiguous",
        ] {
            data.insert(key.to_owned(), obj.get(key).cloned().unwrap_or(Value::Null));
        }
        data.insert(
            "gf3001_id".to_owned(),
            obj.get("gf3001_id").cloned().unwrap_or(Value::Null),
        );
        data.insert("glyphs".to_owned(), Value::Array(glyphs));
        references.sort();
        references.dedup();
        Ok(Self {
            unicode,
            data,
            references,
        })
    }

    /// A character with no glyphs yet, as created by private-use allocation.
    pub fn placeholder(unicode: CodePoint, name: Option<String>) -> Self {
        let mut data = Map::new();
        data.insert("tygf".to_owned(), Value::from(0));
        data.insert("gb2312".to_owned(), Value::Bool(false));
        data.insert("readings".to_owned(), Value::Array(Vec::new()));
        data.insert("glyphs".to_owned(), Value::Array(Vec::new()));
        data.insert("name".to_owned(), name.map_or(Value::Null, Value::String));
        data.insert("gf0014_id".to_owned(), Value::Null);
        data.insert("gf3001_id".to_owned(), Value::Null);
        data.insert("ambiguous".to_owned(), Value::Bool(false));
        Self {
            unicode,
            data,
            references: Vec::new(),
        }
    }

    /// Rebuilds a character from its stored row.
    pub fn from_stored(unicode: i64, data: &str) -> Result<Self> {
        let unicode = CodePoint::from_number(unicode).ok_or_else(|| {
            Error::Internal(anyhow::anyhow!("stored code point {unicode} is invalid"))
        })?;
        let data: Map<String, Value> = serde_json::from_str(data)
            .map_err(|e| Error::Internal(anyhow::anyhow!("stored character {unicode:?}: {e}")))?;
        let mut references = Vec::new();
        if let Some(Value::Array(glyphs)) = data.get("glyphs") {
            for g in glyphs {
                visit_references(g, |n| {
                    if let Some(cp) = n.as_i64().and_then(CodePoint::from_number) {
                        references.push(cp);
                    }
                });
            }
        }
        references.sort();
        references.dedup();
        Ok(Self {
            unicode,
            data,
            references,
        })
    }

    pub fn unicode(&self) -> CodePoint {
        self.unicode
    }

    /// The distinct code points this character's glyphs reference, ascending.
    pub fn references(&self) -> &[CodePoint] {
        &self.references
    }

    /// The stored JSON text (references as numbers, no `unicode`).
    pub fn stored(&self) -> String {
        Value::Object(self.data.clone()).to_string()
    }

    /// The character in the client's shape: `unicode` included, references as characters.
    pub fn to_json(&self) -> Value {
        let mut out = self.data.clone();
        out.insert("unicode".to_owned(), Value::from(self.unicode.value()));
        if let Some(Value::Array(glyphs)) = out.get_mut("glyphs") {
            for g in glyphs {
                map_references(g, |n| match n.as_i64().and_then(CodePoint::from_number) {
                    Some(cp) => Value::String(cp.as_char().to_string()),
                    None => n.clone(),
                });
            }
        }
        Value::Object(out)
    }

    /// Points every reference to `old` at `new` instead.
    pub fn replace_reference(&mut self, old: CodePoint, new: CodePoint) {
        if let Some(Value::Array(glyphs)) = self.data.get_mut("glyphs") {
            for g in glyphs {
                map_references(g, |n| {
                    if n.as_i64() == Some(old.value()) {
                        Value::from(new.value())
                    } else {
                        n.clone()
                    }
                });
            }
        }
        for r in &mut self.references {
            if *r == old {
                *r = new;
            }
        }
        self.references.sort();
        self.references.dedup();
    }

    /// The same character at another code point.
    pub fn with_unicode(mut self, unicode: CodePoint) -> Self {
        self.unicode = unicode;
        self
    }
}

/// The value has another JSON type than `expected` (the received type is not reported).
fn wrong(expected: Kind) -> Problem {
    Problem::WrongType {
        expected,
        got: None,
    }
}

fn require(
    v: &mut Violations,
    obj: &Map<String, Value>,
    key: &str,
    check: impl FnOnce(&Value) -> std::result::Result<(), Problem>,
) {
    match obj.get(key) {
        None => v.add(key, Problem::Required),
        Some(x) => {
            if let Err(m) = check(x) {
                v.add(key, m);
            }
        }
    }
}

fn nullable_integer(x: &Value) -> std::result::Result<(), Problem> {
    match x {
        Value::Null => Ok(()),
        _ if x.as_i64().is_some() => Ok(()),
        _ => Err(wrong(Kind::IntegerOrNull)),
    }
}

/// `readings`: a list whose items are pinyin strings or `{pinyin, importance?}` objects.
fn check_readings(x: &Value) -> std::result::Result<(), Problem> {
    let Value::Array(items) = x else {
        return Err(wrong(Kind::Array));
    };
    let ok = items.iter().all(|item| match item {
        Value::String(_) => true,
        Value::Object(o) => {
            o.get("pinyin").is_some_and(Value::is_string)
                && o.get("importance").is_none_or(Value::is_number)
        }
        _ => false,
    });
    if ok {
        Ok(())
    } else {
        Err(Problem::BadFormat(Format::PinyinList))
    }
}

/// Which fields of a glyph hold references, by glyph type.
fn reference_fields(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
    // (single-reference fields, list-of-references fields)
    match kind {
        "derived_component" | "identity" => (&["source"], &[]),
        "compound" | "spliced_component" => (&[], &["operandList"]),
        _ => (&[], &[]),
    }
}

fn visit_references(glyph: &Value, mut f: impl FnMut(&Value)) {
    let Some(obj) = glyph.as_object() else { return };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let (single, lists) = reference_fields(kind);
    for key in single {
        if let Some(x) = obj.get(*key) {
            f(x);
        }
    }
    for key in lists {
        if let Some(Value::Array(items)) = obj.get(*key) {
            items.iter().for_each(&mut f);
        }
    }
}

fn map_references(glyph: &mut Value, f: impl Fn(&Value) -> Value) {
    let Some(obj) = glyph.as_object_mut() else {
        return;
    };
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let (single, lists) = reference_fields(&kind);
    for key in single {
        if let Some(x) = obj.get_mut(*key) {
            *x = f(x);
        }
    }
    for key in lists {
        if let Some(Value::Array(items)) = obj.get_mut(*key) {
            for x in items {
                *x = f(x);
            }
        }
    }
}

/// Validates one glyph and answers its stored form (references as numbers) and references.
fn parse_glyph(g: &Value, field: &str) -> Result<(Value, Vec<CodePoint>)> {
    let Some(obj) = g.as_object() else {
        return Err(Error::invalid(field, wrong(Kind::Object)));
    };
    let mut v = Violations::new();
    let at = |key: &str| format!("{field}.{key}");
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let mut refs = Vec::new();
    let mut stored = obj.clone();
    let as_ref = |x: &Value| x.as_str().and_then(CodePoint::from_char_str);
    match kind {
        "basic_component" => check_strokes(&mut v, obj, &at("strokes")),
        "derived_component" | "identity" => {
            if kind == "derived_component" {
                check_strokes(&mut v, obj, &at("strokes"));
            }
            match obj.get("source").map(as_ref) {
                None => v.add(at("source"), Problem::Required),
                Some(None) => v.add(at("source"), Problem::BadFormat(Format::SingleCharacter)),
                Some(Some(cp)) => {
                    refs.push(cp);
                    stored.insert("source".to_owned(), Value::from(cp.value()));
                }
            }
        }
        "compound" | "spliced_component" => {
            match obj.get("operator").and_then(Value::as_str) {
                Some(op)
                    if CodePoint::from_char_str(op).is_some_and(|c| {
                        (OPERATOR_FIRST..=OPERATOR_LAST).contains(&c.as_char())
                    }) => {}
                Some(_) => v.add(at("operator"), Problem::BadFormat(Format::Operator)),
                None => v.add(at("operator"), Problem::Required),
            }
            match obj.get("operandList") {
                None => v.add(at("operandList"), Problem::Required),
                Some(Value::Array(items)) if (2..=3).contains(&items.len()) => {
                    let mut numbers = Vec::with_capacity(items.len());
                    for item in items {
                        match as_ref(item) {
                            Some(cp) => {
                                refs.push(cp);
                                numbers.push(Value::from(cp.value()));
                            }
                            None => v.add(
                                at("operandList"),
                                Problem::BadFormat(Format::SingleCharacter),
                            ),
                        }
                    }
                    stored.insert("operandList".to_owned(), Value::Array(numbers));
                }
                Some(_) => v.add(at("operandList"), Problem::BadFormat(Format::Operands)),
            }
            if let Some(order) = obj.get("order") {
                let ok = order.as_array().is_some_and(|blocks| {
                    blocks.iter().all(|b| {
                        b.get("index").and_then(Value::as_u64).is_some()
                            && b.get("strokes").and_then(Value::as_u64).is_some()
                    })
                });
                if !ok {
                    v.add(at("order"), Problem::BadFormat(Format::StrokeOrder));
                }
            }
            if let Some(p) = obj.get("parameters") {
                let ok = p
                    .as_object()
                    .is_some_and(|m| m.values().all(Value::is_number));
                if !ok {
                    v.add(
                        at("parameters"),
                        Problem::BadFormat(Format::NumericParameters),
                    );
                }
            }
        }
        "" => v.add(at("type"), Problem::Required),
        _ => v.add(at("type"), Problem::Rule(Rule::UnknownGlyphType)),
    }
    if let Some(tags) = obj.get("tags") {
        let ok = tags
            .as_array()
            .is_some_and(|t| t.iter().all(Value::is_string));
        if !ok {
            v.add(at("tags"), Problem::BadFormat(Format::StringList));
        }
    }
    v.into_result()?;
    Ok((Value::Object(stored), refs))
}

fn check_strokes(v: &mut Violations, obj: &Map<String, Value>, field: &str) {
    match obj.get("strokes") {
        None => v.add(field, Problem::Required),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => {}
        Some(_) => v.add(field, Problem::BadFormat(Format::Strokes)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Value {
        json!({
            "unicode": 0x660E, "tygf": 1, "gb2312": true, "name": null, "gf0014_id": null,
            "readings": [{"pinyin": "ming2", "importance": 100}], "ambiguous": false,
            "glyphs": [
                {"type": "compound", "operator": "⿰", "operandList": ["日", "月"], "tags": ["G"]},
                {"type": "basic_component", "strokes": [{"feature": "横", "start": [0, 0], "curveList": []}]},
                {"type": "derived_component", "source": "一", "strokes": [{"feature": "reference", "index": 0}]},
                {"type": "identity", "source": "𠀀"},
                {"type": "spliced_component", "operator": "⿳", "operandList": ["一", "丨", "一"]}
            ]
        })
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Invalid(f) => f[0].field.clone(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn code_points_parse_from_numbers_characters_and_paths() {
        assert_eq!(CodePoint::from_number(0x4E00).unwrap().as_char(), '一');
        assert!(CodePoint::from_number(0xD800).is_none());
        assert!(CodePoint::from_number(0x110000).is_none());
        assert!(CodePoint::from_number(-1).is_none());
        assert_eq!(CodePoint::from_char_str("𠀀").unwrap().value(), 0x20000);
        assert!(CodePoint::from_char_str("日月").is_none());
        assert!(CodePoint::from_char_str("").is_none());
        assert_eq!(CodePoint::parse_decimal("57344").unwrap().value(), 0xE000);
        assert!(CodePoint::parse_decimal("-1").is_none());
        assert!(CodePoint::parse_decimal("abc").is_none());
        assert!(CodePoint::parse_decimal("99999999").is_none());
    }

    #[test]
    fn references_are_stored_as_numbers_and_answered_as_characters() {
        let c = Character::parse(&sample()).unwrap();
        let refs: Vec<i64> = c.references().iter().map(|r| r.value()).collect();
        assert_eq!(refs, vec![0x4E00, 0x4E28, 0x65E5, 0x6708, 0x20000]);
        let stored: Value = serde_json::from_str(&c.stored()).unwrap();
        assert_eq!(stored["glyphs"][0]["operandList"], json!([0x65E5, 0x6708]));
        assert_eq!(stored["glyphs"][2]["source"], json!(0x4E00));
        assert!(stored.get("unicode").is_none());
        let back = Character::from_stored(0x660E, &c.stored()).unwrap();
        assert_eq!(back.references(), c.references());
        let mut expected = sample();
        expected["gf3001_id"] = Value::Null;
        assert_eq!(back.to_json(), expected);
    }

    #[test]
    fn readings_and_gb2312_come_back_as_sent() {
        let mut s = sample();
        s["readings"] = json!(["ming2", "meng2"]);
        s["gb2312"] = json!(2);
        let c = Character::parse(&s).unwrap();
        assert_eq!(c.to_json()["readings"], json!(["ming2", "meng2"]));
        assert_eq!(c.to_json()["gb2312"], json!(2));
    }

    #[test]
    fn invalid_characters_name_the_field() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("/tygf", json!(4), "tygf"),
            ("/gb2312", json!(3), "gb2312"),
            ("/readings", json!([1]), "readings"),
            ("/glyphs/0/operator", json!("+"), "glyphs[0].operator"),
            (
                "/glyphs/0/operandList",
                json!(["日"]),
                "glyphs[0].operandList",
            ),
            (
                "/glyphs/0/operandList",
                json!(["日月", "月"]),
                "glyphs[0].operandList",
            ),
            ("/glyphs/1/type", json!("stroke"), "glyphs[1].type"),
            ("/glyphs/1/strokes", json!("x"), "glyphs[1].strokes"),
            ("/glyphs/2/source", json!(19968), "glyphs[2].source"),
            ("/unicode", json!(0xD800), "unicode"),
            ("/name", json!(5), "name"),
            ("/ambiguous", json!("no"), "ambiguous"),
        ];
        for (pointer, bad, field) in cases {
            let mut s = sample();
            *s.pointer_mut(pointer).unwrap() = bad;
            assert_eq!(
                field_of(Character::parse(&s).unwrap_err()),
                field,
                "{pointer}"
            );
        }
        let mut s = sample();
        s.as_object_mut().unwrap().remove("glyphs");
        assert_eq!(field_of(Character::parse(&s).unwrap_err()), "glyphs");
        assert!(Character::parse(&json!([1])).is_err());
    }

    #[test]
    fn renumbering_rewrites_references() {
        let mut c = Character::parse(&sample()).unwrap();
        let old = CodePoint::from_char_str("一").unwrap();
        let new = CodePoint::from_number(0xE000).unwrap();
        c.replace_reference(old, new);
        assert!(!c.references().contains(&old));
        assert!(c.references().contains(&new));
        let out = c.to_json();
        assert_eq!(out["glyphs"][2]["source"], json!("\u{E000}"));
        assert_eq!(
            out["glyphs"][4]["operandList"],
            json!(["\u{E000}", "丨", "\u{E000}"])
        );
    }
}
