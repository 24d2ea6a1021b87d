//! The one parser of a Character, for both wire forms.
//!
//! The document's Character (the January 2024 web client) and the original back end's raw row
//! (today's client) differ only in how some fields are written, so one parser reads both, in
//! any mix, and builds the same stored [`Character`]:
//!
//! | field | document's Character | raw row |
//! |---|---|---|
//! | `glyphs` | an array | the array serialised as a JSON string |
//! | references (`source`, `operandList`) | one-character strings | code points (numbers) |
//! | `gb2312` | a boolean (or 0–2) | 0, 1 or 2 |
//! | `ambiguous` | a boolean | 0 or 1 |
//! | `readings` | a list | absent (= none) |
//!
//! Validation is the same whichever form a field comes in; every failing field is reported
//! (`tygf`, `glyphs[0].operator`, …).

use serde_json::{Map, Value};

use super::code_point::CodePoint;
use super::model::Character;
use crate::error::{Error, Format, Kind, Problem, Result, Rule, Violations};

/// The first and last Ideographic Description Characters allowed as compound operators.
const OPERATOR_FIRST: char = '\u{2FF0}'; // ⿰
const OPERATOR_LAST: char = '\u{2FFB}'; // ⿻

/// Longest `name` accepted, in characters.
const NAME_MAX: usize = 255;

/// The scalar fields copied into the stored form as sent (after their check).
const SCALARS: [&str; 5] = ["tygf", "gb2312", "name", "gf0014_id", "ambiguous"];

impl Character {
    /// Parses and validates a Character in either wire form (see the module map).
    pub fn parse(value: &Value) -> Result<Self> {
        let Some(obj) = value.as_object() else {
            return Err(Error::invalid("body", wrong(Kind::Object)));
        };
        let mut v = Violations::new();
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
        // Absent (the raw row has no readings) or null means none.
        let readings = match obj.get("readings") {
            None | Some(Value::Null) => Value::Array(Vec::new()),
            Some(x) => {
                if let Err(m) = check_readings(x) {
                    v.add("readings", m);
                }
                x.clone()
            }
        };
        require(&mut v, obj, "name", |x| match x {
            Value::Null => Ok(()),
            Value::String(s) if s.chars().count() <= NAME_MAX => Ok(()),
            Value::String(_) => Err(Problem::TooLong { max: NAME_MAX }),
            _ => Err(wrong(Kind::StringOrNull)),
        });
        require(&mut v, obj, "gf0014_id", nullable_integer);
        if let Some(Err(m)) = obj.get("gf3001_id").map(nullable_integer) {
            v.add("gf3001_id", m);
        }
        require(&mut v, obj, "ambiguous", |x| match x {
            Value::Bool(_) => Ok(()),
            _ if x.as_i64().is_some_and(|n| n == 0 || n == 1) => Ok(()),
            _ => Err(wrong(Kind::Boolean)),
        });
        let (glyphs, mut references) = parse_glyphs(&mut v, obj.get("glyphs"))?;
        v.into_result()?;
        let Some(unicode) = unicode else {
            return Err(Error::invalid("unicode", Problem::Required));
        };
        let mut data = Map::new();
        for key in SCALARS {
            data.insert(key.to_owned(), obj.get(key).cloned().unwrap_or(Value::Null));
        }
        data.insert(
            "gf3001_id".to_owned(),
            obj.get("gf3001_id").cloned().unwrap_or(Value::Null),
        );
        data.insert("readings".to_owned(), readings);
        data.insert("glyphs".to_owned(), Value::Array(glyphs));
        references.sort();
        references.dedup();
        Ok(Self {
            unicode,
            data,
            references,
        })
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

/// `glyphs`: an array, or (the raw row) that array serialised as a JSON string. Answers the
/// stored glyphs and their references; failures go to `v`.
fn parse_glyphs(
    v: &mut Violations,
    glyphs: Option<&Value>,
) -> Result<(Vec<Value>, Vec<CodePoint>)> {
    let decoded;
    let list = match glyphs {
        None => {
            v.add("glyphs", Problem::Required);
            return Ok((Vec::new(), Vec::new()));
        }
        Some(Value::Array(list)) => list,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(list)) => {
                decoded = list;
                &decoded
            }
            _ => {
                v.add("glyphs", wrong(Kind::ArrayOrJsonText));
                return Ok((Vec::new(), Vec::new()));
            }
        },
        Some(_) => {
            v.add("glyphs", wrong(Kind::ArrayOrJsonText));
            return Ok((Vec::new(), Vec::new()));
        }
    };
    let mut stored = Vec::with_capacity(list.len());
    let mut references = Vec::new();
    for (i, g) in list.iter().enumerate() {
        if let Some((glyph, refs)) = v.check(parse_glyph(g, &format!("glyphs[{i}]")))? {
            stored.push(glyph);
            references.extend(refs);
        }
    }
    Ok((stored, references))
}

/// Validates one glyph and answers its stored form (references as numbers) and references.
fn parse_glyph(g: &Value, field: &str) -> Result<(Value, Vec<CodePoint>)> {
    let Some(obj) = g.as_object() else {
        return Err(Error::invalid(field, wrong(Kind::Object)));
    };
    let mut violations = Violations::new();
    let v = &mut violations;
    let at = |key: &str| format!("{field}.{key}");
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let mut refs = Vec::new();
    let mut stored = obj.clone();
    match kind {
        "basic_component" => check_strokes(v, obj, &at("strokes")),
        "derived_component" | "identity" => {
            if kind == "derived_component" {
                check_strokes(v, obj, &at("strokes"));
            }
            match obj.get("source").map(CodePoint::from_reference) {
                None => v.add(at("source"), Problem::Required),
                Some(None) => v.add(at("source"), Problem::BadFormat(Format::Reference)),
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
                        match CodePoint::from_reference(item) {
                            Some(cp) => {
                                refs.push(cp);
                                numbers.push(Value::from(cp.value()));
                            }
                            None => v.add(at("operandList"), Problem::BadFormat(Format::Reference)),
                        }
                    }
                    stored.insert("operandList".to_owned(), Value::Array(numbers));
                }
                Some(_) => v.add(at("operandList"), Problem::BadFormat(Format::Operands)),
            }
            check_order(v, obj, &at("order"));
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
    violations.into_result()?;
    Ok((Value::Object(stored), refs))
}

fn check_strokes(v: &mut Violations, obj: &Map<String, Value>, field: &str) {
    match obj.get("strokes") {
        None => v.add(field, Problem::Required),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => {}
        Some(_) => v.add(field, Problem::BadFormat(Format::Strokes)),
    }
}

fn check_order(v: &mut Violations, obj: &Map<String, Value>, field: &str) {
    let Some(order) = obj.get("order") else {
        return;
    };
    let ok = order.as_array().is_some_and(|blocks| {
        blocks.iter().all(|b| {
            b.get("index").and_then(Value::as_u64).is_some()
                && b.get("strokes").and_then(Value::as_u64).is_some()
        })
    });
    if !ok {
        v.add(field, Problem::BadFormat(Format::StrokeOrder));
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

    /// `sample()` as the raw row: glyphs a JSON string with code points, numbers for flags.
    fn sample_row() -> Value {
        let glyphs = json!([
            {"type": "compound", "operator": "⿰", "operandList": [0x65E5, 0x6708], "tags": ["G"]},
            {"type": "basic_component", "strokes": [{"feature": "横", "start": [0, 0], "curveList": []}]},
            {"type": "derived_component", "source": 0x4E00, "strokes": [{"feature": "reference", "index": 0}]},
            {"type": "identity", "source": 0x20000},
            {"type": "spliced_component", "operator": "⿳", "operandList": [0x4E00, 0x4E28, 0x4E00]}
        ]);
        json!({
            "unicode": 0x660E, "tygf": 1, "gb2312": 1, "name": null, "gf0014_id": null,
            "gf3001_id": 7, "ambiguous": 0, "glyphs": glyphs.to_string()
        })
    }

    fn fields_of(err: Error) -> Vec<String> {
        match err {
            Error::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
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
        let mut expected = sample();
        expected["gf3001_id"] = Value::Null;
        assert_eq!(c.to_seed(), expected);
    }

    #[test]
    fn the_raw_row_parses_to_the_same_glyphs_and_references() {
        let seed = Character::parse(&sample()).unwrap();
        let row = Character::parse(&sample_row()).unwrap();
        assert_eq!(row.references(), seed.references());
        assert_eq!(row.data["glyphs"], seed.data["glyphs"]);
        // No readings in the row: none.
        assert_eq!(row.data["readings"], json!([]));
        assert_eq!(row.data["gf3001_id"], json!(7));
    }

    #[test]
    fn forms_may_be_mixed() {
        let mut s = sample();
        s["glyphs"] =
            json!([{"type": "compound", "operator": "⿰", "operandList": ["日", 0x6708]}]);
        s.as_object_mut().unwrap().remove("readings");
        s["ambiguous"] = json!(1);
        let c = Character::parse(&s).unwrap();
        assert_eq!(c.references().len(), 2);
        let mut s = sample_row();
        s["glyphs"] = json!(json!([{"type": "identity", "source": "一"}]).to_string());
        s["readings"] = json!(["yi1"]);
        assert_eq!(
            Character::parse(&s).unwrap().to_seed()["glyphs"],
            json!([{"type": "identity", "source": "一"}])
        );
    }

    #[test]
    fn readings_and_gb2312_come_back_as_sent() {
        let mut s = sample();
        s["readings"] = json!(["ming2", "meng2"]);
        s["gb2312"] = json!(2);
        let c = Character::parse(&s).unwrap();
        assert_eq!(c.to_seed()["readings"], json!(["ming2", "meng2"]));
        assert_eq!(c.to_seed()["gb2312"], json!(2));
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
            (
                "/glyphs/0/operandList",
                json!([0xD800, "月"]),
                "glyphs[0].operandList",
            ),
            ("/glyphs/1/type", json!("stroke"), "glyphs[1].type"),
            ("/glyphs/1/strokes", json!("x"), "glyphs[1].strokes"),
            ("/glyphs/2/source", json!("一二"), "glyphs[2].source"),
            ("/glyphs/2/source", json!(-1), "glyphs[2].source"),
            ("/glyphs/2/source", json!(0x110000), "glyphs[2].source"),
            ("/glyphs/2/source", json!(19968.5), "glyphs[2].source"),
            ("/glyphs/3/source", json!(null), "glyphs[3].source"),
            ("/unicode", json!(0xD800), "unicode"),
            ("/name", json!(5), "name"),
            ("/ambiguous", json!("no"), "ambiguous"),
            ("/ambiguous", json!(2), "ambiguous"),
            ("/glyphs", json!("not json"), "glyphs"),
            ("/glyphs", json!("{}"), "glyphs"),
            ("/glyphs", json!(5), "glyphs"),
        ];
        for (pointer, bad, field) in cases {
            let mut s = sample();
            *s.pointer_mut(pointer).unwrap() = bad;
            assert_eq!(
                fields_of(Character::parse(&s).unwrap_err()),
                vec![field],
                "{pointer}"
            );
        }
        let mut s = sample();
        s.as_object_mut().unwrap().remove("glyphs");
        assert_eq!(fields_of(Character::parse(&s).unwrap_err()), ["glyphs"]);
        assert!(Character::parse(&json!([1])).is_err());
    }

    #[test]
    fn a_bad_glyph_inside_the_row_string_names_its_index() {
        let mut s = sample_row();
        s["glyphs"] = json!(json!([{"type": "identity", "source": 0xDFFF}]).to_string());
        s["tygf"] = json!(9);
        assert_eq!(
            fields_of(Character::parse(&s).unwrap_err()),
            ["tygf", "glyphs[0].source"]
        );
    }
}
