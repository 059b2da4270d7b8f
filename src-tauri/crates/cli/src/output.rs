//! Human and `--json` output. With `--json` every command prints exactly one
//! JSON document on stdout; errors also go to stderr as one line.

use paydesk_core::banks::Bank;
use paydesk_core::gateway::Arrival;
use paydesk_core::money::{fen_to_yuan_2dp, format_cny};
use paydesk_core::services::{BalanceView, ErrorInfo, OrderOutcome, ProfileView};
use paydesk_core::store::{format_time_ms, Order, OrderEvent};
use paydesk_core::sync::SyncState;
use paydesk_core::tr;
use serde_json::{json, Value};

pub struct Out {
    pub json: bool,
}

/// The JSON shape of an order (stable contract for scripts).
pub fn order_json(o: &Order) -> Value {
    json!({
        "id": o.id,
        "order_no": o.order_no,
        "profile": o.profile,
        "provider": o.provider,
        "sandbox": o.sandbox,
        "kind": o.kind,
        "amount_fen": o.amount_fen,
        "amount": fen_to_yuan_2dp(o.amount_fen),
        "status": o.status,
        "provider_status": o.provider_status,
        "provider_message": o.provider_message,
        "provider_order_id": o.provider_order_id,
        "pay_url": o.pay_url,
        "card": o.card,
        "fields": o.fields,
        "extra": o.extra,
        "message": o.message,
        "created_by": o.created_by,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    })
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

impl Out {
    pub fn failure(&self, code: &str, message: &str, field: Option<&str>, order: Option<&Order>) {
        let line = message.replace('\n', " ");
        eprintln!("{} {line}", tr!("错误：", "error:"));
        if self.json {
            let mut v = json!({"error": {"code": code, "message": message, "field": field}});
            if let Some(o) = order {
                v["order"] = order_json(o);
            }
            print_json(&v);
        } else if let Some(o) = order {
            self.order_human(o);
        }
    }

    pub fn message(&self, text: &str, v: Value) {
        if self.json {
            print_json(&v);
        } else {
            println!("{text}");
        }
    }

    fn order_human(&self, o: &Order) {
        let sandbox = if o.sandbox {
            tr!(" [沙盒]", " [sandbox]")
        } else {
            String::new()
        };
        println!("{}  {}  {}{}", o.order_no, o.kind, o.profile, sandbox);
        println!(
            "  {:<10} {}",
            tr!("金额", "amount"),
            format_cny(o.amount_fen)
        );
        println!(
            "  {:<10} {} {}",
            tr!("状态", "status"),
            o.status.label(),
            match (&o.provider_status, &o.provider_message) {
                (Some(c), Some(m)) => format!("({c} {m})"),
                (Some(c), None) => format!("({c})"),
                (None, Some(m)) => format!("({m})"),
                _ => String::new(),
            }
        );
        if let Some(id) = &o.provider_order_id {
            println!("  {:<10} {}", tr!("平台订单号", "gateway no."), id);
        }
        if let Some(u) = &o.pay_url {
            println!("  {:<10} {}", tr!("支付链接", "pay URL"), u);
        }
        if let Some(c) = &o.card {
            println!(
                "  {:<10} {} {} {} {}",
                tr!("收款卡", "pay to card"),
                c.card_bank,
                c.card_branch,
                c.card_name,
                c.card_number
            );
            if let Some(a) = c.actual_amount_fen {
                println!("  {:<10} {}", tr!("应转金额", "transfer"), format_cny(a));
            }
            if let Some(n) = &c.nonce {
                println!("  {:<10} {}", tr!("附言", "remark"), n);
            }
        }
        if let Some(m) = &o.message {
            println!("  {:<10} {}", tr!("说明", "note"), m);
        }
        println!(
            "  {:<10} {}",
            tr!("创建时间", "created"),
            format_time_ms(o.created_at)
        );
    }

    pub fn order_created(&self, o: &Order) {
        if self.json {
            print_json(&order_json(o));
            return;
        }
        self.order_human(o);
        if let Some(u) = &o.pay_url {
            if !u.starts_with("POST;") {
                if let Some(qr) = paydesk_core::qr::terminal(u) {
                    println!("{qr}");
                }
            } else {
                println!("{}", tr!("该支付链接需以表单 POST 打开，不能生成二维码；请在浏览器中打开", "this pay URL must be opened with a form POST and cannot be a QR code; open it in a browser"));
            }
        }
    }

    pub fn orders_detail(
        &self,
        list: &[(Order, Vec<OrderEvent>, SyncState)],
        errors: &[ErrorInfo],
    ) {
        if self.json {
            let orders: Vec<Value> = list
                .iter()
                .map(|(o, ev, sync)| {
                    let mut v = order_json(o);
                    v["events"] = serde_json::to_value(ev).unwrap_or_default();
                    v["sync"] = crate::sync::sync_json(sync);
                    v
                })
                .collect();
            print_json(&json!({"orders": orders, "errors": errors}));
            return;
        }
        for (o, events, sync) in list {
            self.order_human(o);
            println!("    {}", crate::sync::sync_line(sync));
            for e in events {
                println!(
                    "    {}  {:<8} {:<10} {}",
                    format_time_ms(e.at),
                    e.action,
                    e.status.label(),
                    e.message.clone().unwrap_or_default()
                );
            }
        }
        for e in errors {
            eprintln!("{} {}", tr!("查询失败：", "query failed:"), e.message);
        }
    }

    pub fn order_list(&self, list: &[Order]) {
        if self.json {
            print_json(&json!({"orders": list.iter().map(order_json).collect::<Vec<_>>()}));
            return;
        }
        for o in list {
            println!(
                "{}  {:<28} {:<8} {:<18} {:>16}  {}",
                format_time_ms(o.created_at),
                o.order_no,
                o.kind,
                o.profile,
                format_cny(o.amount_fen),
                o.status.label()
            );
        }
        if list.is_empty() {
            println!("{}", tr!("没有订单", "no orders"));
        }
    }

    pub fn refreshed(&self, list: &[OrderOutcome]) {
        if self.json {
            let v: Vec<Value> = list
                .iter()
                .map(|r| {
                    let mut v = order_json(&r.order);
                    v["error"] = serde_json::to_value(&r.error).unwrap_or_default();
                    v
                })
                .collect();
            print_json(&json!({"orders": v}));
            return;
        }
        for r in list {
            let err = r
                .error
                .as_ref()
                .map(|e| format!("  ({})", e.message))
                .unwrap_or_default();
            println!(
                "{:<28} {:<18} {}{}",
                r.order.order_no,
                r.order.profile,
                r.order.status.label(),
                err
            );
        }
        println!(
            "{}",
            tr!(
                "已查询 {} 笔未完成订单",
                "queried {} open orders",
                list.len()
            )
        );
    }

    pub fn balances(&self, list: &[BalanceView]) {
        if self.json {
            let v: Vec<Value> = list
                .iter()
                .map(|b| {
                    json!({
                        "profile": b.profile,
                        "provider": b.provider,
                        "sandbox": b.sandbox,
                        "supported": b.supported,
                        "balance_fen": b.balance_fen,
                        "details": b.details,
                        "at": b.at,
                        "low": b.low,
                        "error": b.error,
                    })
                })
                .collect();
            print_json(&json!({"balances": v}));
            return;
        }
        for b in list {
            let value = match (&b.balance_fen, &b.error) {
                (Some(f), _) => format_cny(*f),
                (None, Some(e)) => e.message.clone(),
                _ => String::new(),
            };
            println!(
                "{:<20} {:<8} {}{}",
                b.profile,
                b.provider,
                value,
                if b.low {
                    tr!("  余额不足", "  LOW")
                } else {
                    String::new()
                }
            );
        }
    }

    pub fn arrivals(&self, list: &[Arrival]) {
        if self.json {
            print_json(&json!({"arrivals": list}));
            return;
        }
        for a in list {
            println!(
                "{}  {:<6} {:>14}  {}  {}  {}",
                a.deposit_time,
                a.card_tail,
                format_cny(a.amount_fen),
                a.bank,
                a.sender_name,
                a.nonce
            );
        }
        if list.is_empty() {
            println!(
                "{}",
                tr!("该时段没有到账记录", "no arrivals in this period")
            );
        }
    }

    pub fn banks(&self, list: &[Bank]) {
        if self.json {
            print_json(&json!({"banks": list}));
            return;
        }
        for b in list {
            println!("{:<10} {}", b.code.clone().unwrap_or_default(), b.name);
        }
    }

    pub fn profile(&self, p: &ProfileView) {
        if self.json {
            print_json(&profile_json(p));
            return;
        }
        let pr = &p.profile;
        println!(
            "{}{}",
            pr.name,
            if pr.sandbox {
                tr!(" [沙盒]", " [sandbox]")
            } else {
                String::new()
            }
        );
        println!("  {:<10} {}", tr!("网关", "gateway"), pr.provider);
        println!("  {:<10} {}", tr!("地址", "base URL"), pr.base_url);
        println!("  {:<10} {}", tr!("商户号", "merchant"), pr.merchant_id);
        if let Some(a) = &pr.app_id {
            println!("  {:<10} {}", "appId", a);
        }
        println!(
            "  {:<10} {}",
            tr!("密钥", "key"),
            if p.secret_saved {
                tr!("已保存（系统密钥环）", "saved (OS keyring)")
            } else {
                tr!("未保存", "not saved")
            }
        );
        if let Some(w) = &p.warning {
            println!("  ! {w}");
        }
    }

    pub fn profiles(&self, list: &[ProfileView]) {
        if self.json {
            print_json(&json!({"profiles": list.iter().map(profile_json).collect::<Vec<_>>()}));
            return;
        }
        for p in list {
            let pr = &p.profile;
            println!(
                "{:<24} {:<8} {}{}",
                pr.name,
                pr.provider,
                pr.base_url,
                if pr.sandbox {
                    tr!(" [沙盒]", " [sandbox]")
                } else {
                    String::new()
                }
            );
        }
        if list.is_empty() {
            println!("{}", tr!("还没有商户配置", "no profiles yet"));
        }
    }
}

fn profile_json(p: &ProfileView) -> Value {
    serde_json::to_value(p).unwrap_or_default()
}
