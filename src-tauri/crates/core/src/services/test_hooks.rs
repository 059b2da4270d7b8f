//! Hooks for the crash and fault suites, driven by environment variables.
//! Compiled in only with the `test-hooks` feature (the CLI's tests turn it on
//! through their dev-dependency); without it every hook is a no-op and no
//! environment variable changes what PayDesk does.

/// Where `create_order` can be told to stop for a crash test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PausePoint {
    /// The order is validated against the profile as read; nothing is
    /// stored yet (a test changes the profile from another desk here).
    BeforeWrite,
    /// The order row is stored (`unknown`), the request is not sent yet.
    BeforeSend,
    /// The gateway has replied; its answer is not stored yet.
    AfterReply,
}

/// `PAYDESK_NOT_FOUND_GRACE_MS` overrides `outcome::NOT_FOUND_GRACE_MS`, so
/// crash and fault tests can see an order that never reached the gateway
/// settle to `failed` without waiting ten minutes.
#[cfg(feature = "test-hooks")]
pub fn not_found_grace_ms() -> i64 {
    std::env::var("PAYDESK_NOT_FOUND_GRACE_MS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .unwrap_or(super::outcome::NOT_FOUND_GRACE_MS)
}

#[cfg(not(feature = "test-hooks"))]
pub fn not_found_grace_ms() -> i64 {
    super::outcome::NOT_FOUND_GRACE_MS
}

/// With `PAYDESK_TEST_PAUSE_AT` set to `before_write`, `before_send` or
/// `after_reply`, `create_order` sleeps for 60 s at that point so a test can
/// `kill -9` the process there and check what a restart finds. With
/// `PAYDESK_TEST_RESUME_FILE` it waits instead until that file exists (a test
/// acts from another process meanwhile, then lets it go on), and
/// `PAYDESK_TEST_PAUSE_SKIP=N` lets the first N passes (batch rows) by.
#[cfg(feature = "test-hooks")]
pub async fn pause(at: PausePoint) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PASSES: AtomicUsize = AtomicUsize::new(0);
    let wanted = match std::env::var("PAYDESK_TEST_PAUSE_AT") {
        Ok(v) => v,
        Err(_) => return,
    };
    let here = match at {
        PausePoint::BeforeWrite => "before_write",
        PausePoint::BeforeSend => "before_send",
        PausePoint::AfterReply => "after_reply",
    };
    if wanted.trim() != here {
        return;
    }
    let skip = std::env::var("PAYDESK_TEST_PAUSE_SKIP")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if PASSES.fetch_add(1, Ordering::SeqCst) < skip {
        return;
    }
    // A marker on stderr tells the test the process got here.
    eprintln!("PAYDESK_TEST_PAUSED {here}");
    match std::env::var_os("PAYDESK_TEST_RESUME_FILE") {
        Some(file) => {
            let file = std::path::PathBuf::from(file);
            while !file.exists() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        None => {
            tracing::warn!(point = here, "PAYDESK_TEST_PAUSE_AT: pausing 60 s");
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub async fn pause(_at: PausePoint) {}
