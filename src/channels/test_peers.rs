//! Local stand-ins for providers, for tests and benchmarks: a minimal SMTP server and a minimal
//! HTTP/1.1 server, both on `127.0.0.1` port 0, recording what they receive.
//!
//! They run on the caller's tokio runtime and stop when dropped. Waiting is condition-based:
//! [`SmtpPeer::wait_for`] and [`HttpPeer::wait_for`] return as soon as enough has arrived.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Longest line either peer accepts; protects the peer from a runaway client.
const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} {what} within {timeout:?}, got {got}")]
pub struct WaitTimeout {
    pub what: &'static str,
    pub expected: usize,
    pub got: usize,
    pub timeout: Duration,
}

async fn wait_for_len<T: Clone>(
    rx: &watch::Receiver<Vec<T>>,
    n: usize,
    timeout: Duration,
    what: &'static str,
) -> Result<Vec<T>, WaitTimeout> {
    let mut rx = rx.clone();
    let waited = tokio::time::timeout(timeout, async {
        // The sender lives as long as the peer's task; if it is gone nothing more can arrive.
        rx.wait_for(|items| items.len() >= n)
            .await
            .map(|items| items.clone())
            .ok()
    })
    .await;
    match waited {
        Ok(Some(items)) => Ok(items),
        _ => Err(WaitTimeout {
            what,
            expected: n,
            got: rx.borrow().len(),
            timeout,
        }),
    }
}

/// Aborts the accept loop, and with it every connection task, when the peer is dropped.
struct Server(JoinHandle<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn spawn_server<F, Fut>(listener: TcpListener, serve: F) -> Server
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    Server(tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        connections.spawn(serve(stream));
                    }
                    // Out of file descriptors and the like: let connections finish first.
                    Err(_) => {
                        connections.join_next().await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }))
}

/// Reads one line ending in `\n` (returned without the line ending); `None` at end of stream.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = (&mut *reader)
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut buf)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "line too long or cut off",
        ));
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

// ---------------------------------------------------------------------------------------------
// SMTP

/// How the SMTP peer answers one mail transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpReply {
    /// 250 to everything.
    Accept,
    /// This code (e.g. 451, 550) to `RCPT TO`; the message never gets sent.
    RejectRcpt(u16),
    /// This code (e.g. 451, 554) after the message data; the message is recorded as not
    /// accepted.
    RejectData(u16),
}

/// One message that reached the end of `DATA`.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// Headers and body as transmitted (CRLF line endings, dot-stuffing removed).
    pub data: String,
    /// Whether the peer answered 250 to the data.
    pub accepted: bool,
    pub received_at: DateTime<Utc>,
}

impl ReceivedMail {
    /// The first header called `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(value) = found.as_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((key, value)) = line.split_once(':') {
                if key.trim().eq_ignore_ascii_case(name) {
                    found = Some(value.trim().to_owned());
                }
            }
        }
        found
    }

    /// Everything after the header block.
    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or_default()
    }
}

/// A minimal SMTP server: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
pub struct SmtpPeer {
    pub addr: SocketAddr,
    /// `smtp://127.0.0.1:{port}`, plain text.
    pub url: String,
    messages: watch::Receiver<Vec<ReceivedMail>>,
    _server: Server,
}

struct SmtpState {
    replies: Vec<SmtpReply>,
    transactions: AtomicUsize,
    messages: watch::Sender<Vec<ReceivedMail>>,
}

impl SmtpState {
    /// The n-th transaction gets the n-th reply; the last one repeats.
    fn next_reply(&self) -> SmtpReply {
        let n = self.transactions.fetch_add(1, Ordering::SeqCst);
        self.replies
            .get(n.min(self.replies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(SmtpReply::Accept)
    }
}

impl SmtpPeer {
    pub async fn start(reply: SmtpReply) -> io::Result<SmtpPeer> {
        SmtpPeer::start_sequence(vec![reply]).await
    }

    /// One reply per mail transaction, in order; the last one repeats.
    pub async fn start_sequence(replies: Vec<SmtpReply>) -> io::Result<SmtpPeer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(Vec::new());
        let state = Arc::new(SmtpState {
            replies,
            transactions: AtomicUsize::new(0),
            messages: tx,
        });
        let server = spawn_server(listener, move |stream| {
            let state = state.clone();
            async move {
                // A client hanging up mid-session is not the peer's problem.
                let _ = smtp_session(stream, &state).await;
            }
        });
        Ok(SmtpPeer {
            addr,
            url: format!("smtp://{addr}"),
            messages: rx,
            _server: server,
        })
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.messages.borrow().clone()
    }

    /// Waits until at least `n` messages have arrived and returns all of them.
    pub async fn wait_for(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedMail>, WaitTimeout> {
        wait_for_len(&self.messages, n, timeout, "e-mails").await
    }
}

/// The address inside `MAIL FROM:<a@b> BODY=8BITMIME`.
fn smtp_path(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument[start..]
        .find('>')
        .map_or(argument.len(), |i| start + i);
    argument[start..end].trim().to_owned()
}

async fn smtp_session(stream: TcpStream, state: &SmtpState) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    writer.write_all(b"220 chime-test-peer ESMTP\r\n").await?;

    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut reply = SmtpReply::Accept;

    while let Some(line) = read_line(&mut reader).await? {
        let (verb, argument) = line.split_once([' ', ':']).unwrap_or((line.as_str(), ""));
        let answer: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => "250-chime-test-peer\r\n250-8BITMIME\r\n250 SMTPUTF8".into(),
            "HELO" | "NOOP" => "250 OK".into(),
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 OK".into()
            }
            "MAIL" => {
                reply = state.next_reply();
                mail_from = Some(smtp_path(argument));
                rcpt_to.clear();
                "250 OK".into()
            }
            "RCPT" => match reply {
                SmtpReply::RejectRcpt(code) => format!("{code} recipient refused by test peer"),
                _ if mail_from.is_none() => "503 need MAIL first".into(),
                _ => {
                    rcpt_to.push(smtp_path(argument));
                    "250 OK".into()
                }
            },
            "DATA" if mail_from.is_none() || rcpt_to.is_empty() => "503 need RCPT first".into(),
            "DATA" => {
                writer
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    let Some(line) = read_line(&mut reader).await? else {
                        return Ok(());
                    };
                    if line == "." {
                        break;
                    }
                    // Undo dot-stuffing (RFC 5321 §4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    data.push_str("\r\n");
                }
                let accepted = !matches!(reply, SmtpReply::RejectData(_));
                state.messages.send_modify(|messages| {
                    messages.push(ReceivedMail {
                        mail_from: mail_from.take().unwrap_or_default(),
                        rcpt_to: std::mem::take(&mut rcpt_to),
                        data,
                        accepted,
                        received_at: Utc::now(),
                    })
                });
                match reply {
                    SmtpReply::RejectData(code) => format!("{code} message refused by test peer"),
                    _ => "250 OK queued as test".into(),
                }
            }
            "QUIT" => {
                writer.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 command not implemented".into(),
        };
        writer.write_all(answer.as_bytes()).await?;
        writer.write_all(b"\r\n").await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// One scripted HTTP response.
#[derive(Debug, Clone)]
pub struct PeerResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (to provoke client timeouts).
    pub delay: Option<Duration>,
}

impl PeerResponse {
    pub fn new(status: u16) -> Self {
        PeerResponse {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

/// What the HTTP peer answers: the n-th request gets the n-th response, the last one repeats.
#[derive(Debug, Clone)]
pub struct Responder {
    script: Vec<PeerResponse>,
}

impl Responder {
    pub fn always(status: u16) -> Self {
        Responder::script(vec![PeerResponse::new(status)])
    }

    /// E.g. `[500, 500, 200]`: two failures, then success for every later request.
    pub fn sequence(statuses: impl IntoIterator<Item = u16>) -> Self {
        Responder::script(statuses.into_iter().map(PeerResponse::new).collect())
    }

    pub fn script(script: Vec<PeerResponse>) -> Self {
        Responder { script }
    }

    fn response(&self, n: usize) -> PeerResponse {
        self.script
            .get(n.min(self.script.len().saturating_sub(1)))
            .cloned()
            .unwrap_or_else(|| PeerResponse::new(200))
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub received_at: DateTime<Utc>,
}

impl RecordedRequest {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn body_json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
    }
}

/// A minimal HTTP/1.1 server with keep-alive that records every request.
pub struct HttpPeer {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:{port}`, without a trailing slash.
    pub url: String,
    requests: watch::Receiver<Vec<RecordedRequest>>,
    _server: Server,
}

struct HttpState {
    responder: Responder,
    count: AtomicUsize,
    requests: watch::Sender<Vec<RecordedRequest>>,
}

impl HttpPeer {
    pub async fn start(responder: Responder) -> io::Result<HttpPeer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(Vec::new());
        let state = Arc::new(HttpState {
            responder,
            count: AtomicUsize::new(0),
            requests: tx,
        });
        let server = spawn_server(listener, move |stream| {
            let state = state.clone();
            async move {
                let _ = http_connection(stream, &state).await;
            }
        });
        Ok(HttpPeer {
            addr,
            url: format!("http://{addr}"),
            requests: rx,
            _server: server,
        })
    }

    /// The peer's URL with `path` (which should start with `/`).
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.borrow().clone()
    }

    /// Waits until at least `n` requests have arrived and returns all of them.
    pub async fn wait_for(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, WaitTimeout> {
        wait_for_len(&self.requests, n, timeout, "requests").await
    }
}

fn bad_request(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

async fn read_chunked<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)
            .await?
            .ok_or_else(|| bad_request("eof in chunk size"))?;
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad_request("chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while let Some(line) = read_line(reader).await? {
                if line.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).await?;
        read_line(reader).await?; // the CRLF after the chunk
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

async fn http_connection(stream: TcpStream, state: &HttpState) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    loop {
        let Some(request_line) = read_line(&mut reader).await? else {
            return Ok(());
        };
        if request_line.is_empty() {
            continue;
        }
        let mut parts = request_line.split_whitespace();
        let (Some(method), Some(path), version) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad_request("request line"));
        };
        let (method, path) = (method.to_owned(), path.to_owned());
        let mut keep_alive = version != Some("HTTP/1.0");

        let mut headers = Vec::new();
        loop {
            let line = read_line(&mut reader)
                .await?
                .ok_or_else(|| bad_request("eof in headers"))?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').ok_or_else(|| bad_request("header"))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        if header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
            keep_alive = false;
        }
        let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            read_chunked(&mut reader).await?
        } else {
            let length: usize = header("content-length")
                .map(|v| v.parse().map_err(|_| bad_request("content-length")))
                .transpose()?
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).await?;
            body
        };

        let n = state.count.fetch_add(1, Ordering::SeqCst);
        let response = state.responder.response(n);
        state.requests.send_modify(|requests| {
            requests.push(RecordedRequest {
                method,
                path,
                headers,
                body,
                received_at: Utc::now(),
            })
        });

        if let Some(delay) = response.delay {
            tokio::time::sleep(delay).await;
        }
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-length: {}\r\n",
            response.status,
            reason_phrase(response.status),
            response.body.len()
        );
        for (name, value) in &response.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !keep_alive {
            head.push_str("connection: close\r\n");
        }
        head.push_str("\r\n");
        writer.write_all(head.as_bytes()).await?;
        writer.write_all(response.body.as_bytes()).await?;
        writer.flush().await?;
        if !keep_alive {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn http_peer_answers_in_sequence_and_records() {
        let peer = HttpPeer::start(Responder::sequence([500, 200]))
            .await
            .unwrap();
        let client = reqwest::Client::new();
        let mut statuses = Vec::new();
        for i in 0..3 {
            let response = client
                .post(peer.url_for("/x"))
                .body(format!("body {i}"))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [500, 200, 200]);
        let requests = peer.wait_for(3, Duration::from_secs(5)).await.unwrap();
        assert_eq!(requests[2].body_text(), "body 2");
        assert_eq!(requests[0].path, "/x");

        let err = peer
            .wait_for(4, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!((err.expected, err.got), (4, 3));
    }

    #[tokio::test]
    async fn http_peer_reads_chunked_bodies() {
        let peer = HttpPeer::start(Responder::always(204)).await.unwrap();
        let mut stream = TcpStream::connect(peer.addr).await.unwrap();
        stream
            .write_all(
                b"POST /c HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n\
                  5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
            )
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
        let requests = peer.wait_for(1, Duration::from_secs(5)).await.unwrap();
        assert_eq!(requests[0].body_text(), "hello world");
    }

    #[test]
    fn mail_headers_are_unfolded() {
        let mail = ReceivedMail {
            mail_from: String::new(),
            rcpt_to: Vec::new(),
            data: "Subject: a long\r\n subject\r\nTo: x@y\r\n\r\nbody\r\nSubject: no\r\n".into(),
            accepted: true,
            received_at: Utc::now(),
        };
        assert_eq!(mail.header("subject").as_deref(), Some("a long subject"));
        assert_eq!(mail.header("TO").as_deref(), Some("x@y"));
        assert_eq!(mail.header("cc"), None);
        assert_eq!(mail.body(), "body\r\nSubject: no\r\n");
    }
}
