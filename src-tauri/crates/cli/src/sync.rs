//! `paydesk sync [--once]` and `paydesk order list --stuck`: the background
//! sync from the command line, printing what the user should hear about.

use crate::output::{order_json, Out};
use crate::Res;
use paydesk_core::money::format_cny;
use paydesk_core::services::PayDesk;
use paydesk_core::store::{format_time_ms, now_ms};
use paydesk_core::sync::{PassOptions, PassReport, StuckOrder, SyncEvent, SyncLoop, SyncState};
use paydesk_core::tr;
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

/// Between passes the loop sleeps until the next planned check, but wakes at
/// least this often (new orders, orders settled elsewhere).
const MAX_IDLE: Duration = Duration::from_secs(5);
/// How often the loop reads balances for the low-balance alert.
const BALANCE_EVERY_MS: i64 = 5 * 60 * 1000;

pub async fn sync(desk: &PayDesk, once: bool, limit: Option<usize>, out: &Out) -> Res {
    let mut engine = SyncLoop::default();
    if once {
        let events: Mutex<Vec<SyncEvent>> = Mutex::new(Vec::new());
        let json = out.json;
        let on_event = |e: SyncEvent| {
            if !json {
                print_event(&e);
            }
            events.lock().expect("events lock").push(e);
        };
        let opts = PassOptions {
            limit,
            balances: true,
            ..Default::default()
        };
        let report = engine.pass(desk, &opts, &on_event).await?;
        let events = events.into_inner().expect("events lock");
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "report": report,
                    "events": events.iter().map(event_json).collect::<Vec<_>>(),
                }))
                .unwrap_or_default()
            );
        } else {
            print_report(&report);
        }
        return Ok(());
    }
    // Until stopped: with --json, one JSON document per line per event.
    let json = out.json;
    let on_event = move |e: SyncEvent| {
        if json {
            println!("{}", event_json(&e));
        } else {
            print_event(&e);
        }
    };
    if !json {
        println!(
            "{}",
            tr!(
                "后台同步已启动（Ctrl+C 停止）",
                "background sync running (Ctrl+C stops)"
            )
        );
    }
    let mut last_balance = 0i64;
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let now = now_ms();
        let opts = PassOptions {
            limit,
            balances: now - last_balance >= BALANCE_EVERY_MS,
            ..Default::default()
        };
        if opts.balances {
            last_balance = now;
        }
        let report = engine.pass(desk, &opts, &on_event).await?;
        let wait = report
            .next_due_at
            .map(|at| Duration::from_millis((at - now_ms()).clamp(200, 60_000) as u64))
            .unwrap_or(MAX_IDLE)
            .min(MAX_IDLE);
        tokio::select! {
            _ = &mut stop => return Ok(()),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

pub fn event_json(e: &SyncEvent) -> Value {
    match e {
        SyncEvent::Succeeded { order } => json!({"event": "succeeded", "order": order_json(order)}),
        SyncEvent::Failed { order } => json!({"event": "failed", "order": order_json(order)}),
        SyncEvent::Stuck { order, reason } => {
            json!({"event": "stuck", "order": order_json(order), "reason": reason})
        }
        SyncEvent::LowBalance { .. } => serde_json::to_value(e).unwrap_or_default(),
    }
}

fn print_event(e: &SyncEvent) {
    let at = format_time_ms(now_ms());
    match e {
        SyncEvent::Succeeded { order: o } => println!(
            "{at}  {}  {} {} {} {}",
            tr!("成功", "succeeded"),
            o.kind,
            o.order_no,
            o.profile,
            format_cny(o.amount_fen)
        ),
        SyncEvent::Failed { order: o } => println!(
            "{at}  {}  {} {} {} {}  {}",
            tr!("失败", "failed"),
            o.kind,
            o.order_no,
            o.profile,
            format_cny(o.amount_fen),
            o.provider_message
                .clone()
                .or(o.message.clone())
                .unwrap_or_default()
        ),
        SyncEvent::Stuck { order: o, reason } => println!(
            "{at}  {}  {} {} {} {}  {}",
            tr!("卡单", "stuck"),
            o.kind,
            o.order_no,
            o.profile,
            format_cny(o.amount_fen),
            reason
                .clone()
                .unwrap_or_else(|| tr!("尚未查询", "not checked yet"))
        ),
        SyncEvent::LowBalance {
            profile,
            balance_fen,
            low_balance_fen,
            ..
        } => println!(
            "{at}  {}  {profile} {} < {}",
            tr!("余额不足", "low balance"),
            format_cny(*balance_fen),
            format_cny(*low_balance_fen)
        ),
    }
}

fn print_report(r: &PassReport) {
    println!(
        "{}",
        tr!(
            "本轮到期 {} 笔，已查询 {} 笔，完结 {} 笔，查询出错 {} 笔",
            "{} due, {} checked, {} settled, {} checks failed",
            r.due,
            r.checked,
            r.settled,
            r.errors
        )
    );
    if let Some(at) = r.next_due_at {
        println!(
            "{} {}",
            tr!("下次查询：", "next check:"),
            format_time_ms(at)
        );
    }
}

pub async fn stuck(desk: &PayDesk, limit: u32, out: &Out) -> Res {
    let list = desk.stuck_orders(limit).await?;
    if out.json {
        let v: Vec<Value> = list
            .iter()
            .map(|s| {
                let mut v = order_json(&s.order);
                v["sync"] = sync_json(&s.sync);
                v
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "orders": v })).unwrap_or_default()
        );
        return Ok(());
    }
    for StuckOrder { order: o, sync } in &list {
        println!(
            "{}  {:<28} {:<8} {:<18} {:>16}  {}  {}",
            format_time_ms(o.created_at),
            o.order_no,
            o.kind,
            o.profile,
            format_cny(o.amount_fen),
            o.status.label(),
            sync.last_reason
                .clone()
                .unwrap_or_else(|| tr!("尚未查询", "not checked yet"))
        );
    }
    if list.is_empty() {
        println!("{}", tr!("没有卡单", "no stuck orders"));
    }
    Ok(())
}

/// The order detail's "last checked / next check" (stable JSON shape).
pub fn sync_json(s: &SyncState) -> Value {
    serde_json::to_value(s).unwrap_or_default()
}

/// One human line: last checked / next check (none while awaiting approval:
/// nothing was sent), and what settled a final order.
pub fn sync_line(s: &SyncState) -> String {
    let t = |v: Option<i64>| v.map(format_time_ms).unwrap_or_else(|| "—".into());
    let next = if s.awaiting_approval {
        tr!(
            "不查询（待审批，尚未发送）",
            "none (awaiting approval, nothing sent yet)"
        )
    } else {
        t(s.next_check_at)
    };
    let mut line = format!(
        "{} {}  {} {}  ({} {})",
        tr!("上次查询：", "last checked:"),
        t(s.last_checked_at),
        tr!("下次查询：", "next check:"),
        next,
        tr!("已查询次数", "checks"),
        s.attempts
    );
    if let Some(done) = s.settled {
        line.push_str(&format!(
            "  {} {} {}",
            tr!("结果来自：", "settled by:"),
            done.by.label(),
            format_time_ms(done.at)
        ));
    }
    line
}

/// `paydesk notify listen`: serve `/notify/<profile id>` until Ctrl+C.
pub async fn notify_listen(desk: PayDesk, bind: &str, rate: u32, out: &Out) -> Res {
    use paydesk_core::error::FieldError;
    use paydesk_core::notify::server::{listen, ListenOptions};
    let with_host = if bind.contains(':') {
        bind.to_string()
    } else {
        format!("127.0.0.1:{bind}")
    };
    let addr: std::net::SocketAddr = with_host.parse().map_err(|_| {
        FieldError::new(
            "bind",
            tr!(
                "监听地址应为 主机:端口，例如 127.0.0.1:47652",
                "the bind address is HOST:PORT, e.g. 127.0.0.1:47652"
            ),
        )
    })?;
    let desk = std::sync::Arc::new(desk);
    let profiles = desk.profiles().await?;
    let opts = ListenOptions {
        bind: addr,
        rate_per_sec: rate,
        burst: rate.saturating_mul(2).max(1),
        ..Default::default()
    };
    let running = listen(desk, opts).await.map_err(|e| {
        FieldError::new(
            "bind",
            tr!("无法监听 {}：{}", "cannot listen on {}: {}", addr, e),
        )
    })?;
    let base = running.base_url();
    let urls: Vec<Value> = profiles
        .iter()
        .map(|p| json!({"profile": p.profile.name, "id": p.profile.id, "notify_url": paydesk_core::notify::notify_url(&base, &p.profile.id)}))
        .collect();
    if out.json {
        println!(
            "{}",
            json!({"addr": running.addr.to_string(), "profiles": urls})
        );
    } else {
        println!(
            "{}",
            tr!(
                "回调接收已在 {} 运行（Ctrl+C 停止）",
                "callback listener running at {} (Ctrl+C stops)",
                base
            )
        );
        for u in &urls {
            println!(
                "  {:<20} {}",
                u["profile"].as_str().unwrap_or(""),
                u["notify_url"].as_str().unwrap_or("")
            );
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    drop(running);
    Ok(())
}
