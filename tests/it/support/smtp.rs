//! A real SMTP server for tests: Python's `aiosmtpd`, installed on first use, printing each
//! message it receives to its standard output, which we collect.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    out: Arc<Mutex<String>>,
}

fn ensure_aiosmtpd() {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let status = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "aiosmtpd"])
            .status()
            .expect("python3 is needed for the SMTP tests");
        assert!(status.success(), "pip install aiosmtpd failed");
    }
}

impl SmtpSink {
    pub fn start() -> Self {
        ensure_aiosmtpd();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Debugging",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let out = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("stdout");
        let sink = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = sink.lock().expect("lock");
                s.push_str(&line);
                s.push('\n');
            }
        });
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { port, child, out }
    }

    /// Waits for the `n`th message (1-based) and answers its raw text.
    pub async fn message(&self, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            {
                let all = self.out.lock().expect("lock").clone();
                let msgs: Vec<&str> = all
                    .split("---------- MESSAGE FOLLOWS ----------")
                    .skip(1)
                    .collect();
                if msgs.len() >= n && msgs[n - 1].contains("END MESSAGE") {
                    return msgs[n - 1].to_owned();
                }
            }
            assert!(Instant::now() < deadline, "no mail #{n} arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn count(&self) -> usize {
        self.out
            .lock()
            .expect("lock")
            .matches("---------- MESSAGE FOLLOWS ----------")
            .count()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes a base64 body of a raw message and answers the `token=` value of its link.
pub fn reset_token(raw: &str) -> String {
    use base64::Engine;
    let body = raw.split("\n\n").skip(1).collect::<Vec<_>>().join("\n");
    let b64: String = body
        .lines()
        .take_while(|l| !l.contains("END MESSAGE"))
        .map(str::trim)
        .collect();
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
