//! An SMTP sink for tests, in process: a listener on `127.0.0.1:0` that speaks just enough
//! SMTP (RFC 5321 without extensions) for the server's mailer to deliver, and keeps every
//! message it receives. It needs no network, no Python and no installed program.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One message as delivered: envelope recipients and the raw DATA text (headers, blank
/// line, body), with CRLF folded to LF and dot-stuffing undone.
#[derive(Debug, Clone)]
struct Delivered {
    recipients: Vec<String>,
    data: String,
}

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Delivered>>>,
}

impl SmtpSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        // The accept loop lives as long as the test process; a test's sink is simply never
        // connected to again once the test ends.
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let store = store.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &store);
                });
            }
        });
        Self { port, messages }
    }

    /// Waits for the `n`th message (1-based) and answers its recipients and raw text.
    pub async fn message(&self, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(m) = self.messages.lock().expect("lock").get(n - 1) {
                return format!("X-Envelope-To: {}\n{}", m.recipients.join(", "), m.data);
            }
            assert!(Instant::now() < deadline, "no mail #{n} arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn count(&self) -> usize {
        self.messages.lock().expect("lock").len()
    }
}

/// One SMTP conversation: greeting, then commands until QUIT or the peer hangs up.
fn serve(stream: TcpStream, store: &Mutex<Vec<Delivered>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    let mut reply = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    reply("220 sink ESMTP test sink")?;
    let mut recipients = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let verb = command.split_whitespace().next().unwrap_or("");
        match verb {
            "EHLO" | "HELO" => reply("250 sink")?,
            "MAIL" => {
                recipients.clear();
                reply("250 OK")?;
            }
            "RCPT" => {
                let to = line.trim_end()[line.find(':').map_or(0, |i| i + 1)..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned();
                recipients.push(to);
                reply("250 OK")?;
            }
            "DATA" => {
                reply("354 end with <CRLF>.<CRLF>")?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    let text = line.trim_end_matches(['\r', '\n']);
                    if text == "." {
                        break;
                    }
                    data.push_str(text.strip_prefix('.').unwrap_or(text));
                    data.push('\n');
                }
                store.lock().expect("lock").push(Delivered {
                    recipients: std::mem::take(&mut recipients),
                    data,
                });
                reply("250 OK queued")?;
            }
            "RSET" => {
                recipients.clear();
                reply("250 OK")?;
            }
            "NOOP" => reply("250 OK")?,
            "QUIT" => {
                reply("221 bye")?;
                return Ok(());
            }
            _ => reply("502 command not implemented")?,
        }
    }
}

/// Decodes the base64 body of a raw message and answers the `token=` value of its link.
pub fn reset_token(raw: &str) -> String {
    use base64::Engine;
    let (_, body) = raw.split_once("\n\n").expect("headers and body");
    let b64: String = body.lines().map(str::trim).collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .expect("base64 body");
    let text = String::from_utf8(decoded).expect("utf-8 body");
    let start = text.find("token=").expect("token in mail") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
