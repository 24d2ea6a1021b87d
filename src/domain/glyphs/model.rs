//! The Character model of the hanzi decomposition system, as stored.
//!
//! A [`Character`] is built by [`Character::parse`] (`parse.rs`, either wire form), from its
//! stored row, or as an empty placeholder. Once built it is known to be valid: its fields have
//! the documented types and ranges, every glyph is one of the five variants, every operator is
//! one of ⿰–⿻ and every reference is a Unicode scalar value. It is stored as JSON without the
//! code point itself and with every reference (`source`, `operandList`) as a number; fields
//! kept "as sent" (`readings`, `gb2312`, `ambiguous`, strokes, glyph extras such as `tags`,
//! `order`, `parameters`) stay JSON. `wire.rs` renders it in the two answer forms.

use serde_json::{Map, Value};

use super::code_point::CodePoint;
use crate::error::{Error, Result};

/// One character of the repertoire: its code point, its stored JSON (references as numbers,
/// without the code point itself) and the code points its glyphs reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Character {
    pub(super) unicode: CodePoint,
    pub(super) data: Map<String, Value>,
    pub(super) references: Vec<CodePoint>,
}

impl Character {
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

/// Which fields of a glyph hold references, by glyph type:
/// (single-reference fields, list-of-references fields).
pub(super) fn reference_fields(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
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

/// Rewrites every reference of a stored glyph with `f`.
pub(super) fn map_references(glyph: &mut Value, f: impl Fn(&Value) -> Value) {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Value {
        json!({
            "unicode": 0x660E, "tygf": 1, "gb2312": true, "name": null, "gf0014_id": null,
            "readings": [], "ambiguous": false,
            "glyphs": [
                {"type": "derived_component", "source": "一", "strokes": [{"feature": "reference", "index": 0}]},
                {"type": "spliced_component", "operator": "⿳", "operandList": ["一", "丨", "一"]}
            ]
        })
    }

    #[test]
    fn renumbering_rewrites_references() {
        let mut c = Character::parse(&sample()).unwrap();
        let old = CodePoint::from_char_str("一").unwrap();
        let new = CodePoint::from_number(0xE000).unwrap();
        c.replace_reference(old, new);
        assert!(!c.references().contains(&old));
        assert!(c.references().contains(&new));
        let out = c.to_seed();
        assert_eq!(out["glyphs"][0]["source"], json!("\u{E000}"));
        assert_eq!(
            out["glyphs"][1]["operandList"],
            json!(["\u{E000}", "丨", "\u{E000}"])
        );
    }

    #[test]
    fn a_stored_row_comes_back_with_its_references() {
        let c = Character::parse(&sample()).unwrap();
        let back = Character::from_stored(0x660E, &c.stored()).unwrap();
        assert_eq!(back, c);
        assert!(Character::from_stored(0xD800, &c.stored()).is_err());
        assert!(Character::from_stored(0x660E, "[").is_err());
    }
}
