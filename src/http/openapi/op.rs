//! One documented operation: what a dialect writes next to a route, and how it renders.

use serde_json::{Map, Value, json};

use super::{Dialect, placeholders};

/// A request body.
pub enum Body {
    /// A JSON body; `required: false` when an empty body is accepted.
    Json {
        schema: Value,
        example: Option<Value>,
        required: bool,
    },
    /// A `multipart/form-data` body.
    Multipart(Value),
}

/// One documented answer (a success; errors come from the dialect's table).
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub schema: Value,
    pub example: Option<Value>,
    pub description: &'static str,
}

pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: Option<&'static str>,
    pub query: Vec<(&'static str, Value, bool)>,
    pub headers: Vec<(&'static str, Value)>,
    pub body: Option<Body>,
    pub answers: Vec<Answer>,
    pub errors: Vec<u16>,
}

/// An operation with no parameters, no body and no answers yet.
pub fn op(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> Op {
    Op {
        method,
        path,
        tag,
        summary,
        description: None,
        query: Vec::new(),
        headers: Vec::new(),
        body: None,
        answers: Vec::new(),
        errors: Vec::new(),
    }
}

impl Op {
    pub fn describe(mut self, text: &'static str) -> Self {
        self.description = Some(text);
        self
    }

    /// An optional query parameter.
    pub fn query(mut self, name: &'static str, schema: Value) -> Self {
        self.query.push((name, schema, false));
        self
    }

    /// A required query parameter.
    pub fn query_required(mut self, name: &'static str, schema: Value) -> Self {
        self.query.push((name, schema, true));
        self
    }

    /// An optional request header.
    pub fn header(mut self, name: &'static str, schema: Value) -> Self {
        self.headers.push((name, schema));
        self
    }

    pub fn json(mut self, schema: Value, example: Option<Value>) -> Self {
        self.body = Some(Body::Json {
            schema,
            example,
            required: true,
        });
        self
    }

    /// A JSON body that may also be empty.
    pub fn json_optional(mut self, schema: Value) -> Self {
        self.body = Some(Body::Json {
            schema,
            example: None,
            required: false,
        });
        self
    }

    pub fn multipart(mut self, schema: Value) -> Self {
        self.body = Some(Body::Multipart(schema));
        self
    }

    /// A JSON success answer; `schema` is the whole body.
    pub fn answer(mut self, status: u16, schema: Value, example: Option<Value>) -> Self {
        self.answers.push(Answer {
            status,
            content_type: "application/json",
            schema,
            example,
            description: "success",
        });
        self
    }

    /// A success answer that is not JSON (file contents, an image, an event stream).
    pub fn raw(
        mut self,
        status: u16,
        content_type: &'static str,
        description: &'static str,
    ) -> Self {
        self.answers.push(Answer {
            status,
            content_type,
            schema: json!({ "type": "string", "format": "binary" }),
            example: None,
            description,
        });
        self
    }

    /// A streamed success answer whose items (events) follow `schema`.
    pub fn stream(mut self, status: u16, content_type: &'static str, schema: Value) -> Self {
        self.answers.push(Answer {
            status,
            content_type,
            schema,
            example: None,
            description: "a stream",
        });
        self
    }

    /// A success answer without a body (304, 416).
    pub fn empty(mut self, status: u16, description: &'static str) -> Self {
        self.answers.push(Answer {
            status,
            content_type: "",
            schema: Value::Null,
            example: None,
            description,
        });
        self
    }

    /// The error statuses this operation answers with the dialect's error envelope.
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        for s in statuses {
            if !self.errors.contains(s) {
                self.errors.push(*s);
            }
        }
        self
    }

    /// The OpenAPI Operation Object.
    pub(super) fn render(&self, dialect: &Dialect, needs_caller: bool) -> Value {
        let mut out = Map::new();
        out.insert("tags".into(), json!([self.tag]));
        out.insert("summary".into(), json!(self.summary));
        if let Some(d) = self.description {
            out.insert("description".into(), json!(d));
        }
        out.insert(
            "operationId".into(),
            json!(operation_id(self.method, self.path)),
        );
        let mut params: Vec<Value> = placeholders(self.path)
            .into_iter()
            .map(|name| {
                json!({
                    "name": name, "in": "path", "required": true,
                    "schema": (dialect.path_param)(name),
                })
            })
            .collect();
        params.extend(self.query.iter().map(|(name, schema, required)| {
            json!({ "name": name, "in": "query", "required": required, "schema": schema })
        }));
        params.extend(self.headers.iter().map(|(name, schema)| {
            json!({ "name": name, "in": "header", "required": false, "schema": schema })
        }));
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        match &self.body {
            Some(Body::Json {
                schema,
                example,
                required,
            }) => {
                let mut media = json!({ "schema": schema });
                if let Some(e) = example {
                    media["example"] = e.clone();
                }
                out.insert(
                    "requestBody".into(),
                    json!({ "required": required, "content": { "application/json": media } }),
                );
            }
            Some(Body::Multipart(schema)) => {
                out.insert(
                    "requestBody".into(),
                    json!({ "required": true, "content": { "multipart/form-data": { "schema": schema } } }),
                );
            }
            None => {}
        }
        let mut responses = Map::new();
        for a in &self.answers {
            if a.content_type.is_empty() {
                responses.insert(
                    a.status.to_string(),
                    json!({ "description": a.description }),
                );
                continue;
            }
            let mut media = json!({ "schema": a.schema });
            if let Some(e) = &a.example {
                media["example"] = e.clone();
            }
            let key = a.status.to_string();
            // Two answers with one status (e.g. JSON or a file) share the response object.
            let entry = responses
                .entry(key)
                .or_insert_with(|| json!({ "description": a.description, "content": {} }));
            match entry["content"].get_mut(a.content_type) {
                // One content type, several shapes (with or without `data`): either.
                Some(prev) => {
                    let first = prev["schema"].take();
                    prev["schema"] = json!({ "anyOf": [first, a.schema] });
                }
                None => entry["content"][a.content_type] = media,
            }
        }
        for status in &self.errors {
            let key = status.to_string();
            let (schema, example) = (dialect.error)(*status);
            if let Some(existing) = responses.get_mut(&key) {
                // A status that is also a success (hanzi answers errors at 200): either shape.
                let ok = existing["content"]["application/json"]["schema"].take();
                existing["content"]["application/json"]["schema"] =
                    json!({ "anyOf": [ok, schema] });
                continue;
            }
            responses.insert(
                key,
                json!({
                    "description": "error",
                    "content": { "application/json": { "schema": schema, "example": example } },
                }),
            );
        }
        out.insert("responses".into(), Value::Object(responses));
        if needs_caller {
            let alternatives: Vec<Value> = dialect
                .security
                .iter()
                .map(|name| json!({ *name: [] }))
                .collect();
            out.insert("security".into(), Value::Array(alternatives));
        }
        Value::Object(out)
    }
}

/// `post_users_id_reset_password` for `POST /users/{id}/reset-password`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        id.push('_');
        id.extend(
            part.chars()
                .filter(|c| !matches!(c, '{' | '}'))
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
    }
    if path == "/" {
        id.push_str("_root");
    }
    id
}

#[cfg(test)]
mod tests {
    use super::operation_id;

    #[test]
    fn operation_ids_are_words() {
        assert_eq!(
            operation_id("POST", "/users/{id}/reset-password"),
            "post_users_id_reset_password"
        );
    }
}
