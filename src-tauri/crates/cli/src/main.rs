//! `paydesk`: the command-line face of the same services the desktop app calls.

use clap::{Args, Parser, Subcommand};
use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::error::{CoreError, FieldError};
use paydesk_core::form::OrderInput;
use paydesk_core::i18n::{self, Lang};
use paydesk_core::money;
use paydesk_core::services::{ErrorInfo, OrderOutcome, PayDesk, ProfileInput};
use paydesk_core::store::{Order, OrderFilter};
use paydesk_core::tr;
use paydesk_core::vault::KeyringStore;
use paydesk_core::Secret;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod batch;
mod output;
mod sync;
use output::Out;

#[derive(Parser)]
#[command(
    name = "paydesk",
    version,
    about = "PayDesk: payouts, deposits, order look-up and balances across payment gateways"
)]
struct Cli {
    /// Data directory (SQLite file); defaults to the OS data dir.
    #[arg(long, global = true, env = "PAYDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document.
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages: zh-CN (default) or en.
    #[arg(long, global = true, env = "PAYDESK_LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Merchant profiles (one set of credentials at one gateway).
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Payouts (代付).
    #[command(subcommand)]
    Payout(PayoutCmd),
    /// Deposits (代收).
    #[command(subcommand)]
    Deposit(DepositCmd),
    /// Orders in the local history.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Balances of every profile whose gateway offers it.
    Balance {
        #[arg(long)]
        profile: Option<String>,
    },
    /// Arrivals on the collection cards (jstpay deposit/detail).
    Arrivals {
        #[arg(long)]
        profile: String,
        /// Unix seconds.
        #[arg(long)]
        start: Option<i64>,
        /// Unix seconds.
        #[arg(long)]
        end: Option<i64>,
    },
    /// Batch payouts from a file: template, import, run, show, list, export, cancel.
    #[command(subcommand)]
    Batch(batch::BatchCmd),
    /// Search the bank list by name, code or pinyin initials.
    Banks {
        #[arg(long)]
        provider: Option<String>,
        query: Option<String>,
    },
    /// Query open orders at their gateways on the backoff schedule and print
    /// what settles, gets stuck or runs low; runs until stopped.
    Sync {
        /// Run one pass of everything due, then exit.
        #[arg(long)]
        once: bool,
        /// Check at most this many due orders per pass.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Serve the built-in simulator of all five gateways on 127.0.0.1.
    Sandbox {
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Demo mode: orders succeed by themselves after this many seconds.
        #[arg(long)]
        auto_advance: Option<u64>,
    },
}

#[derive(Subcommand)]
enum ProfileCmd {
    Add(ProfileAdd),
    /// Add a profile for each sandbox gateway (credentials go to the keyring).
    AddSandbox {
        /// The sandbox address, e.g. http://127.0.0.1:8765
        #[arg(long)]
        sandbox_url: String,
    },
    List,
    Show {
        name: String,
    },
    Remove {
        name: String,
    },
    /// A signed call that proves the credentials.
    Test {
        name: String,
    },
}

#[derive(Args)]
struct ProfileAdd {
    name: String,
    #[arg(long)]
    provider: String,
    #[arg(long)]
    base_url: String,
    #[arg(long, default_value = "")]
    merchant_id: String,
    #[arg(long)]
    app_id: Option<String>,
    #[arg(long)]
    operator_id: Option<String>,
    #[arg(long)]
    notify_url: Option<String>,
    #[arg(long)]
    return_url: Option<String>,
    /// Low-balance threshold in yuan.
    #[arg(long)]
    low_balance: Option<String>,
    /// Read the secret from the first line of stdin (xxpay: optional reply key on the second).
    #[arg(long)]
    secret_stdin: bool,
}

#[derive(Subcommand)]
enum PayoutCmd {
    Create(PayoutCreate),
}

#[derive(Args)]
struct PayoutCreate {
    #[arg(long)]
    profile: String,
    #[arg(long)]
    amount: String,
    #[arg(long)]
    order_no: Option<String>,
    #[arg(long)]
    payee_name: Option<String>,
    #[arg(long)]
    account_no: Option<String>,
    #[arg(long)]
    bank_name: Option<String>,
    #[arg(long)]
    bank_code: Option<String>,
    #[arg(long)]
    branch: Option<String>,
    #[arg(long)]
    province: Option<String>,
    #[arg(long)]
    city: Option<String>,
    #[arg(long)]
    account_type: Option<String>,
    #[arg(long)]
    entry_type: Option<String>,
    #[arg(long)]
    if_code: Option<String>,
    #[arg(long)]
    remark: Option<String>,
    /// Any other field of the gateway's form, as id=value.
    #[arg(long = "field", value_name = "ID=VALUE")]
    fields: Vec<String>,
}

#[derive(Subcommand)]
enum DepositCmd {
    Create(DepositCreate),
}

#[derive(Args)]
struct DepositCreate {
    #[arg(long)]
    profile: String,
    #[arg(long)]
    amount: String,
    #[arg(long)]
    channel: String,
    #[arg(long)]
    order_no: Option<String>,
    #[arg(long)]
    payer_name: Option<String>,
    #[arg(long)]
    payer_bank_code: Option<String>,
    #[arg(long)]
    payer_account_no: Option<String>,
    #[arg(long)]
    subject: Option<String>,
    #[arg(long)]
    body: Option<String>,
    #[arg(long)]
    auth_code: Option<String>,
    #[arg(long)]
    to_card: bool,
    #[arg(long = "field", value_name = "ID=VALUE")]
    fields: Vec<String>,
}

#[derive(Subcommand)]
enum OrderCmd {
    /// Local history of all profiles (or one); --refresh asks the gateway.
    Get {
        order_no: String,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        refresh: bool,
    },
    List {
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only orders open longer than their profile's stuck threshold, with
        /// the reason of the last check.
        #[arg(long)]
        stuck: bool,
    },
    /// Re-query every order that is not final.
    Refresh,
}

/// A failure the CLI reports: a code, a message and an exit status.
struct Failure {
    code: String,
    message: String,
    field: Option<String>,
    exit: u8,
    order: Option<Box<Order>>,
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        let info = ErrorInfo::from(&e);
        Failure {
            code: info.code,
            message: info.message,
            field: info.field,
            exit: 1,
            order: None,
        }
    }
}

impl From<FieldError> for Failure {
    fn from(e: FieldError) -> Self {
        CoreError::Field(e).into()
    }
}

type Res = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(l) = cli.lang.as_deref().and_then(Lang::parse) {
        i18n::set_lang(l);
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PAYDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let out = Out { json: cli.json };
    match rt.block_on(run(cli, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            out.failure(&f.code, &f.message, f.field.as_deref(), f.order.as_deref());
            ExitCode::from(f.exit)
        }
    }
}

fn data_dir(cli: &Option<PathBuf>) -> PathBuf {
    cli.clone().unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("paydesk")
    })
}

async fn run(cli: Cli, out: &Out) -> Res {
    if let Command::Sandbox { port, auto_advance } = cli.command {
        return serve_sandbox(port, auto_advance, out).await;
    }
    if let Command::Banks { provider, query } = &cli.command {
        let p = match provider {
            Some(p) => Some(parse_provider(p)?),
            None => None,
        };
        let banks = PayDesk::banks(p, query.as_deref().unwrap_or(""));
        out.banks(&banks);
        return Ok(());
    }
    let desk = PayDesk::open(&data_dir(&cli.data_dir), Arc::new(KeyringStore)).await?;
    match cli.command {
        Command::Profile(cmd) => profile(&desk, cmd, out).await,
        Command::Payout(PayoutCmd::Create(c)) => {
            let mut v = BTreeMap::new();
            for (k, val) in [
                ("payee_name", c.payee_name),
                ("account_no", c.account_no),
                ("bank_name", c.bank_name),
                ("bank_code", c.bank_code),
                ("branch", c.branch),
                ("province", c.province),
                ("city", c.city),
                ("account_type", c.account_type),
                ("entry_type", c.entry_type),
                ("if_code", c.if_code),
                ("remark", c.remark),
            ] {
                if let Some(val) = val {
                    v.insert(k.to_string(), val);
                }
            }
            extra_fields(&mut v, &c.fields)?;
            let input = OrderInput {
                amount: c.amount,
                order_no: c.order_no,
                values: v,
            };
            create(&desk, &c.profile, OrderKind::Payout, &input, out).await
        }
        Command::Deposit(DepositCmd::Create(c)) => {
            let mut v = BTreeMap::new();
            v.insert("channel".to_string(), c.channel);
            for (k, val) in [
                ("payer_name", c.payer_name),
                ("payer_bank_code", c.payer_bank_code),
                ("payer_account_no", c.payer_account_no),
                ("subject", c.subject),
                ("body", c.body),
                ("auth_code", c.auth_code),
            ] {
                if let Some(val) = val {
                    v.insert(k.to_string(), val);
                }
            }
            if c.to_card {
                v.insert("to_card".into(), "true".into());
            }
            extra_fields(&mut v, &c.fields)?;
            let input = OrderInput {
                amount: c.amount,
                order_no: c.order_no,
                values: v,
            };
            create(&desk, &c.profile, OrderKind::Deposit, &input, out).await
        }
        Command::Order(cmd) => order(&desk, cmd, out).await,
        Command::Sync { once, limit } => sync::sync(&desk, once, limit, out).await,
        Command::Balance { profile } => {
            let list = match profile {
                Some(p) => vec![desk.balance(&p).await?],
                None => desk.balances().await?,
            };
            out.balances(&list);
            Ok(())
        }
        Command::Arrivals {
            profile,
            start,
            end,
        } => {
            let list = desk.arrivals(&profile, start, end).await?;
            out.arrivals(&list);
            Ok(())
        }
        Command::Batch(cmd) => batch::run(&desk, cmd, out).await,
        Command::Banks { .. } | Command::Sandbox { .. } => unreachable!("handled above"),
    }
}

fn extra_fields(v: &mut BTreeMap<String, String>, fields: &[String]) -> Res {
    for f in fields {
        let (k, val) = f.split_once('=').ok_or_else(|| {
            FieldError::new(
                "field",
                tr!(
                    "--field 的格式应为 字段=值：{}",
                    "--field takes id=value: {}",
                    f
                ),
            )
        })?;
        v.insert(k.trim().to_string(), val.to_string());
    }
    Ok(())
}

fn parse_provider(s: &str) -> Result<ProviderKind, Failure> {
    ProviderKind::parse(s).ok_or_else(|| {
        FieldError::new(
            "provider",
            tr!(
                "未知网关“{}”，可选：jstpay, jeepay, juyouke, appkey, xxpay",
                "unknown gateway “{}”; choose jstpay, jeepay, juyouke, appkey or xxpay",
                s
            ),
        )
        .into()
    })
}

async fn create(
    desk: &PayDesk,
    profile: &str,
    kind: OrderKind,
    input: &OrderInput,
    out: &Out,
) -> Res {
    let OrderOutcome { order, error } = desk.create_order(profile, kind, input).await?;
    match error {
        None => {
            out.order_created(&order);
            Ok(())
        }
        Some(e) => Err(Failure {
            code: e.code,
            message: e.message,
            field: e.field,
            exit: if order.status == OrderStatus::Unknown {
                4
            } else {
                3
            },
            order: Some(Box::new(order)),
        }),
    }
}

async fn order(desk: &PayDesk, cmd: OrderCmd, out: &Out) -> Res {
    match cmd {
        OrderCmd::Get {
            order_no,
            profile,
            refresh,
        } => {
            let mut found = desk.find_orders(&order_no, profile.as_deref()).await?;
            if found.is_empty() {
                return Err(CoreError::NotFound(tr!(
                    "本地历史中没有订单 {}",
                    "no order {} in the local history",
                    order_no
                ))
                .into());
            }
            let mut errors = Vec::new();
            if refresh {
                // Each order is reported: one that cannot be asked does not hide the others.
                let ids: Vec<i64> = found.iter().map(|o| o.id).collect();
                found.clear();
                for r in desk.refresh_orders(&ids).await? {
                    found.push(r.order);
                    if let Some(e) = r.error {
                        errors.push(e);
                    }
                }
            }
            let mut detailed = Vec::new();
            for o in &found {
                detailed.push((
                    o.clone(),
                    desk.order_events(o.id).await?,
                    desk.sync_state(o.id).await?,
                ));
            }
            out.orders_detail(&detailed, &errors);
            Ok(())
        }
        OrderCmd::List {
            profile,
            kind,
            status,
            limit,
            stuck,
        } => {
            if stuck {
                return sync::stuck(desk, limit, out).await;
            }
            let kind = match kind {
                Some(k) => Some(OrderKind::parse(&k).ok_or_else(|| {
                    FieldError::new(
                        "kind",
                        tr!("类型应为 payout 或 deposit", "kind is payout or deposit"),
                    )
                })?),
                None => None,
            };
            let status = match status {
                Some(s) => Some(OrderStatus::parse(&s).ok_or_else(|| {
                    FieldError::new(
                        "status",
                        tr!(
                            "状态应为 pending/processing/succeeded/failed/unknown",
                            "status is pending, processing, succeeded, failed or unknown"
                        ),
                    )
                })?),
                None => None,
            };
            let page = desk
                .list_orders(&OrderFilter {
                    profile,
                    kind,
                    status,
                    limit: Some(limit),
                    ..Default::default()
                })
                .await?;
            out.order_list(&page.orders);
            Ok(())
        }
        OrderCmd::Refresh => {
            let results = desk.refresh_open().await?;
            out.refreshed(&results);
            Ok(())
        }
    }
}

fn read_secrets(stdin: bool, provider: ProviderKind) -> Result<(Secret, Option<Secret>), Failure> {
    let secret_err = |e: std::io::Error| Failure {
        code: "secret".into(),
        message: tr!("无法读取密钥：{}", "cannot read the key: {}", e),
        field: Some("secret".into()),
        exit: 1,
        order: None,
    };
    if stdin {
        let lines: Vec<String> = std::io::stdin()
            .lock()
            .lines()
            .take(2)
            .collect::<Result<_, _>>()
            .map_err(secret_err)?;
        let secret = Secret::new(
            lines
                .first()
                .cloned()
                .unwrap_or_default()
                .trim()
                .to_string(),
        );
        let reply = lines
            .get(1)
            .map(|s| Secret::new(s.trim().to_string()))
            .filter(|s| !s.is_empty());
        return Ok((secret, reply));
    }
    let secret = Secret::new(
        rpassword::prompt_password(tr!(
            "商户密钥（输入不显示）: ",
            "merchant key (not echoed): "
        ))
        .map_err(secret_err)?,
    );
    let reply = if provider == ProviderKind::Xxpay {
        let r = rpassword::prompt_password(tr!(
            "应答密钥（可留空，与商户密钥相同）: ",
            "reply key (empty: same as the merchant key): "
        ))
        .map_err(secret_err)?;
        Some(Secret::new(r)).filter(|s| !s.expose().trim().is_empty())
    } else {
        None
    };
    Ok((secret, reply))
}

async fn profile(desk: &PayDesk, cmd: ProfileCmd, out: &Out) -> Res {
    match cmd {
        ProfileCmd::Add(a) => {
            let provider = parse_provider(&a.provider)?;
            let low = match a.low_balance.as_deref() {
                Some(t) => Some(money::parse_yuan("low_balance", t)?),
                None => None,
            };
            let input = ProfileInput {
                name: a.name,
                provider: Some(provider),
                base_url: a.base_url,
                merchant_id: a.merchant_id,
                app_id: a.app_id,
                operator_id: a.operator_id,
                notify_url: a.notify_url,
                return_url: a.return_url,
                low_balance_fen: low,
                sandbox: false,
            };
            // Validate the settings before asking for the key.
            let (secret, reply) = read_secrets(a.secret_stdin, provider)?;
            let view = desk.add_profile(input, secret, reply).await?;
            out.profile(&view);
            Ok(())
        }
        ProfileCmd::AddSandbox { sandbox_url } => {
            let mut added = Vec::new();
            for kind in ProviderKind::ALL {
                let c = paydesk_sandbox::credentials(kind);
                let input = ProfileInput {
                    name: format!("sandbox-{}", kind.as_str()),
                    provider: Some(kind),
                    base_url: format!("{}/{}", sandbox_url.trim_end_matches('/'), kind.as_str()),
                    merchant_id: c.merchant_id.into(),
                    app_id: c.app_id.map(String::from),
                    operator_id: c.operator_id.map(String::from),
                    notify_url: Some("http://127.0.0.1:9/notify".into()),
                    return_url: Some("http://127.0.0.1:9/return".into()),
                    low_balance_fen: None,
                    sandbox: true,
                };
                added.push(
                    desk.add_profile(
                        input,
                        Secret::new(c.secret),
                        c.reply_secret.map(Secret::new),
                    )
                    .await?,
                );
            }
            out.profiles(&added);
            Ok(())
        }
        ProfileCmd::List => {
            out.profiles(&desk.profiles().await?);
            Ok(())
        }
        ProfileCmd::Show { name } => {
            out.profile(&desk.profile(&name).await?);
            Ok(())
        }
        ProfileCmd::Remove { name } => {
            desk.remove_profile(&name).await?;
            out.message(
                &tr!(
                    "已删除商户配置 {}（其订单历史保留）",
                    "removed profile {} (its order history is kept)",
                    name
                ),
                json!({"removed": name}),
            );
            Ok(())
        }
        ProfileCmd::Test { name } => {
            let r = desk.test_profile(&name).await?;
            if r.ok {
                out.message(&r.message, json!({"ok": true, "message": r.message}));
                Ok(())
            } else {
                Err(Failure {
                    code: "gateway".into(),
                    message: r.message,
                    field: None,
                    exit: 1,
                    order: None,
                })
            }
        }
    }
}

async fn serve_sandbox(port: u16, auto_advance: Option<u64>, out: &Out) -> Res {
    let running = paydesk_sandbox::spawn(port, auto_advance.map(std::time::Duration::from_secs))
        .await
        .map_err(|e| Failure {
            code: "internal".into(),
            message: tr!("无法启动沙盒：{}", "cannot start the sandbox: {}", e),
            field: None,
            exit: 1,
            order: None,
        })?;
    let urls: BTreeMap<&str, String> = ProviderKind::ALL
        .iter()
        .map(|k| (k.as_str(), running.base_url(*k)))
        .collect();
    out.message(
        &tr!(
            "沙盒网关已在 http://{} 运行（Ctrl+C 停止）",
            "sandbox gateways running at http://{} (Ctrl+C stops)",
            running.addr
        ),
        json!({"addr": running.addr.to_string(), "base_urls": urls}),
    );
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
