//! Outgoing mail through `smtp.*`; without an SMTP host, messages are written to the log.

use lettre::message::Body;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpTls};

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: String,
        reset_url: String,
    },
    /// No SMTP configured: the reset link is logged at WARN so an operator can pass it on.
    Log { reset_url: String },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp { .. } => f.write_str("Mailer::Smtp"),
            Mailer::Log { .. } => f.write_str("Mailer::Log"),
        }
    }
}

impl Mailer {
    pub fn from_config(cfg: &SmtpConfig) -> anyhow::Result<Self> {
        if cfg.host.is_empty() {
            return Ok(Mailer::Log {
                reset_url: cfg.reset_url.clone(),
            });
        }
        let mut builder = match cfg.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)?,
        }
        .port(cfg.port);
        if !cfg.username.is_empty() {
            builder =
                builder.credentials(Credentials::new(cfg.username.clone(), cfg.password.clone()));
        }
        cfg.from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("smtp.from is not a mailbox: {e}"))?;
        Ok(Mailer::Smtp {
            transport: Box::new(builder.build()),
            from: cfg.from.clone(),
            reset_url: cfg.reset_url.clone(),
        })
    }

    fn link(reset_url: &str, token: &str) -> String {
        let sep = if reset_url.contains('?') { '&' } else { '?' };
        format!("{reset_url}{sep}token={token}")
    }

    /// Sends the password-reset link. Delivery failures are logged, not returned: the
    /// client's answer must not depend on whether the address exists or mail works.
    pub async fn send_password_reset(&self, to: &str, token: &str) {
        match self {
            Mailer::Log { reset_url } => {
                tracing::warn!(to, link = %Self::link(reset_url, token), "SMTP not configured; password reset link");
            }
            Mailer::Smtp {
                transport,
                from,
                reset_url,
            } => {
                let link = Self::link(reset_url, token);
                let message = (|| {
                    Message::builder()
                        .from(from.parse()?)
                        .to(to.parse()?)
                        .subject("密码重置 / Password reset")
                        .header(ContentType::TEXT_PLAIN)
                        .body(
                            // Base64 keeps the link intact (quoted-printable would turn `=` into `=3D`).
                            Body::new_with_encoding(
                                format!(
                                    "请在30分钟内打开以下链接重置密码:\n{link}\n\nOpen this link within 30 minutes to reset your password.\n"
                                ),
                                ContentTransferEncoding::Base64,
                            )
                            .map_err(|_| anyhow::anyhow!("mail body encoding"))?,
                        )
                        .map_err(anyhow::Error::from)
                })();
                match message {
                    Ok(m) => {
                        if let Err(e) = transport.send(m).await {
                            tracing::error!(error = %e, "sending password reset mail failed");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "building password reset mail failed"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_appends_token() {
        assert_eq!(
            Mailer::link("http://x/reset", "abc"),
            "http://x/reset?token=abc"
        );
        assert_eq!(
            Mailer::link("http://x/reset?a=1", "abc"),
            "http://x/reset?a=1&token=abc"
        );
    }
}
