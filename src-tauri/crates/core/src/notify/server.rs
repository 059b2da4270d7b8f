//! The callback listener: `/notify/<profile id>`, GET and POST only, bodies up
//! to 64 KB, slow senders cut off, a request rate per source, and answers
//! that never repeat what was sent.

use crate::domain::OrderStatus;
use crate::gateway::InboundNotify;
use crate::services::PayDesk;
use crate::sync::SyncEvent;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The largest callback body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// Told of every order a callback settled (the app alerts and refreshes).
pub type EventHook = Arc<dyn Fn(SyncEvent) + Send + Sync>;

#[derive(Clone)]
pub struct ListenOptions {
    /// 127.0.0.1 unless the user chose otherwise.
    pub bind: SocketAddr,
    /// Requests per second per source address (0: no limit).
    pub rate_per_sec: u32,
    /// Requests a source may send at once above the rate.
    pub burst: u32,
    /// The longest a sender may take over its request head, and over its body.
    pub read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Called after the answer is decided, for each callback that settled an order.
    pub on_event: Option<EventHook>,
}

impl std::fmt::Debug for ListenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenOptions")
            .field("bind", &self.bind)
            .field("rate_per_sec", &self.rate_per_sec)
            .field("burst", &self.burst)
            .field("read_timeout", &self.read_timeout)
            .field("max_connections", &self.max_connections)
            .field("on_event", &self.on_event.is_some())
            .finish()
    }
}

impl Default for ListenOptions {
    fn default() -> Self {
        ListenOptions {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            rate_per_sec: 100,
            burst: 200,
            read_timeout: Duration::from_secs(10),
            max_connections: 512,
            on_event: None,
        }
    }
}

/// A running listener; stops when dropped.
pub struct Listening {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Listening {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

struct Shared {
    desk: Arc<PayDesk>,
    limiter: Limiter,
    read_timeout: Duration,
    on_event: Option<EventHook>,
}

#[derive(Clone, Copy)]
struct Peer(SocketAddr);

/// Token bucket per source address.
struct Limiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Limiter {
    fn allow(&self, ip: IpAddr) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        let now = Instant::now();
        let mut b = self.buckets.lock().expect("limiter lock");
        if b.len() > 10_000 {
            // Forget sources idle long enough to be full again.
            let full = Duration::from_secs_f64(self.burst / self.rate);
            b.retain(|_, (_, at)| now.duration_since(*at) < full);
        }
        let (tokens, at) = b.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

/// The routes alone (for tests that bring their own server).
pub fn router(desk: Arc<PayDesk>, opts: &ListenOptions) -> Router {
    let shared = Arc::new(Shared {
        desk,
        limiter: Limiter {
            rate: opts.rate_per_sec as f64,
            burst: opts.burst.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        },
        read_timeout: opts.read_timeout,
        on_event: opts.on_event.clone(),
    });
    Router::new()
        .route("/notify/{profile_id}", get(receive).post(receive))
        .fallback(|| async { text(StatusCode::NOT_FOUND, "not found") })
        .method_not_allowed_fallback(|| async {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
        .with_state(shared)
}

async fn receive(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let peer = req.extensions().get::<Peer>().copied();
    let source = peer.map(|p| p.0.ip().to_string()).unwrap_or_default();
    if let Some(Peer(addr)) = peer {
        if !s.limiter.allow(addr.ip()) {
            return text(StatusCode::TOO_MANY_REQUESTS, "too many requests");
        }
    }
    let (parts, body) = req.into_parts();
    let Some(profile_id) = parts.uri.path().strip_prefix("/notify/") else {
        return text(StatusCode::NOT_FOUND, "not found");
    };
    // Profile ids are plain ASCII; anything else names no profile.
    if profile_id.is_empty()
        || profile_id.len() > 64
        || !profile_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return text(StatusCode::NOT_FOUND, "not found");
    }
    if parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_BODY)
    {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "too large");
    }
    let bytes =
        match tokio::time::timeout(s.read_timeout, axum::body::to_bytes(body, MAX_BODY)).await {
            Ok(Ok(b)) => b,
            Ok(Err(_)) => return text(StatusCode::PAYLOAD_TOO_LARGE, "too large"),
            Err(_) => return text(StatusCode::REQUEST_TIMEOUT, "request timeout"),
        };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let inbound = InboundNotify {
        method: parts.method.as_str(),
        query: parts.uri.query().unwrap_or(""),
        content_type,
        body: &bytes,
    };
    let answer = s.desk.handle_notify(profile_id, &inbound, &source).await;
    if let (Some(hook), Some(id)) = (s.on_event.clone(), answer.settled) {
        // Off the answer's path: the gateway is answered without waiting for the read.
        let desk = s.desk.clone();
        tokio::spawn(async move {
            match desk.store.order(id).await {
                Ok(o) if o.status == OrderStatus::Succeeded => {
                    hook(SyncEvent::Succeeded { order: Box::new(o) })
                }
                Ok(o) if o.status == OrderStatus::Failed => {
                    hook(SyncEvent::Failed { order: Box::new(o) })
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "a settled order could not be read for its alert")
                }
            }
        });
    }
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    text(status, answer.body)
}

/// Serve `/notify/<profile id>` on `opts.bind` in the current tokio runtime.
pub async fn listen(desk: Arc<PayDesk>, opts: ListenOptions) -> std::io::Result<Listening> {
    let listener = tokio::net::TcpListener::bind(opts.bind).await?;
    let addr = listener.local_addr()?;
    let app = router(desk, &opts);
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.max_connections.max(1)));
    let head_timeout = opts.read_timeout;
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = &mut rx => break,
                a = listener.accept() => a,
            };
            let Ok((stream, peer)) = accepted else {
                // Out of file descriptors and the like: breathe, then go on.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let app = app.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(Peer(peer));
                        app.clone().oneshot(req.map(Body::new))
                    },
                );
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(head_timeout)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
                // A connection kept open past this (keep-alive or a trickle) is closed.
                let _ = tokio::time::timeout(Duration::from_secs(120), conn).await;
                drop(slot);
            });
        }
    });
    Ok(Listening {
        addr,
        shutdown: Some(tx),
    })
}
