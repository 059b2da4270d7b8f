//! Human and `--json` output. With `--json` every command prints exactly one
//! JSON document on stdout; errors also go to stderr as one line.

use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table, TableComponent};
use paydesk_core::banks::Bank;
use paydesk_core::error::FieldError;
use paydesk_core::form::{FormSpec, InputKind};
use paydesk_core::gateway::Arrival;
use paydesk_core::i18n::{lang, Lang};
use paydesk_core::money::{fen_to_yuan_2dp, format_cny};
use paydesk_core::services::{BalanceView, ErrorInfo, OrderOutcome, ProfileView};
use paydesk_core::store::{format_time_ms, Order, OrderEvent};
use paydesk_core::sync::SyncState;
use paydesk_core::tr;
use serde_json::{json, Value};

/// `println!` that ignores a closed stdout (`paydesk ... | head`): the
/// command's work is done by then; a panic would only add noise.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

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
    outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// A table with a header row; widths are display widths, so CJK columns line up.
fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    // One rule under the header, none between rows.
    t.load_preset(presets::NOTHING)
        .set_style(TableComponent::HeaderLines, '─')
        .set_style(TableComponent::MiddleHeaderIntersections, '─')
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    t
}

fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

fn kind_label(k: paydesk_core::OrderKind) -> String {
    match k {
        paydesk_core::OrderKind::Payout => tr!("代付", "payout"),
        paydesk_core::OrderKind::Deposit => tr!("代收", "deposit"),
    }
}

fn zh() -> bool {
    lang() == Lang::Zh
}

impl Out {
    pub fn failure(
        &self,
        code: &str,
        message: &str,
        field: Option<&str>,
        fields: &[FieldError],
        order: Option<&Order>,
    ) {
        for line in message.lines() {
            eprintln!("{} {line}", tr!("错误：", "error:"));
        }
        if self.json {
            let mut v = json!({"error": {"code": code, "message": message, "field": field}});
            if !fields.is_empty() {
                v["error"]["fields"] = json!(fields);
            }
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
            outln!("{text}");
        }
    }

    fn order_human(&self, o: &Order) {
        let sandbox = if o.sandbox {
            tr!(" [沙盒]", " [sandbox]")
        } else {
            String::new()
        };
        let kind = kind_label(o.kind);
        outln!("{}  {}  {}{}", o.order_no, kind, o.profile, sandbox);
        let mut rows: Vec<(String, String)> = vec![
            (tr!("金额", "amount"), format_cny(o.amount_fen)),
            (
                tr!("状态", "status"),
                format!(
                    "{} {}",
                    o.status.label(),
                    match (&o.provider_status, &o.provider_message) {
                        (Some(c), Some(m)) => format!("({c} {m})"),
                        (Some(c), None) => format!("({c})"),
                        (None, Some(m)) => format!("({m})"),
                        _ => String::new(),
                    }
                )
                .trim()
                .to_string(),
            ),
        ];
        if let Some(v) = &o.payee_name {
            rows.push((tr!("收款人", "payee"), v.clone()));
        }
        if let Some(v) = &o.account_no {
            rows.push((tr!("账号", "account"), v.clone()));
        }
        if let Some(v) = &o.bank_name {
            rows.push((tr!("银行", "bank"), v.clone()));
        }
        if let Some(v) = &o.channel {
            rows.push((tr!("通道", "channel"), v.clone()));
        }
        if let Some(id) = &o.provider_order_id {
            rows.push((tr!("平台订单号", "gateway no."), id.clone()));
        }
        if let Some(u) = &o.pay_url {
            rows.push((tr!("支付链接", "pay URL"), u.clone()));
        }
        if let Some(c) = &o.card {
            rows.push((
                tr!("收款卡", "pay to card"),
                format!(
                    "{} {} {} {}",
                    c.card_bank, c.card_branch, c.card_name, c.card_number
                ),
            ));
            if let Some(a) = c.actual_amount_fen {
                rows.push((tr!("应转金额", "transfer"), format_cny(a)));
            }
            if let Some(n) = &c.nonce {
                rows.push((tr!("附言", "remark"), n.clone()));
            }
        }
        if let Some(m) = &o.message {
            rows.push((tr!("说明", "note"), m.clone()));
        }
        rows.push((tr!("创建时间", "created"), format_time_ms(o.created_at)));
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        for (k, v) in rows {
            t.add_row(vec![k, v]);
        }
        outln!("{t}");
    }

    pub fn order_created(&self, o: &Order, warnings: &[FieldError]) {
        for w in warnings {
            eprintln!("{} {}: {}", tr!("注意：", "warning:"), w.field, w.message);
        }
        if self.json {
            let mut v = order_json(o);
            v["warnings"] = json!(warnings);
            print_json(&v);
            return;
        }
        self.order_human(o);
        if let Some(u) = &o.pay_url {
            if !u.starts_with("POST;") {
                if let Some(qr) = paydesk_core::qr::terminal(u) {
                    outln!("{qr}");
                }
            } else {
                outln!("{}", tr!("该支付链接需以表单 POST 打开，不能生成二维码；请在浏览器中打开", "this pay URL must be opened with a form POST and cannot be a QR code; open it in a browser"));
            }
        }
    }

    pub fn orders_detail(
        &self,
        list: &[(Order, Vec<OrderEvent>, SyncState)],
        errors: &[(Order, ErrorInfo)],
    ) {
        if self.json {
            let orders: Vec<Value> = list
                .iter()
                .map(|(o, ev, sync)| {
                    let mut v = order_json(o);
                    v["events"] = serde_json::to_value(ev).unwrap_or_default();
                    v["sync"] = crate::sync::sync_json(sync);
                    v["error"] = errors
                        .iter()
                        .find(|(e, _)| e.id == o.id)
                        .map(|(_, e)| json!(e))
                        .unwrap_or(Value::Null);
                    v
                })
                .collect();
            let errs: Vec<Value> = errors
                .iter()
                .map(|(o, e)| {
                    json!({"order_no": o.order_no, "profile": o.profile, "code": e.code, "message": e.message, "field": e.field})
                })
                .collect();
            print_json(&json!({"orders": orders, "errors": errs}));
        } else {
            for (o, events, sync) in list {
                self.order_human(o);
                outln!("  {}", crate::sync::sync_line(sync));
                if !events.is_empty() {
                    let mut t = table(vec![
                        tr!("时间", "time"),
                        tr!("动作", "action"),
                        tr!("状态", "status"),
                        tr!("说明", "message"),
                    ]);
                    for e in events {
                        t.add_row(vec![
                            format_time_ms(e.at),
                            e.action.clone(),
                            e.status.label(),
                            e.message.clone().unwrap_or_default(),
                        ]);
                    }
                    outln!("{t}");
                }
            }
        }
        for (o, e) in errors {
            eprintln!(
                "{} {} ({}): {}",
                tr!("查询失败：", "query failed:"),
                o.order_no,
                o.profile,
                e.message
            );
        }
    }

    pub fn order_list(&self, list: &[Order], next: Option<&str>) {
        if self.json {
            print_json(&json!({
                "orders": list.iter().map(order_json).collect::<Vec<_>>(),
                "more": next.is_some(),
                "next": next,
            }));
            return;
        }
        if list.is_empty() {
            outln!("{}", tr!("没有订单", "no orders"));
            return;
        }
        let mut t = table(vec![
            tr!("创建时间", "created"),
            tr!("订单号", "order no."),
            tr!("类型", "kind"),
            tr!("商户配置", "profile"),
            tr!("收款人/付款人", "payee/payer"),
            tr!("金额", "amount"),
            tr!("状态", "status"),
        ]);
        for o in list {
            t.add_row(vec![
                Cell::new(format_time_ms(o.created_at)),
                Cell::new(&o.order_no),
                Cell::new(kind_label(o.kind)),
                Cell::new(&o.profile),
                Cell::new(o.payee_name.clone().unwrap_or_default()),
                right(format_cny(o.amount_fen)),
                Cell::new(o.status.label()),
            ]);
        }
        outln!("{t}");
        if let Some(n) = next {
            outln!(
                "{}",
                tr!(
                    "还有更多订单：加上 --after {} 查看下一页",
                    "more orders: add --after {} for the next page",
                    n
                )
            );
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
        if !list.is_empty() {
            let mut t = table(vec![
                tr!("订单号", "order no."),
                tr!("商户配置", "profile"),
                tr!("状态", "status"),
                tr!("查询结果", "query"),
            ]);
            for r in list {
                t.add_row(vec![
                    r.order.order_no.clone(),
                    r.order.profile.clone(),
                    r.order.status.label(),
                    r.error
                        .as_ref()
                        .map(|e| e.message.clone())
                        .unwrap_or_else(|| tr!("成功", "ok")),
                ]);
            }
            outln!("{t}");
        }
        let failed = list.iter().filter(|r| r.error.is_some()).count();
        outln!(
            "{}",
            tr!(
                "已查询 {} 笔未完成订单，{} 笔查询失败",
                "queried {} open orders; {} queries failed",
                list.len(),
                failed
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
        let mut t = table(vec![
            tr!("商户配置", "profile"),
            tr!("网关", "gateway"),
            tr!("余额", "balance"),
            tr!("说明", "note"),
        ]);
        for b in list {
            let (value, note) = match (&b.balance_fen, &b.error) {
                (Some(f), _) => (
                    format_cny(*f),
                    if b.low {
                        tr!("余额不足", "LOW")
                    } else {
                        String::new()
                    },
                ),
                (None, Some(e)) => ("-".into(), e.message.clone()),
                _ => ("-".into(), String::new()),
            };
            t.add_row(vec![
                Cell::new(&b.profile),
                Cell::new(b.provider),
                right(value),
                Cell::new(note),
            ]);
        }
        outln!("{t}");
    }

    pub fn arrivals(&self, list: &[Arrival], start: i64, end: i64) {
        // The gateway answers at most 100 rows: a full page may hide older ones.
        let more = list.len() >= 100;
        if self.json {
            print_json(&json!({"arrivals": list, "start": start, "end": end, "more": more}));
            return;
        }
        if list.is_empty() {
            outln!(
                "{}",
                tr!("该时段没有到账记录", "no arrivals in this period")
            );
            return;
        }
        let mut t = table(vec![
            tr!("到账时间", "arrived"),
            tr!("卡尾号", "card"),
            tr!("金额", "amount"),
            tr!("银行", "bank"),
            tr!("付款人", "sender"),
            tr!("附言", "remark"),
        ]);
        for a in list {
            t.add_row(vec![
                Cell::new(&a.deposit_time),
                Cell::new(&a.card_tail),
                right(format_cny(a.amount_fen)),
                Cell::new(&a.bank),
                Cell::new(&a.sender_name),
                Cell::new(&a.nonce),
            ]);
        }
        outln!("{t}");
        if more {
            outln!(
                "{}",
                tr!(
                    "网关每次最多返回 100 笔，可能还有更早的记录：请缩短时间范围",
                    "the gateway returns at most 100 rows; there may be older ones: narrow the range"
                )
            );
        }
    }

    pub fn banks(&self, list: &[Bank]) {
        if self.json {
            print_json(&json!({"banks": list}));
            return;
        }
        if list.is_empty() {
            outln!("{}", tr!("没有匹配的银行", "no matching bank"));
            return;
        }
        let mut t = table(vec![
            tr!("代码", "code"),
            tr!("银行", "bank"),
            tr!("拼音首字母", "initials"),
        ]);
        for b in list {
            t.add_row(vec![
                b.code.clone().unwrap_or_default(),
                b.name.clone(),
                b.initials.clone(),
            ]);
        }
        outln!("{t}");
    }

    pub fn form(&self, profile: &str, f: &FormSpec) {
        if self.json {
            print_json(&json!({"profile": profile, "form": f}));
            return;
        }
        let pick = |zh_text: &str, en_text: &str| {
            if zh() {
                zh_text.to_string()
            } else {
                en_text.to_string()
            }
        };
        outln!(
            "{} · {} · {} ({})",
            profile,
            f.provider.display_name(),
            kind_label(f.kind),
            f.operation
        );
        let mut amount = vec![tr!("最低 {}", "min {}", format_cny(f.amount.min_fen))];
        if let Some(m) = f.amount.max_fen.filter(|m| *m < i32::MAX as i64) {
            amount.push(tr!("单笔最高 {}", "max {} per order", format_cny(m)));
        }
        if let Some(d) = f.amount.daily_max_fen {
            amount.push(tr!("每日最高 {}", "max {} per day", format_cny(d)));
        }
        if f.amount.whole_yuan {
            amount.push(tr!("只能整数元", "whole yuan only"));
        }
        outln!(
            "  --amount        {}",
            amount.join(tr!("，", ", ").as_str())
        );
        if f.order_no.sent {
            outln!(
                "  --order-no      {}",
                tr!(
                    "可选，最长 {} 个字符（不填自动生成）",
                    "optional, at most {} characters (generated when empty)",
                    f.order_no.max_len.min(paydesk_core::order_no::MAX_LEN)
                )
            );
        }
        let mut t = table(vec![
            tr!("字段", "field"),
            tr!("名称", "label"),
            tr!("必填", "required"),
            tr!("限制", "limits"),
            tr!("说明", "help"),
        ]);
        for field in &f.fields {
            let required = if field.required {
                tr!("是", "yes")
            } else if let Some(c) = &field.required_when {
                format!("{} = {}", c.field, c.equals)
            } else {
                String::new()
            };
            let mut limits = Vec::new();
            if let Some(c) = &field.shown_when {
                limits.push(tr!("仅当 {} = {}", "only when {} = {}", c.field, c.equals));
            }
            if let Some(m) = field.effective_max_len() {
                limits.push(tr!("最长 {}", "max {}", m));
            }
            if let Some(d) = &field.default {
                limits.push(tr!("默认 {}", "default {}", d));
            }
            match field.input {
                InputKind::AccountNo => limits.push(tr!("数字", "digits")),
                InputKind::Bank => limits.push(tr!(
                    "银行名称/代码/拼音首字母（paydesk banks）",
                    "bank name, code or initials (paydesk banks)"
                )),
                InputKind::Checkbox => limits.push("true/false".into()),
                _ => {}
            }
            let mut help = match (&field.help_zh, &field.help_en) {
                (Some(z), Some(e)) => pick(z, e),
                _ => String::new(),
            };
            if !field.choices.is_empty() {
                let choices: Vec<String> = field
                    .choices
                    .iter()
                    .map(paydesk_core::form::Choice::text)
                    .collect();
                if !help.is_empty() {
                    help.push('\n');
                }
                help.push_str(&choices.join("\n"));
                if field.allow_other {
                    help.push_str(&tr!("\n（也可填写其他值）", "\n(or another value)"));
                }
            }
            t.add_row(vec![
                field.id.clone(),
                field.label().to_string(),
                required,
                limits.join("\n"),
                help,
            ]);
        }
        if !f.fields.is_empty() {
            outln!("{t}");
            outln!(
                "{}",
                tr!(
                    "字段用同名参数填写（下划线写作 -，如 --payee-name），或 --field 字段=值",
                    "give a field with its flag (_ written as -, e.g. --payee-name) or --field id=value"
                )
            );
        }
        let notes = if zh() { &f.notes_zh } else { &f.notes_en };
        for n in notes {
            outln!("  · {n}");
        }
    }

    pub fn profile(&self, p: &ProfileView) {
        if self.json {
            print_json(&profile_json(p));
            return;
        }
        let pr = &p.profile;
        outln!(
            "{}{}",
            pr.name,
            if pr.sandbox {
                tr!(" [沙盒]", " [sandbox]")
            } else {
                String::new()
            }
        );
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        t.add_row(vec![tr!("网关", "gateway"), pr.provider.to_string()]);
        t.add_row(vec![tr!("地址", "base URL"), pr.gateway.base_url.clone()]);
        t.add_row(vec![
            tr!("商户号", "merchant"),
            pr.gateway.merchant_id.clone(),
        ]);
        if let Some(a) = &pr.gateway.app_id {
            t.add_row(vec!["appId".to_string(), a.clone()]);
        }
        if let Some(a) = &pr.gateway.notify_url {
            t.add_row(vec![tr!("回调地址", "notify URL"), a.clone()]);
        }
        if let Some(l) = pr.low_balance_fen {
            t.add_row(vec![tr!("余额提醒", "low balance"), format_cny(l)]);
        }
        if let Some(a) = pr.approval_threshold_fen {
            t.add_row(vec![
                tr!("审批阈值", "approval at"),
                if a == 0 {
                    tr!("每笔代付", "every payout")
                } else {
                    format_cny(a)
                },
            ]);
        }
        t.add_row(vec![
            tr!("密钥", "key"),
            if p.secret_saved {
                tr!("已保存（系统密钥环）", "saved (OS keyring)")
            } else {
                tr!("未保存", "not saved")
            },
        ]);
        outln!("{t}");
        if let Some(w) = &p.warning {
            outln!("  ! {w}");
        }
    }

    pub fn profiles(&self, list: &[ProfileView]) {
        if self.json {
            print_json(&json!({"profiles": list.iter().map(profile_json).collect::<Vec<_>>()}));
            return;
        }
        if list.is_empty() {
            outln!("{}", tr!("还没有商户配置", "no profiles yet"));
            return;
        }
        let mut t = table(vec![
            tr!("名称", "name"),
            tr!("网关", "gateway"),
            tr!("地址", "base URL"),
            tr!("沙盒", "sandbox"),
        ]);
        for p in list {
            let pr = &p.profile;
            t.add_row(vec![
                pr.name.clone(),
                pr.provider.to_string(),
                pr.gateway.base_url.clone(),
                if pr.sandbox {
                    tr!("是", "yes")
                } else {
                    String::new()
                },
            ]);
        }
        outln!("{t}");
    }
}

fn profile_json(p: &ProfileView) -> Value {
    serde_json::to_value(p).unwrap_or_default()
}
