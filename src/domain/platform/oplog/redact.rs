//! Masking and cutting of logged request and response data: pure functions over JSON.
//!
//! Secrets are replaced by `"***"` at any depth, by the name of the key that holds them;
//! long strings and arrays are cut, and deep nesting is flattened, so the stored text is
//! always valid JSON of bounded size.

use serde_json::{Map, Value};

/// What replaces a secret.
pub const MASK: &str = "***";

/// Name fragments that mark a secret (compared without case, `_` or `-`): passwords of
/// every dialect (`password`, `password_confirm`, `new_password`), tokens (`token`,
/// `refresh_token`, `cookie_value`, `userCookieValue`, `sessionid`), captcha answers, keys.
const SECRET_PARTS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "token",
    "secret",
    "cookie",
    "captcha",
    "sessionid",
    "authorization",
    "apikey",
    "credential",
    "privatekey",
];

/// Whether a value stored under `key` is a secret.
pub fn is_secret_key(key: &str) -> bool {
    let folded: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_PARTS.iter().any(|p| folded.contains(p))
}

/// Replaces the value of every secret key, at any depth, by [`MASK`].
pub fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_key(k) {
                    *v = Value::String(MASK.to_owned());
                } else {
                    mask(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

/// How far values are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Characters kept of a string.
    pub string_chars: usize,
    /// Items kept of an array (and entries of an object).
    pub items: usize,
    /// Nesting levels kept; deeper values become a short note.
    pub depth: usize,
    /// Bytes of the whole serialised value; past it the limits are tightened, and at the
    /// tightest a summary replaces the value.
    pub total_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            string_chars: 1000,
            items: 100,
            depth: 8,
            total_bytes: 16 * 1024,
        }
    }
}

/// Cuts `value` to `limits`; the answer serialises to at most `limits.total_bytes` bytes
/// (unless that limit is below the size of the summary note itself).
pub fn truncate(value: Value, limits: Limits) -> Value {
    let mut l = limits;
    let mut current = cut(&value, l, 0);
    // Tighten step by step: most bodies fit at the first pass.
    while serialized_len(&current) > limits.total_bytes {
        if l.string_chars <= 16 && l.items <= 4 && l.depth <= 2 {
            let mut note = Map::new();
            note.insert("_truncated".into(), Value::Bool(true));
            note.insert("_bytes".into(), Value::from(serialized_len(&value)));
            return Value::Object(note);
        }
        l.string_chars = (l.string_chars / 4).max(16);
        l.items = (l.items / 4).max(4);
        l.depth = (l.depth.saturating_sub(2)).max(2);
        current = cut(&value, l, 0);
    }
    current
}

fn serialized_len(v: &Value) -> usize {
    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX)
}

fn cut(value: &Value, l: Limits, depth: usize) -> Value {
    match value {
        Value::String(s) => Value::String(cut_str(s, l.string_chars)),
        Value::Array(_) | Value::Object(_) if depth >= l.depth => {
            let n = match value {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => 0,
            };
            Value::String(format!("…({n} items)"))
        }
        Value::Array(items) => {
            let mut out: Vec<Value> = items
                .iter()
                .take(l.items)
                .map(|v| cut(v, l, depth + 1))
                .collect();
            if items.len() > l.items {
                out.push(Value::String(format!("…({} more)", items.len() - l.items)));
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .take(l.items)
                .map(|(k, v)| (cut_str(k, l.string_chars), cut(v, l, depth + 1)))
                .collect();
            if map.len() > l.items {
                out.insert(
                    "_more".into(),
                    Value::String(format!("…({} more)", map.len() - l.items)),
                );
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The first `max` characters of `s`, with a note of how many were cut.
pub fn cut_str(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push_str(&format!("…({} chars)", count));
    out
}

/// A path with its query, secret parameter values replaced by [`MASK`] (`?token=abc` ->
/// `?token=***`), the whole cut to `max` characters.
pub fn mask_url(path: &str, query: Option<&str>, max: usize) -> String {
    let mut url = path.to_owned();
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        url.push('?');
        let parts: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_key(&decode(k)) => format!("{k}={MASK}"),
                _ => pair.to_owned(),
            })
            .collect();
        url.push_str(&parts.join("&"));
    }
    cut_str(&url, max)
}

fn decode(s: &str) -> String {
    form_urlencoded::parse(format!("{s}=").as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

/// Form or query pairs as a JSON object; a repeated name collects its values in an array.
pub fn pairs_to_json(raw: &[u8]) -> Value {
    let mut map = Map::new();
    for (k, v) in form_urlencoded::parse(raw) {
        let v = Value::String(v.into_owned());
        match map.get_mut(k.as_ref()) {
            None => {
                map.insert(k.into_owned(), v);
            }
            Some(Value::Array(items)) => items.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let mut v = json!({
            "username": "amy",
            "password": "pw-1",
            "password_confirm": "pw-1",
            "userCookieValue": "abc",
            "captcha": "ABCD",
            "data": {"token": "t", "refresh_token": "r", "user": {"id": 1}},
            "items": [{"new_password": "x", "name": "n"}, {"Cookie_Value": "c"}],
            "jwt_secret": {"nested": "object"},
        });
        mask(&mut v);
        assert_eq!(
            v,
            json!({
                "username": "amy",
                "password": "***",
                "password_confirm": "***",
                "userCookieValue": "***",
                "captcha": "***",
                "data": {"token": "***", "refresh_token": "***", "user": {"id": 1}},
                "items": [{"new_password": "***", "name": "n"}, {"Cookie_Value": "***"}],
                "jwt_secret": "***",
            })
        );
    }

    #[test]
    fn ordinary_keys_are_not_secrets() {
        for k in [
            "username",
            "real_name",
            "email",
            "id",
            "title",
            "remark",
            "expires_in",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
        for k in ["sessionid", "X-Auth-Token", "api_key", "oldPassword", "pwd"] {
            assert!(is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn long_values_are_cut_and_stay_valid_json() {
        let long = "字".repeat(5000);
        let v = json!({"a": long, "list": (0..500).collect::<Vec<_>>()});
        let out = truncate(v, Limits::default());
        let text = serde_json::to_string(&out).unwrap();
        assert!(
            text.len() <= Limits::default().total_bytes,
            "{}",
            text.len()
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert!(back["a"].as_str().unwrap().ends_with("…(5000 chars)"));
        assert_eq!(back["list"].as_array().unwrap().len(), 101);
        assert_eq!(back["list"][100], json!("…(400 more)"));
    }

    #[test]
    fn an_oversized_value_is_tightened_until_it_fits() {
        let rows: Vec<Value> = (0..100)
            .map(|i| json!({"i": i, "text": "x".repeat(900)}))
            .collect();
        let out = truncate(json!(rows), Limits::default());
        assert!(serde_json::to_vec(&out).unwrap().len() <= 16 * 1024);
        let tiny = Limits {
            total_bytes: 20,
            ..Limits::default()
        };
        let out = truncate(json!({"k": "v".repeat(100)}), tiny);
        assert_eq!(out["_truncated"], json!(true));
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let mut v = json!(1);
        for _ in 0..20 {
            v = json!([v]);
        }
        let out = truncate(v, Limits::default());
        let text = serde_json::to_string(&out).unwrap();
        assert!(text.contains("…(1 items)"), "{text}");
    }

    #[test]
    fn short_values_are_kept() {
        let v = json!({"a": "b", "n": [1, 2, 3], "o": {"x": null}});
        assert_eq!(truncate(v.clone(), Limits::default()), v);
    }

    #[test]
    fn secret_query_parameters_are_masked_in_urls() {
        assert_eq!(
            mask_url("/x", Some("ids=1,2&token=abc&access%5Ftoken=z"), 200),
            "/x?ids=1,2&token=***&access%5Ftoken=***"
        );
        assert_eq!(mask_url("/x", None, 200), "/x");
        assert_eq!(mask_url("/x", Some(""), 200), "/x");
    }

    #[test]
    fn form_pairs_become_an_object() {
        assert_eq!(
            pairs_to_json(b"a=1&b=2&a=3&c=%E5%AD%97"),
            json!({"a": ["1", "3"], "b": "2", "c": "字"})
        );
    }
}
