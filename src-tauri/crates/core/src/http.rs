//! The one HTTP client every gateway uses: rustls, a timeout on every request,
//! redirects only within the same host, a cap on reply size, and a record of
//! every exchange (secrets masked) in the call's journal.

use crate::gateway::{Call, Exchange, GatewayError};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

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
        call: &Call<'_>,
        path: &str,
        body: String,
        headers: &[(&str, String)],
    ) -> Result<RawReply, GatewayError> {
        let url = join_url(&call.config.base_url, path);
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
        call: &Call<'_>,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<RawReply, GatewayError> {
        let url = join_url(&call.config.base_url, path);
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
        call: &Call<'_>,
        path_and_query: &str,
    ) -> Result<RawReply, GatewayError> {
        let url = join_url(&call.config.base_url, path_and_query);
        let rb = self.client.get(&url);
        self.send(call, "GET", url.clone(), rb, String::new()).await
    }

    async fn send(
        &self,
        call: &Call<'_>,
        method: &str,
        url: String,
        rb: reqwest::RequestBuilder,
        shown_request: String,
    ) -> Result<RawReply, GatewayError> {
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
            Err(e) => ex.error = Some(call.mask(&e.to_string())),
        }
        tracing::debug!(method, url = %ex.url, status = ?ex.http_status, elapsed_ms = ex.elapsed_ms, "gateway exchange");
        call.journal.push(ex);
        let reply = result?;
        if !(200..300).contains(&reply.status) {
            return Err(GatewayError::HttpStatus {
                status: reply.status,
                body: excerpt(&call.mask(&reply.body)),
            });
        }
        Ok(reply)
    }

    async fn send_inner(&self, rb: reqwest::RequestBuilder) -> Result<RawReply, GatewayError> {
        let resp = rb.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        if let Some(len) = resp.content_length() {
            if len as usize > MAX_REPLY_BYTES {
                return Err(GatewayError::TooLarge);
            }
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(classify)?;
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(GatewayError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let body =
            String::from_utf8(body).map_err(|_| GatewayError::malformed("reply is not UTF-8"))?;
        Ok(RawReply { status, body })
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new(HttpOptions::default())
    }
}

/// A connect error means nothing was sent; anything later may have arrived.
fn classify(e: reqwest::Error) -> GatewayError {
    if e.is_connect() {
        GatewayError::NotSent(short_error(&e))
    } else if e.is_timeout() {
        GatewayError::Timeout
    } else if e.is_builder() {
        GatewayError::NotSent(short_error(&e))
    } else {
        GatewayError::Transport(short_error(&e))
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
