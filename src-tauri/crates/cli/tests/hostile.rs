//! Reliability items 4 (hostile gateway replies) and 7 (transport): tiny axum
//! and TLS servers on 127.0.0.1 that answer the way a broken or hostile
//! gateway might. Nothing may panic or hang (every call is bounded by the
//! client timeout), replies have a size limit, gateway text is stored inert,
//! TLS is verified, redirects never leave the host, and a plain `http://`
//! profile carries a warning.

mod support;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use paydesk_core::domain::{OrderStatus, ProviderKind};
use paydesk_core::gateway::{Call, GatewayConfig, GatewayError};
use paydesk_core::http::{HttpClient, HttpOptions, MAX_REPLY_BYTES};
use paydesk_core::i18n::{set_lang, Lang};
use paydesk_core::services::{OrderOutcome, PayDesk, MAX_GATEWAY_TEXT};
use paydesk_core::Secret;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

async fn serve(app: Router) -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    addr
}

/// A server answering every path with the same body.
async fn serve_body(body: impl Fn() -> Response + Clone + Send + Sync + 'static) -> SocketAddr {
    serve(Router::new().fallback(move || {
        let b = body.clone();
        async move { b() }
    }))
    .await
}

fn json(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}

struct Desk {
    desk: PayDesk,
    _dir: tempfile::TempDir,
}

async fn desk_with(kind: ProviderKind, base_url: String) -> Desk {
    set_lang(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    add_profile(&d, kind, "p", base_url).await;
    Desk { desk: d, _dir: dir }
}

async fn create(d: &Desk, kind: ProviderKind, no: &str) -> OrderOutcome {
    let started = Instant::now();
    let o = d
        .desk
        .create_order("p", order_kind(kind), &order_input(kind, no, false))
        .await
        .unwrap();
    // The desk's timeout is 1 s: nothing may hang beyond it (with slack for a
    // loaded CI machine).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{kind}: took too long"
    );
    o
}

fn code(o: &OrderOutcome) -> &str {
    o.error.as_ref().map(|e| e.code.as_str()).unwrap_or("-")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_replies_are_refused_with_and_without_a_length() {
    let big = "x".repeat(5 * 1024 * 1024);
    let b1 = big.clone();
    let with_len = serve_body(move || json(b1.clone())).await;
    let b2 = big.clone();
    let chunked = serve_body(move || {
        let chunks: Vec<Result<Bytes, std::io::Error>> = b2
            .as_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .unwrap()
    })
    .await;
    for (n, addr) in [with_len, chunked].into_iter().enumerate() {
        for kind in ProviderKind::ALL {
            let d = desk_with(kind, format!("http://{addr}/{kind}")).await;
            let o = create(&d, kind, &format!("BIG{n}{}", kind.as_str().to_uppercase())).await;
            assert_eq!(code(&o), "reply_too_large", "{kind}: {o:?}");
            assert_eq!(o.order.status, OrderStatus::Unknown, "{kind}");
            // The refused body is not kept either.
            let ev = d.desk.order_events(o.order.id).await.unwrap();
            let kept = serde_json::to_string(&ev).unwrap().len();
            assert!(kept < 100_000, "{kind}: {kept} bytes kept");
        }
    }
    const _: () = assert!(5 * 1024 * 1024 > MAX_REPLY_BYTES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_replies_are_malformed_not_a_crash() {
    // serde_json refuses nesting deeper than 128 by default: prove it here,
    // since every gateway parser relies on it against a stack overflow.
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(serde_json::from_str::<serde_json::Value>(&deep_array).is_err());
    let deep_object = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    assert!(serde_json::from_str::<serde_json::Value>(&deep_object).is_err());
    // RawValue skips nested values without recursing (it accepts the text);
    // what matters is that parsing what is inside it is refused, not a crash.
    let _ = serde_json::from_str::<Box<serde_json::value::RawValue>>(&deep_array);

    let bodies = [
        deep_array.clone(),
        format!("{{\"status\":1,\"data\":{deep_array}}}"),
        format!("{{\"result_response\":{{\"x\":{deep_array}}},\"sign\":\"0\"}}"),
        format!("{{\"code\":0,\"data\":{deep_object}}}"),
        format!("{{\"retCode\":\"SUCCESS\",\"payParams\":{deep_object}}}"),
        deep_object.clone(),
    ];
    for (i, body) in bodies.into_iter().enumerate() {
        let addr = serve_body(move || json(body.clone())).await;
        for kind in ProviderKind::ALL {
            let d = desk_with(kind, format!("http://{addr}/{kind}")).await;
            let o = create(
                &d,
                kind,
                &format!("DEEP{i}{}", kind.as_str().to_uppercase()),
            )
            .await;
            assert_ne!(o.order.status, OrderStatus::Succeeded, "{kind} body {i}");
            assert!(
                matches!(code(&o), "malformed_reply" | "bad_signature"),
                "{kind} body {i}: {o:?}"
            );
            assert_eq!(o.order.status, OrderStatus::Unknown, "{kind} body {i}");
        }
    }
}

/// Gateway text with markup, a script, terminal escape sequences, NUL and a
/// huge length: kept as plain, bounded text with no control characters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_and_control_characters_in_gateway_messages_are_stored_inert() {
    let hostile = format!(
        "<script>alert(1)</script><img src=x onerror=alert(2)>\u{1b}[31mRED\u{1b}]0;title\u{7}\u{0}\r\nnext{}",
        "&lt;b&gt;".repeat(5_000)
    );
    let h = hostile.clone();
    // jstpay: an unsigned refusal (status 0) carries err_code / err_msg.
    let addr = serve_body(move || {
        json(
            serde_json::json!({
                "status": 0, "msg": h, "client_order_id": "", "order_id": "",
                "err_code": "E42", "err_msg": h, "signature": ""
            })
            .to_string(),
        )
    })
    .await;
    let d = desk_with(ProviderKind::Jstpay, format!("http://{addr}/jstpay")).await;
    let o = create(&d, ProviderKind::Jstpay, "HTML1").await;
    assert_ne!(o.order.status, OrderStatus::Succeeded);
    let stored = d.desk.order(o.order.id).await.unwrap();
    let texts = [
        stored.message.clone().unwrap_or_default(),
        stored.provider_message.clone().unwrap_or_default(),
        o.error.as_ref().unwrap().message.clone(),
    ];
    assert!(
        texts
            .iter()
            .any(|t| t.contains("<script>alert(1)</script>")),
        "the text is kept literally (the UI escapes it): {texts:?}"
    );
    for t in &texts {
        assert!(!t.chars().any(|c| c.is_control()), "control char in {t:?}");
        assert!(t.chars().count() <= MAX_GATEWAY_TEXT + 1, "{}", t.len());
    }
    for e in d.desk.order_events(o.order.id).await.unwrap() {
        for t in [&e.message, &e.provider_message, &e.provider_status]
            .into_iter()
            .flatten()
        {
            assert!(
                !t.chars().any(|c| c.is_control()),
                "control char in event {t:?}"
            );
        }
    }
}

/// A server that sends headers and then one byte every 300 ms, forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_drip_reply_is_cut_by_the_timeout() {
    let addr = serve_body(|| {
        let s = futures_util::stream::unfold(0u64, |n| async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Some((Ok::<_, std::io::Error>(Bytes::from_static(b" ")), n + 1))
        });
        Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(s))
            .unwrap()
    })
    .await;
    for kind in ProviderKind::ALL {
        let d = desk_with(kind, format!("http://{addr}/{kind}")).await;
        let t = Instant::now();
        let o = create(&d, kind, &format!("DRIP{}", kind.as_str().to_uppercase())).await;
        assert!(
            t.elapsed() < Duration::from_secs(4),
            "{kind}: {:?}",
            t.elapsed()
        );
        assert_eq!(code(&o), "timeout", "{kind}: {o:?}");
        assert_eq!(o.order.status, OrderStatus::Unknown);
    }
}

/// A server that accepts the connection and never answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_times_out_and_the_order_stays_unknown() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let d = desk_with(ProviderKind::Jstpay, format!("http://{addr}/jstpay")).await;
    let t = Instant::now();
    let o = create(&d, ProviderKind::Jstpay, "SILENT1").await;
    assert!(t.elapsed() < Duration::from_secs(4));
    assert_eq!(code(&o), "timeout");
    assert_eq!(o.order.status, OrderStatus::Unknown);
    let msg = &o.error.as_ref().unwrap().message;
    assert!(msg.contains("Query its status later"), "{msg}");
}

// ------------------------------------------------------------- "uncertain"

/// xxpay `0010` and juyouke `SYSTEMERROR` on a create: the gateway had a
/// problem and may hold the order. It is kept `unknown` with code
/// `uncertain` and a message to query later, never `failed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_system_errors_on_create_leave_the_order_unknown() {
    let x = serve_body(|| {
        json(r#"{"retCode":"FAIL","retMsg":"系统错误","errCode":"0010"}"#.to_string())
    })
    .await;
    let d = desk_with(ProviderKind::Xxpay, format!("http://{x}/xxpay")).await;
    let o = create(&d, ProviderKind::Xxpay, "SYSERRX1").await;
    assert_eq!(code(&o), "uncertain", "{o:?}");
    assert_eq!(o.order.status, OrderStatus::Unknown);
    assert!(o.error.as_ref().unwrap().message.contains("later"));

    let secret = Secret::new(paydesk_sandbox::credentials(ProviderKind::Juyouke).secret);
    let fields: BTreeMap<String, String> = [
        ("result_code", "20000"),
        ("err_code", "SYSTEMERROR"),
        ("err_code_des", "系统错误"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let body = format!(
        "{{\"result_response\":{},\"sign\":\"{}\"}}",
        paydesk_core::providers::juyouke::sign::json_object(&fields),
        paydesk_core::providers::juyouke::sign::sign_params(&fields, &secret)
    );
    let j = serve_body(move || json(body.clone())).await;
    let d = desk_with(ProviderKind::Juyouke, format!("http://{j}/juyouke")).await;
    let o = create(&d, ProviderKind::Juyouke, "SYSERRJ1").await;
    assert_eq!(code(&o), "uncertain", "{o:?}");
    assert_eq!(o.order.status, OrderStatus::Unknown);
}

// --------------------------------------------------------------- transport

fn call_parts(base: String) -> (HttpClient, GatewayConfig, Secret) {
    let http = HttpClient::new(HttpOptions {
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_secs(2),
    });
    let cfg = GatewayConfig {
        base_url: base,
        ..Default::default()
    };
    (http, cfg, Secret::new("transport-test-key"))
}

/// HTTPS with a self-signed certificate: rustls refuses it, the request is
/// never sent (the server reads no request), and the order fails with a
/// message naming the certificate problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_an_untrusted_certificate_is_refused_and_nothing_is_sent() {
    use tokio::io::AsyncReadExt;
    use tokio_rustls::rustls;
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        ck.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(s).await {
                    let mut buf = [0u8; 1024];
                    if matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {
                        seen.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let d = desk_with(
        ProviderKind::Jstpay,
        format!("https://localhost:{port}/jstpay"),
    )
    .await;
    let view = d.desk.profile("p").await.unwrap();
    assert!(view.warning.is_none(), "https carries no warning");
    let o = create(&d, ProviderKind::Jstpay, "TLS1").await;
    assert_eq!(code(&o), "not_sent", "{o:?}");
    assert_eq!(o.order.status, OrderStatus::Failed);
    let msg = &o.error.as_ref().unwrap().message;
    assert!(msg.to_lowercase().contains("certificate"), "{msg}");
    assert_eq!(requests.load(Ordering::SeqCst), 0, "no request got through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_stay_on_the_host_and_stop_after_three() {
    // The other host: counts what reaches it.
    let other_hits = Arc::new(AtomicUsize::new(0));
    let oh = other_hits.clone();
    let other = serve(Router::new().fallback(move || {
        let oh = oh.clone();
        async move {
            oh.fetch_add(1, Ordering::SeqCst);
            "stolen"
        }
    }))
    .await;
    let hops = Arc::new(AtomicUsize::new(0));
    let h = hops.clone();
    let app = Router::new()
        // To another host (`localhost` is not `127.0.0.1` by name).
        .route(
            "/away",
            any(move || async move {
                Response::builder()
                    .status(StatusCode::TEMPORARY_REDIRECT)
                    .header(
                        header::LOCATION,
                        format!("http://localhost:{}/x", other.port()),
                    )
                    .body(Body::empty())
                    .unwrap()
            }),
        )
        // Same host, once, to a real answer.
        .route(
            "/once",
            any(|| async {
                Response::builder()
                    .status(StatusCode::TEMPORARY_REDIRECT)
                    .header(header::LOCATION, "/landing")
                    .body(Body::empty())
                    .unwrap()
            }),
        )
        .route("/landing", any(|| async { "landed" }))
        // Same host, forever.
        .route(
            "/loop",
            any(move || {
                let h = h.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    Response::builder()
                        .status(StatusCode::FOUND)
                        .header(header::LOCATION, "/loop")
                        .body(Body::empty())
                        .unwrap()
                }
            }),
        );
    let addr = serve(app).await;
    let (http, cfg, secret) = call_parts(format!("http://{addr}"));
    let call = Call::new(&http, &cfg, &secret, None);

    let r = http
        .post_json(&call, "/away", "{}".into(), &[])
        .await
        .map_err(GatewayError::from);
    assert!(
        matches!(r, Err(GatewayError::HttpStatus { status: 307, .. })),
        "{r:?}"
    );
    assert_eq!(
        other_hits.load(Ordering::SeqCst),
        0,
        "never sent to another host"
    );

    let r = http.get(&call, "/once").await.unwrap();
    assert_eq!(r.body, "landed");

    let r = http.get(&call, "/loop").await.map_err(GatewayError::from);
    assert!(
        matches!(r, Err(GatewayError::HttpStatus { status: 302, .. })),
        "{r:?}"
    );
    assert_eq!(
        hops.load(Ordering::SeqCst),
        4,
        "the first request and 3 redirects"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_profiles_carry_a_warning() {
    set_lang(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    add_profile(
        &d,
        ProviderKind::Jeepay,
        "plain",
        "http://gw.example/p".into(),
    )
    .await;
    add_profile(
        &d,
        ProviderKind::Jeepay,
        "tls",
        "https://gw.example/p".into(),
    )
    .await;
    let warning = |v: paydesk_core::services::ProfileView| v.warning.unwrap_or_default();
    let plain = warning(d.profile("plain").await.unwrap());
    assert!(plain.contains("unencrypted http://"), "{plain}");
    assert_eq!(warning(d.profile("tls").await.unwrap()), "");
}
