//! The callback listener over loopback HTTP, on a real SQLite file: what is
//! not a callback (other paths and methods, oversized bodies, slow senders,
//! floods, unknown profiles, unreadable callbacks) is refused with a short
//! fixed text, never acknowledged, never echoed, and changes nothing.

mod support;

use paydesk_core::domain::ProviderKind;
use paydesk_core::notify::server::{listen, ListenOptions, Listening};
use paydesk_core::services::PayDesk;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACKS: [&str; 3] = ["success", "SUCCESS", "1|OKAY"];

async fn setup(
    opts: ListenOptions,
) -> (
    tempfile::TempDir,
    paydesk_sandbox::Running,
    Arc<PayDesk>,
    Listening,
) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let desk = desk(dir.path()).await;
    for kind in ProviderKind::ALL {
        add_profile(&desk, kind, kind.as_str(), sandbox.base_url(kind)).await;
    }
    let desk = Arc::new(desk);
    let l = listen(desk.clone(), opts).await.unwrap();
    (dir, sandbox, desk, l)
}

async fn profile_id(desk: &PayDesk, name: &str) -> String {
    desk.profile(name).await.unwrap().profile.id
}

async fn refusals(desk: &PayDesk) -> Vec<String> {
    desk.store
        .audit_entries(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "notify.refused")
        .map(|a| {
            format!(
                "{} {}",
                a.target.unwrap_or_default(),
                a.detail.unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_a_callback_is_refused_without_echo() {
    let (_dir, _sb, desk, l) = setup(ListenOptions::default()).await;
    let jst = profile_id(&desk, "jstpay").await;
    let http = reqwest::Client::new();
    let base = l.base_url();
    let evil = "<script>ECHO-ME</script>";

    let r = http
        .get(format!("{base}/other?x={evil}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "not found");
    let r = http
        .get(format!("{base}/notify/{jst}/extra"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = http
        .put(format!("{base}/notify/{jst}"))
        .body(evil)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(!r.text().await.unwrap().contains("ECHO"));
    let r = http
        .delete(format!("{base}/notify/{jst}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);

    // An unknown profile: refused, recorded with the reason.
    let r = http
        .post(format!("{base}/notify/no-such-profile"))
        .header("content-type", "application/json")
        .body(format!("{{\"type\":\"pay\",\"x\":\"{evil}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(
        !body.contains("ECHO") && !ACKS.contains(&body.as_str()),
        "{body}"
    );
    let audit = refusals(&desk).await;
    assert!(
        audit
            .iter()
            .any(|a| a.contains("no-such-profile") && a.contains("unknown profile")),
        "{audit:?}"
    );
    assert!(
        !audit.iter().any(|a| a.contains("ECHO")),
        "request content never reaches the log"
    );

    // Over 64 KB: refused before anything is read into a callback.
    let before = refusals(&desk).await.len();
    let big = "a".repeat(64 * 1024 + 1);
    let r = http
        .post(format!("{base}/notify/{jst}"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(refusals(&desk).await.len(), before, "not even parsed");

    // Unreadable or unverifiable callbacks to a real profile: 4xx, no acknowledgement, audited.
    for (ct, body) in [
        ("application/json", format!("{{\"type\":\"pay\",\"action\":\"completed\",\"client_order_id\":\"{evil}\",\"signature\":\"00\"}}")),
        ("application/json", "{not json".to_string()),
        ("application/x-www-form-urlencoded", "a=%ZZ%".to_string()),
    ] {
        let r = http
            .post(format!("{base}/notify/{jst}"))
            .header("content-type", ct)
            .body(body.into_bytes())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!((400..500).contains(&status), "{status}");
        assert!(!ACKS.contains(&text.as_str()) && !text.contains("ECHO"), "{text}");
    }
    assert_eq!(refusals(&desk).await.len(), before + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_source_is_slowed_down() {
    let (_dir, _sb, _desk, l) = setup(ListenOptions {
        rate_per_sec: 5,
        burst: 5,
        ..Default::default()
    })
    .await;
    let http = reqwest::Client::new();
    let mut codes = Vec::new();
    for _ in 0..8 {
        let r = http
            .get(format!("{}/notify/nobody", l.base_url()))
            .send()
            .await
            .unwrap();
        codes.push(r.status().as_u16());
    }
    assert_eq!(&codes[..5], &[404; 5]);
    assert!(codes[5..].contains(&429), "{codes:?}");
    tokio::time::sleep(Duration::from_millis(450)).await;
    let r = http
        .get(format!("{}/notify/nobody", l.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "the bucket refills");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_senders_are_cut_off() {
    let (_dir, _sb, desk, l) = setup(ListenOptions {
        read_timeout: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let jst = profile_id(&desk, "jstpay").await;

    // A request head that never ends: the connection is closed.
    let mut s = tokio::net::TcpStream::connect(l.addr).await.unwrap();
    s.write_all(format!("POST /notify/{jst} HTTP/1.1\r\nHost: x\r\n").as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .expect("closed, not held");
    assert!(started.elapsed() < Duration::from_secs(3));

    // A body that trickles: 408, nothing applied.
    let mut s = tokio::net::TcpStream::connect(l.addr).await.unwrap();
    s.write_all(format!("POST /notify/{jst} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"type\"").as_bytes())
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .expect("answered, not held");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        refusals(&desk).await.is_empty(),
        "nothing reached the callback logic"
    );
}
