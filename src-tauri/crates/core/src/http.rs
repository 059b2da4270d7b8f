//! The one HTTP client every gateway uses: rustls, a timeout on every request,
//! redirects only within the same host, a cap on reply size, and a record of
//! every exchange (secrets masked) in the call's journal. It knows nothing of
//! gateways: a caller says where to send and how to record (`Recorder`), and
//! gets an `HttpError` that the gateway layer turns into what it means.

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// One request and its reply as exchanged on the wire, secrets masked.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub request: String,
    pub http_status: Option<u16>,
    pub response: Option<String>,
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

/// Where a request goes and where its exchange is recorded.
pub trait Recorder: Sync {
    /// The base URL the path is joined to.
    fn base_url(&self) -> &str;
    /// Masks secrets in a text about to be kept.
    fn mask(&self, text: &str) -> String;
    /// Keeps one exchange.
    fn record(&self, exchange: Exchange);
    /// How a failed exchange is described in the record (in the caller's words).
    fn describe(&self, error: &HttpError) -> String {
        error.to_string()
    }
}

/// What went wrong on the wire. The gateway layer says what each means for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// A connect (or request-building) error: nothing was sent.
    NotSent(String),
    Timeout,
    /// The connection broke after the request may have left.
    Transport(String),
    /// A non-2xx answer; the body excerpt is masked.
    Status {
        status: u16,
        body: String,
    },
    TooLarge,
    NotUtf8,
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::NotSent(e) | HttpError::Transport(e) => f.write_str(e),
            HttpError::Timeout => f.write_str("timed out"),
            HttpError::Status { status, .. } => write!(f, "HTTP {status}"),
            HttpError::TooLarge => f.write_str("reply too large"),
            HttpError::NotUtf8 => f.write_str("reply is not UTF-8"),
        }
    }
}

/// Replies larger than this are refused: no gateway reply here is anywhere near it.
pub const MAX_REPLY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
}

#[derive(Debug, Clone, Copy)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A reply as received: HTTP status and the body text.
#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: u16,
    pub body: String,
}

impl HttpClient {
    pub fn new(opts: HttpOptions) -> Self {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            // Follow a redirect only to the same host (and at most 3 times):
            // a signed request must not be handed to someone else.
            let same_host = attempt
                .previous()
                .first()
                .map(|first| {
                    first.host_str() == attempt.url().host_str()
                        && first.port_or_known_default() == attempt.url().port_or_known_default()
                })
                .unwrap_or(false);
            // `previous()` includes the first URL, so `<= 3` allows three
            // redirects (it was `< 3`: only two were followed).
            if same_host && attempt.previous().len() <= 3 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(false)
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(policy)
            .user_agent(concat!("PayDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client builds with static settings");
        HttpClient { client }
    }

    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// POST a JSON body given as exact text (gateways sign number text such as
    /// `100.50`, so the body is built by the gateway module, not re-serialised).
    pub async fn post_json(
        &self,
        call: &dyn Recorder,
        path: &str,
        body: String,
        headers: &[(&str, String)],
    ) -> Result<RawReply, HttpError> {
        let url = join_url(call.base_url(), path);
        let mut rb = self.client.post(&url).header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        );
        for (k, v) in headers {
            rb = rb.header(*k, v);
        }
        let shown = match headers.is_empty() {
            true => body.clone(),
            false => {
                let hs: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{}\n\n{}", hs.join("\n"), body)
            }
        };
        self.send(call, "POST", url, rb.body(body), shown).await
    }

    /// POST `application/x-www-form-urlencoded` pairs.
    pub async fn post_form(
        &self,
        call: &dyn Recorder,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<RawReply, HttpError> {
        let url = join_url(call.base_url(), path);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter())
            .finish();
        let shown = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let rb = self
            .client
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body);
        self.send(call, "POST", url, rb, shown).await
    }

    /// GET `path_and_query` (already encoded by the gateway module).
    pub async fn get(
        &self,
        call: &dyn Recorder,
        path_and_query: &str,
    ) -> Result<RawReply, HttpError> {
        let url = join_url(call.base_url(), path_and_query);
        let rb = self.client.get(&url);
        self.send(call, "GET", url.clone(), rb, String::new()).await
    }

    async fn send(
        &self,
        call: &dyn Recorder,
        method: &str,
        url: String,
        rb: reqwest::RequestBuilder,
        shown_request: String,
    ) -> Result<RawReply, HttpError> {
        let started = Instant::now();
        let mut ex = Exchange {
            method: method.to_string(),
            url: call.mask(&url),
            request: call.mask(&shown_request),
            ..Default::default()
        };
        let result = self.send_inner(rb).await;
        ex.elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(r) => {
                ex.http_status = Some(r.status);
                ex.response = Some(call.mask(&r.body));
            }
            Err(e) => ex.error = Some(call.mask(&call.describe(e))),
        }
        tracing::debug!(method, url = %ex.url, status = ?ex.http_status, elapsed_ms = ex.elapsed_ms, "gateway exchange");
        call.record(ex);
        let reply = result?;
        if !(200..300).contains(&reply.status) {
            return Err(HttpError::Status {
                status: reply.status,
                body: excerpt(&call.mask(&reply.body)),
            });
        }
        Ok(reply)
    }

    async fn send_inner(&self, rb: reqwest::RequestBuilder) -> Result<RawReply, HttpError> {
        let resp = rb.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        if let Some(len) = resp.content_length() {
            if len as usize > MAX_REPLY_BYTES {
                return Err(HttpError::TooLarge);
            }
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(classify)?;
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(HttpError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body).map_err(|_| HttpError::NotUtf8)?;
        Ok(RawReply { status, body })
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new(HttpOptions::default())
    }
}

/// A connect error means nothing was sent; anything later may have arrived.
fn classify(e: reqwest::Error) -> HttpError {
    if e.is_connect() || e.is_builder() {
        HttpError::NotSent(short_error(&e))
    } else if e.is_timeout() {
        HttpError::Timeout
    } else {
        HttpError::Transport(short_error(&e))
    }
}

fn short_error(e: &reqwest::Error) -> String {
    // The URL is dropped: it may carry a signed query string.
    let mut msg = e.without_url_ref().to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut s = self.to_string();
        if let Some(u) = self.url() {
            s = s.replace(u.as_str(), "<gateway>");
        }
        s
    }
}

fn excerpt(body: &str) -> String {
    body.chars().take(500).collect()
}

/// The base URL text and a path joined with exactly one `/`, keeping any path
/// the base URL has (not resolved as a relative reference, which would drop it).
pub fn join_url(base: &str, path: &str) -> String {
    let b = base.trim().trim_end_matches('/');
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        b.to_string()
    } else {
        format!("{b}/{p}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_keeping_base_path() {
        assert_eq!(
            join_url("http://gw.example/pay/", "/api/Pay/Create"),
            "http://gw.example/pay/api/Pay/Create"
        );
        assert_eq!(
            join_url("http://gw.example", "api/x"),
            "http://gw.example/api/x"
        );
        assert_eq!(
            join_url("https://gw.example/a/b", "/pay?x=1"),
            "https://gw.example/a/b/pay?x=1"
        );
    }
}
