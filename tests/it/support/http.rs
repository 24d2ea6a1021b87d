//! A thin request/response wrapper so tests read as the exchange they check.

use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

pub struct Call {
    rb: RequestBuilder,
}

impl Call {
    pub fn new(rb: RequestBuilder) -> Self {
        Self { rb }
    }

    pub fn json(self, body: &Value) -> Self {
        Self {
            rb: self.rb.json(body),
        }
    }

    /// A raw body with a content type of the caller's choosing.
    pub fn body(self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        Self {
            rb: self.rb.header("content-type", content_type).body(body),
        }
    }

    pub fn bearer(self, token: &str) -> Self {
        Self {
            rb: self.rb.bearer_auth(token),
        }
    }

    pub fn header(self, name: &str, value: &str) -> Self {
        Self {
            rb: self.rb.header(name, value),
        }
    }

    pub fn query(self, pairs: &[(&str, &str)]) -> Self {
        Self {
            rb: self.rb.query(pairs),
        }
    }

    pub fn multipart(self, form: reqwest::multipart::Form) -> Self {
        Self {
            rb: self.rb.multipart(form),
        }
    }

    pub async fn send(self) -> Resp {
        let r = self.rb.send().await.expect("request sent");
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.expect("body read").to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            bytes,
            json,
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub json: Value,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts the HTTP status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }

    /// `ops_v1`: asserts status and the string `code` of the envelope; answers `data`.
    #[track_caller]
    pub fn ops(&self, status: u16, code: &str) -> &Value {
        self.assert_status(status);
        assert_eq!(
            self.json["code"],
            Value::String(code.into()),
            "unexpected code; body: {}",
            self.text()
        );
        assert!(
            self.json["message"].is_string(),
            "envelope has a message: {}",
            self.text()
        );
        assert!(
            self.json.get("data").is_some(),
            "envelope has data: {}",
            self.text()
        );
        &self.json["data"]
    }
}
