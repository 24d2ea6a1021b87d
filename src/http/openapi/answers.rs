//! Component schemas of answers, derived with `utoipa::ToSchema` from the `Serialize` types the
//! handlers answer, and registered as the operations name them, so `components` holds exactly
//! the types some operation refers to.
//!
//! Two corrections make a derived schema say what serde writes rather than what it reads:
//! utoipa calls an `Option` field optional, but serde writes `None` as `null` (a field is left
//! out only with `skip_serializing_if`, which such fields mark with a non-null `value_type`),
//! so every nullable property is required; and a struct serialises exactly its fields, so a
//! derived object with `properties` admits no others.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Default)]
pub struct Answers(RefCell<BTreeMap<String, Value>>);

impl Answers {
    /// A `$ref` to `T`'s schema; registers it and every schema it refers to.
    pub fn of<T: ToSchema>(&self) -> Value {
        self.named::<T>(&T::name())
    }

    /// [`Answers::of`] under the name `name`: the name of a generic type (`Paged<T>`) does not
    /// say its arguments.
    pub fn named<T: ToSchema>(&self, name: &str) -> Value {
        let mut found = Vec::new();
        T::schemas(&mut found);
        found.push((name.to_owned(), T::schema()));
        let mut schemas = self.0.borrow_mut();
        for (name, schema) in found {
            let mut value = serde_json::to_value(schema).unwrap_or_else(|_| json!({}));
            as_serialized(&mut value);
            schemas.insert(name, value);
        }
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// `[T]`.
    pub fn list<T: ToSchema>(&self) -> Value {
        json!({ "type": "array", "items": self.of::<T>() })
    }

    /// Adds the registered schemas to the components of `doc`.
    pub fn add_to(self, doc: &mut Value) {
        let mut found = self.0.into_inner();
        flattened_stay_open(&mut found);
        let schemas = &mut doc["components"]["schemas"];
        if !schemas.is_object() {
            *schemas = json!({});
        }
        for (name, schema) in found {
            schemas[name] = schema;
        }
    }
}

/// The corrections of the module comment, on one derived schema and the objects it inlines.
fn as_serialized(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in obj
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            as_serialized(part);
            // Parts of a flattened struct each see only their own fields.
            if key == "allOf" {
                if let Some(part) = part.as_object_mut() {
                    part.remove("additionalProperties");
                }
            }
        }
    }
    if let Some(items) = obj.get_mut("items") {
        as_serialized(items);
    }
    let Some(properties) = obj.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let mut nullable = Vec::new();
    for (name, property) in properties.iter_mut() {
        as_serialized(property);
        if is_nullable(property) {
            nullable.push(name.clone());
        }
    }
    let required = obj.entry("required").or_insert_with(|| json!([]));
    if let Some(required) = required.as_array_mut() {
        for name in nullable {
            if !required.iter().any(|r| r == name.as_str()) {
                required.push(json!(name));
            }
        }
    }
    obj.insert("additionalProperties".into(), json!(false));
}

/// A struct flattened into another is an `allOf` part, often a `$ref`: that component admits
/// the other parts' fields, and the whole is closed with `unevaluatedProperties` instead (which
/// sees the fields of every part).
fn flattened_stay_open(schemas: &mut BTreeMap<String, Value>) {
    let mut open = Vec::new();
    for schema in schemas.values_mut() {
        let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
            continue;
        };
        for part in parts {
            if let Some(name) = part["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                open.push(name.to_owned());
            }
        }
        schema["unevaluatedProperties"] = json!(false);
    }
    for name in open {
        if let Some(obj) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            obj.remove("additionalProperties");
        }
    }
}

fn is_nullable(schema: &Value) -> bool {
    let null_type =
        |t: &Value| t == "null" || t.as_array().is_some_and(|a| a.iter().any(|t| t == "null"));
    if schema.get("type").is_some_and(null_type) {
        return true;
    }
    ["oneOf", "anyOf"].iter().any(|k| {
        schema[*k]
            .as_array()
            .is_some_and(|parts| parts.iter().any(|p| p.get("type").is_some_and(null_type)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nullable_property_is_required_and_the_object_closed() {
        let mut s = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": { "type": "integer" },
                "note": { "type": ["string", "null"] },
                "owner": { "oneOf": [{ "type": "null" }, { "$ref": "#/components/schemas/O" }] },
                "tags": { "type": "array", "items": { "type": "string" } },
            },
        });
        as_serialized(&mut s);
        assert_eq!(s["required"], json!(["id", "note", "owner"]));
        assert_eq!(s["additionalProperties"], json!(false));
    }

    #[test]
    fn parts_of_a_flattened_struct_stay_open() {
        let mut s = json!({
            "allOf": [
                { "type": "object", "properties": { "a": { "type": "integer" } } },
                { "type": "object", "properties": { "b": { "type": "integer" } } },
            ],
        });
        as_serialized(&mut s);
        assert!(s["allOf"][0].get("additionalProperties").is_none(), "{s}");
        assert!(s.get("additionalProperties").is_none(), "{s}");
    }

    #[test]
    fn a_flattened_component_is_opened_and_the_whole_closed() {
        let mut found = BTreeMap::new();
        found.insert(
            "Inner".to_owned(),
            json!({ "type": "object", "properties": {}, "additionalProperties": false }),
        );
        found.insert(
            "Outer".to_owned(),
            json!({ "allOf": [{ "$ref": "#/components/schemas/Inner" }, { "type": "object" }] }),
        );
        flattened_stay_open(&mut found);
        assert!(found["Inner"].get("additionalProperties").is_none());
        assert_eq!(found["Outer"]["unevaluatedProperties"], json!(false));
    }
}
