//! Outgoing mail through `smtp.*`; without an SMTP host, messages are written to the log.

use lettre::message::Body;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, SmtpTls};

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

/// `reset_url` above is `security.password_reset_url` with `{public_url}` filled in; the
/// `{token}` placeholder is filled per mail.
fn reset_template(config: &Config) -> String {
    config.password_reset_link("{token}")
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp { .. } => f.write_str("Mailer::Smtp"),
            Mailer::Log { .. } => f.write_str("Mailer::Log"),
        }
    }
}

/// A mail's subject and plain-text body.
pub struct MailText {
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let cfg = &config.smtp;
        if cfg.host.is_empty() {
            return Ok(Mailer::Log {
                reset_url: reset_template(config),
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
            reset_url: reset_template(config),
        })
    }

    fn link(reset_url: &str, token: &str) -> String {
        reset_url.replace("{token}", token)
    }

    /// Sends the password-reset link, in the words `text` makes of it (the dialect that
    /// offers the reset writes them). Delivery failures are logged, not returned: the
    /// client's answer must not depend on whether the address exists or mail works.
    pub async fn send_password_reset(
        &self,
        to: &str,
        token: &str,
        text: impl FnOnce(&str) -> MailText,
    ) {
        match self {
            Mailer::Log { reset_url } => {
                tracing::warn!(to, link = %Self::link(reset_url, token), "SMTP not configured; password reset link");
            }
            Mailer::Smtp {
                transport,
                from,
                reset_url,
            } => {
                let text = text(&Self::link(reset_url, token));
                let message = (|| {
                    Message::builder()
                        .from(from.parse()?)
                        .to(to.parse()?)
                        .subject(text.subject)
                        .header(ContentType::TEXT_PLAIN)
                        .body(
                            // Base64 keeps the link intact (quoted-printable would turn `=` into `=3D`).
                            Body::new_with_encoding(text.body, ContentTransferEncoding::Base64)
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
    fn link_is_built_from_public_url_and_the_configured_path() {
        let mut cfg = Config::defaults().expect("template");
        cfg.server.public_url = "https://ops.example.com/".into();
        let Mailer::Log { reset_url } = Mailer::from_config(&cfg).expect("mailer") else {
            panic!("no SMTP host: the link is logged")
        };
        assert_eq!(
            Mailer::link(&reset_url, "abc"),
            "https://ops.example.com/reset-password?token=abc"
        );
        cfg.server.public_url = String::new();
        cfg.server.port = 9090;
        cfg.security.password_reset_url = "{public_url}/#/reset/{token}".into();
        let Mailer::Log { reset_url } = Mailer::from_config(&cfg).expect("mailer") else {
            panic!("no SMTP host")
        };
        assert_eq!(
            Mailer::link(&reset_url, "t1"),
            "http://localhost:9090/#/reset/t1"
        );
    }
}
