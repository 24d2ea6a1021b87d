//! Signed JWTs (HS256) for the dialects that document them (`admin_v1`, `hanzi`).
//!
//! A JWT only carries the id of a server-side session; every request still resolves that
//! session (see [`super::session::authenticate_id`]), so logout, disabling a user and password
//! changes end JWTs at once, like opaque tokens.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    /// The server-side session id.
    pub sid: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// What the token is for (`access`), so a token of one purpose is not accepted for another.
    pub typ: String,
}

/// Signs a token for `session_id` valid `ttl_secs` from now.
pub fn issue(
    secret: &[u8],
    user_id: i64,
    session_id: i64,
    typ: &str,
    ttl_secs: i64,
) -> Result<String> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: user_id.to_string(),
        sid: session_id,
        iat: now,
        exp: now + ttl_secs,
        typ: typ.to_owned(),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|e| Error::Internal(anyhow::anyhow!("signing JWT: {e}")))
}

/// Checks signature, expiry and purpose. Any failure is [`Error::Unauthenticated`].
pub fn verify(secret: &[u8], token: &str, typ: &str) -> Result<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
        .map_err(|_| Error::Unauthenticated)?;
    if data.claims.typ != typ {
        return Err(Error::Unauthenticated);
    }
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_then_verify() {
        let t = issue(b"secret-secret-secret-secret-1234", 7, 42, "access", 60).unwrap();
        let c = verify(b"secret-secret-secret-secret-1234", &t, "access").unwrap();
        assert_eq!((c.sub.as_str(), c.sid), ("7", 42));
        assert!(verify(b"another-secret-another-secret-12", &t, "access").is_err());
        assert!(verify(b"secret-secret-secret-secret-1234", &t, "refresh").is_err());
        assert!(verify(b"secret-secret-secret-secret-1234", "not.a.jwt", "access").is_err());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let t = issue(b"k", 1, 1, "access", -10).unwrap();
        assert!(matches!(
            verify(b"k", &t, "access"),
            Err(Error::Unauthenticated)
        ));
    }
}
