//! Password hashing (argon2id) and random secrets (tokens, reset codes).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// At most one argon2 computation per core at a time; the rest wait their turn here, before a
/// thread or the hash's memory (19 MiB each at the default cost) is taken. More at once would
/// not finish sooner, only hold more memory: 32 concurrent logins held over 1 GiB (issue 17).
static HASHING_SLOTS: std::sync::LazyLock<Arc<Semaphore>> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    Arc::new(Semaphore::new(cores))
});

/// Runs one argon2 computation on a blocking thread (argon2 is deliberately slow and must not
/// stall the runtime), once a hashing slot is free. The slot goes with the computation, so a
/// request given up while it runs does not free the slot early.
async fn on_hashing_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let slot = Arc::clone(&HASHING_SLOTS)
        .acquire_owned()
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| Error::Internal(e.into()))
}

/// Hashes `password` with argon2id at the crate's default cost.
pub async fn hash(password: &str) -> Result<String> {
    let pw = password.to_owned();
    on_hashing_slot(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(anyhow::anyhow!("hashing password: {e}")))
    })
    .await?
}

/// Verifies `password` against a stored PHC string. A malformed stored hash verifies false.
pub async fn verify(password: &str, stored: &str) -> Result<bool> {
    let pw = password.to_owned();
    let stored = stored.to_owned();
    on_hashing_slot(move || match PasswordHash::new(&stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
}

/// Burns the same time as a real verification, so an unknown login name is not faster
/// to answer than a wrong password.
pub async fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = match DUMMY.get() {
        Some(s) => s.clone(),
        None => match hash("dummy-password-for-timing").await {
            Ok(h) => DUMMY.get_or_init(|| h).clone(),
            Err(_) => return,
        },
    };
    let _ = verify(password, &stored).await;
}

/// A fresh random secret: 32 bytes, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a secret is stored: its SHA-256, hex. Lookups by this hash leak nothing useful
/// about the secret, so a plain indexed equality is safe.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("password123").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("password123", &h).await.unwrap());
        assert!(!verify("password124", &h).await.unwrap());
        assert!(!verify("password123", "not-a-hash").await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
