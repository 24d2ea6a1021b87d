//! Login captchas: single-use keys that expire after five minutes. The database keeps only
//! hashes of the key and of the (case-insensitive) answer, so every node can check them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::password::{random_token, token_hash};
use crate::db::{self, Db};
use crate::error::{Error, Result};

/// How long a captcha may be answered.
pub const TTL_MICROS: i64 = 5 * 60 * 1_000_000;

/// A captcha to show: its key and a PNG image as a `data:` URL.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub key: String,
    pub image: String,
}

fn answer_hash(answer: &str) -> String {
    token_hash(&answer.trim().to_lowercase())
}

/// Stores a challenge whose answer is `answer`; answers its key.
pub async fn store(db: &Db, answer: &str) -> Result<String> {
    let key = random_token();
    let now = db::now();
    // Expired captchas are only clutter; sweep them as new ones come.
    sqlx::query("DELETE FROM captchas WHERE expires_at < $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO captchas (key_hash, answer_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&key))
    .bind(answer_hash(answer))
    .bind(now)
    .bind(now + TTL_MICROS)
    .execute(db.pool())
    .await?;
    Ok(key)
}

/// Draws a new captcha (4 characters) and stores it.
pub async fn create(db: &Db) -> Result<Challenge> {
    let (text, png) = tokio::task::spawn_blocking(|| {
        let mut c = captcha::Captcha::new();
        c.add_chars(4)
            .apply_filter(captcha::filters::Noise::new(0.2))
            .view(160, 60);
        (c.chars_as_string(), c.as_png())
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("drawing captcha: {e}")))?;
    let png = png.ok_or_else(|| Error::Internal(anyhow::anyhow!("encoding captcha PNG")))?;
    let key = store(db, &text).await?;
    Ok(Challenge {
        key,
        image: format!("data:image/png;base64,{}", STANDARD.encode(png)),
    })
}

/// Checks an answer. The key is spent whatever the outcome (no second guess); an unknown,
/// spent or expired key is a wrong answer.
pub async fn verify(db: &Db, key: &str, answer: &str) -> Result<bool> {
    if key.is_empty() || key.len() > 512 {
        return Ok(false);
    }
    let now = db::now();
    let stored: Option<String> = sqlx::query_scalar(
        "UPDATE captchas SET used_at = $1 WHERE key_hash = $2 AND used_at IS NULL \
         AND expires_at > $1 RETURNING answer_hash",
    )
    .bind(now)
    .bind(token_hash(key))
    .fetch_optional(db.pool())
    .await?;
    Ok(stored.is_some_and(|h| h == answer_hash(answer)))
}
