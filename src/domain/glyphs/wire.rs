//! The two forms a [`Character`] is answered in. Which one a deployment serves is the
//! dialect's choice (`dialects.hanzi.wire`); input accepts both (`parse.rs`).

use serde_json::{Map, Value};

use super::code_point::CodePoint;
use super::model::{Character, map_references};

/// The document's Character fields after `unicode`, in the document's order.
const SEED_FIELDS: [&str; 8] = [
    "tygf",
    "gb2312",
    "readings",
    "glyphs",
    "name",
    "gf0014_id",
    "gf3001_id",
    "ambiguous",
];

/// A flag the row writes as a number: `true`/`false` become 1/0, numbers stay.
fn row_flag(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Bool(b)) => Value::from(i64::from(*b)),
        Some(n @ Value::Number(_)) => n.clone(),
        _ => Value::from(0),
    }
}

impl Character {
    fn field(&self, key: &str) -> Value {
        self.data.get(key).cloned().unwrap_or(Value::Null)
    }

    /// The document's Character (the January 2024 client): `unicode` included, references as
    /// one-character strings, the other fields as they were sent.
    pub fn to_seed(&self) -> Value {
        let mut out = Map::new();
        out.insert("unicode".to_owned(), Value::from(self.unicode.value()));
        for key in SEED_FIELDS {
            out.insert(key.to_owned(), self.field(key));
        }
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

    /// The original back end's raw row (today's client), in its column order: `{unicode,
    /// tygf, gb2312 0|1|2, glyphs, name, gf0014_id, gf3001_id, ambiguous 0|1}` where `glyphs`
    /// is the glyph array serialised as a JSON string with references as code points; no
    /// `readings`. Stored glyphs hold references as numbers already; the string is compact
    /// JSON with object keys in sorted order (serde_json's canonical form), which the client
    /// reads back with `JSON.parse` as the same glyphs it wrote.
    pub fn to_row(&self) -> Value {
        let glyphs = self
            .data
            .get("glyphs")
            .map_or_else(|| "[]".to_owned(), Value::to_string);
        let mut out = Map::new();
        out.insert("unicode".to_owned(), Value::from(self.unicode.value()));
        out.insert("tygf".to_owned(), self.field("tygf"));
        out.insert("gb2312".to_owned(), row_flag(self.data.get("gb2312")));
        out.insert("glyphs".to_owned(), Value::String(glyphs));
        for key in ["name", "gf0014_id", "gf3001_id"] {
            out.insert(key.to_owned(), self.field(key));
        }
        out.insert("ambiguous".to_owned(), row_flag(self.data.get("ambiguous")));
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn seed() -> Value {
        json!({
            "unicode": 0x4E01, "tygf": 2, "gb2312": true, "readings": ["ding1"], "name": "丁",
            "gf0014_id": 3, "ambiguous": false,
            "glyphs": [
                {"type": "compound", "operator": "⿱", "operandList": ["一", "亅"], "tags": ["T"]},
                {"type": "identity", "source": "𠀀"}
            ]
        })
    }

    #[test]
    fn the_row_carries_code_points_in_a_glyph_string_and_numeric_flags() {
        let row = Character::parse(&seed()).unwrap().to_row();
        let glyphs = json!([
            {"type": "compound", "operator": "⿱", "operandList": [0x4E00, 0x4E85], "tags": ["T"]},
            {"type": "identity", "source": 0x20000}
        ]);
        assert_eq!(
            row,
            json!({
                "unicode": 0x4E01, "tygf": 2, "gb2312": 1, "name": "丁", "gf0014_id": 3,
                "gf3001_id": null, "ambiguous": 0, "glyphs": glyphs.to_string()
            })
        );
    }

    #[test]
    fn a_row_reads_back_as_it_was_written() {
        let glyphs = json!([{"type": "derived_component", "source": 0x4E00, "strokes": [{"feature": "reference", "index": 0}]}]);
        let row = json!({
            "unicode": 0xE000, "tygf": 0, "gb2312": 2, "name": "丷头", "gf0014_id": null,
            "gf3001_id": 12, "ambiguous": 1, "glyphs": glyphs.to_string()
        });
        let c = Character::parse(&row).unwrap();
        assert_eq!(c.to_row(), row);
        // The same character in the document's form.
        let seed = c.to_seed();
        assert_eq!(seed["glyphs"][0]["source"], json!("一"));
        assert_eq!(seed["readings"], json!([]));
        assert_eq!(seed["gb2312"], json!(2));
    }

    #[test]
    fn the_glyph_string_is_the_same_json_in_canonical_form() {
        let text =
            r#"[{"type":"compound","operator":"⿰","operandList":[26085,26376],"tags":["G"]}]"#;
        let row = json!({
            "unicode": 0x660E, "tygf": 1, "gb2312": 1, "glyphs": text, "name": null,
            "gf0014_id": null, "gf3001_id": null, "ambiguous": 0
        });
        let out = Character::parse(&row).unwrap().to_row();
        let sent: Value = serde_json::from_str(text).unwrap();
        let answered = out["glyphs"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(answered).unwrap(), sent);
        assert_eq!(answered, sent.to_string());
    }

    #[test]
    fn a_placeholder_has_an_empty_glyph_string() {
        let cp = CodePoint::from_number(0xE800).unwrap();
        let row = Character::placeholder(cp, None).to_row();
        assert_eq!(row["glyphs"], json!("[]"));
        assert_eq!(row["gb2312"], json!(0));
        assert_eq!(row["ambiguous"], json!(0));
        assert!(row.get("readings").is_none());
    }
}
