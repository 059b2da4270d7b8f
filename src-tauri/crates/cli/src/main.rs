//! `paydesk`: the command-line face of the same services the desktop app calls.

use clap::{Args, Parser, Subcommand};
use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::error::{CoreError, FieldError};
use paydesk_core::form::OrderInput;
use paydesk_core::gateway::{GatewayConfig, GatewayError};
use paydesk_core::i18n::{self, Lang};
use paydesk_core::money;
use paydesk_core::services::{
    parse_approval_threshold, ErrorInfo, OrderOutcome, PayDesk, ProfileInput,
};
use paydesk_core::store::{Order, OrderFilter};
use paydesk_core::tr;
use paydesk_core::Secret;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

mod approvals;
mod batch;
mod help_zh;
mod output;
mod sync;
mod team;
mod usage;
use output::Out;

/// Exit statuses: scripts branch on these (also in the README).
mod exit {
    /// Bad input, not found, keyring or storage trouble: nothing was sent.
    pub const ERROR: u8 = 1;
    /// The command line itself is wrong (unknown flag, missing argument).
    pub const USAGE: u8 = 2;
    /// The gateway refused the order; it is stored as failed.
    pub const REFUSED: u8 = 3;
    /// The order may have reached the gateway: query it later, never re-create it.
    pub const UNKNOWN: u8 = 4;
    /// A gateway query or read failed (refresh, balance, arrivals, profile test).
    pub const READ_FAILED: u8 = 5;
}

/// The exit statuses in `--help` (English; `help_zh` swaps in the Chinese).
const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  error: bad input, not found, keyring or storage; nothing was sent
  2  usage error: unknown flag, missing or bad argument
  3  the gateway refused the order (stored as failed)
  4  the order's outcome is unknown: query it later, do not create it again
  5  a gateway query or read failed (refresh, balance, arrivals, profile test); nothing was changed
paydesk batch: 2 the batch cannot run, 5 the run paused before every row reached a state

With --json, every outcome is one JSON document on stdout; errors are
{\"error\":{\"code\",\"message\",\"field\"}} (usage errors have code \"usage\").";

const EXIT_CODES_HELP_ZH: &str = "\
退出码：
  0  成功
  1  出错：输入有误、找不到、密钥环或数据库错误，未发送任何请求
  2  命令行用法错误：未知参数、缺少参数或参数值无效
  3  网关拒绝了订单（已记为失败）
  4  订单结果未知：稍后查询，不要重复下单
  5  网关查询或读取失败（刷新、余额、到账记录、商户配置测试），未更改任何数据
paydesk batch：2 批次无法执行，5 批次在每一行都有结果之前暂停了

加 --json 时，每个结果都是 stdout 上的一个 JSON 文档；错误为
{\"error\":{\"code\",\"message\",\"field\"}}（用法错误的 code 为 \"usage\"）。";

#[derive(Parser)]
#[command(
    name = "paydesk",
    version,
    about = "PayDesk: payouts, deposits, order look-up and balances across payment gateways",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    /// Data directory (SQLite file); defaults to the OS data dir.
    #[arg(long, global = true, env = "PAYDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The database: a team's postgres://NAME@HOST:PORT/DB (password from the
    /// URL, PGPASSWORD or the keyring entry `team join` saved) or sqlite:PATH.
    /// Also PAYDESK_DATABASE_URL; default: the desk's saved choice, else the
    /// local file in the data directory.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Print one JSON document (errors too).
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages: zh-CN (default) or en.
    #[arg(long, global = true, env = "PAYDESK_LANG", value_parser = parse_lang)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

/// `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en-US`...; anything else is refused
/// rather than silently falling back to Chinese.
fn parse_lang(s: &str) -> Result<Lang, String> {
    let l = s.trim().to_ascii_lowercase();
    let ok = ["zh", "en"]
        .iter()
        .any(|p| l == *p || l.starts_with(&format!("{p}-")) || l.starts_with(&format!("{p}_")));
    match Lang::parse(&l) {
        Some(lang) if ok => Ok(lang),
        _ => Err(format!(
            "unknown language “{s}”: use zh-CN or en / 未知语言“{s}”：可选 zh-CN 或 en"
        )),
    }
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
    /// The fields of a profile's payout or deposit form: labels, help, limits, choices.
    Form {
        /// Profile name.
        profile: String,
        /// Which form.
        #[arg(value_parser = ["payout", "deposit"])]
        kind: String,
    },
    /// Balances of every profile whose gateway offers it.
    Balance {
        /// Only this profile.
        #[arg(long)]
        profile: Option<String>,
    },
    /// Arrivals on the collection cards (jstpay deposit/detail), at most 31 days.
    Arrivals {
        /// Profile name.
        #[arg(long)]
        profile: String,
        /// Start: Unix seconds or a Beijing-time date `2026-11-28` / `2026-11-28 08:00`
        /// (default: one day before the end).
        #[arg(long)]
        start: Option<String>,
        /// End: Unix seconds or a Beijing-time date (default: now).
        #[arg(long)]
        end: Option<String>,
    },
    /// Batch payouts from a file: template, import, run, show, list, export, cancel.
    #[command(subcommand)]
    Batch(batch::BatchCmd),
    /// Search the bank list by name, code or pinyin initials.
    Banks {
        /// Gateway whose list to search (xxpay has its own codes).
        #[arg(long)]
        provider: Option<String>,
        /// Name, code or pinyin initials, e.g. gsyh.
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
    /// The gateways' callbacks.
    #[command(subcommand)]
    Notify(NotifyCmd),
    /// Payouts awaiting a checker's approval (team mode).
    #[command(subcommand)]
    Approvals(approvals::ApprovalsCmd),
    /// Approve a payout (or with --batch, a batch as a whole) awaiting
    /// approval and send it from this desk (team mode).
    Approve {
        /// Merchant order number.
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        order_no: Option<String>,
        /// The profile, when several have this number.
        #[arg(long, conflicts_with = "batch")]
        profile: Option<String>,
        /// A batch id: approve the batch as a whole and run it from this desk.
        #[arg(long)]
        batch: Option<i64>,
        /// Rows of the batch sent at the same time (default 4).
        #[arg(long, default_value_t = paydesk_core::batch::DEFAULT_CONCURRENCY, requires = "batch")]
        concurrency: usize,
    },
    /// Reject a payout (or with --batch, a batch) awaiting approval: nothing
    /// is sent (team mode).
    Reject {
        /// Merchant order number.
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        order_no: Option<String>,
        /// Why (kept with the order and in the audit log).
        #[arg(long)]
        reason: String,
        /// The profile, when several have this number.
        #[arg(long, conflicts_with = "batch")]
        profile: Option<String>,
        /// A batch id: reject the batch as a whole.
        #[arg(long)]
        batch: Option<i64>,
    },
    /// Team mode: a shared PostgreSQL database with operators as database roles.
    #[command(subcommand)]
    Team(team::TeamCmd),
    /// Serve the built-in simulator of all five gateways on 127.0.0.1.
    Sandbox {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Demo mode: orders succeed by themselves after this many seconds.
        #[arg(long)]
        auto_advance: Option<u64>,
    },
}

#[derive(Subcommand)]
enum NotifyCmd {
    /// Receive callbacks at /notify/<profile id> until stopped.
    Listen {
        /// HOST:PORT to listen on (a bare port binds 127.0.0.1).
        #[arg(long, default_value = "127.0.0.1:47652")]
        bind: String,
        /// Requests per second per source address (0: no limit).
        #[arg(long, default_value_t = 100)]
        rate: u32,
    },
}

#[derive(Subcommand)]
enum ProfileCmd {
    /// Add a profile (the key is read without echo, or with --secret-stdin).
    Add(ProfileAdd),
    /// Change a profile's settings or key; flags not given keep their value.
    Edit(ProfileEdit),
    /// Add a profile for each sandbox gateway (credentials go to the keyring).
    AddSandbox {
        /// The sandbox address, e.g. http://127.0.0.1:8765
        #[arg(long)]
        sandbox_url: String,
    },
    /// List the profiles.
    List,
    /// Show one profile.
    Show {
        /// Profile name.
        name: String,
    },
    /// Remove a profile and its keys (its order history is kept).
    Remove {
        /// Profile name.
        name: String,
    },
    /// A signed call that proves the credentials.
    Test {
        /// Profile name.
        name: String,
    },
}

#[derive(Args)]
struct ProfileAdd {
    /// A name of your choice, e.g. jst-main.
    name: String,
    /// Gateway: jstpay, jeepay, juyouke, appkey or xxpay.
    #[arg(long)]
    provider: String,
    /// The gateway's address as its support gave it.
    #[arg(long)]
    base_url: String,
    #[command(flatten)]
    settings: SettingFlags,
}

#[derive(Args)]
struct ProfileEdit {
    /// The profile to change.
    profile: String,
    /// New name.
    #[arg(long)]
    name: Option<String>,
    /// New gateway address.
    #[arg(long)]
    base_url: Option<String>,
    #[command(flatten)]
    settings: SettingFlags,
}

/// The profile flags `profile add` and `profile edit` share, declared once:
/// on add a flag not given is no setting, on edit it keeps the current value
/// (and "" clears an optional one).
#[derive(Args)]
struct SettingFlags {
    /// Merchant id at the gateway (juyouke: app_id; appkey: appKey).
    #[arg(long)]
    merchant_id: Option<String>,
    /// Application id (jeepay, xxpay).
    #[arg(long)]
    app_id: Option<String>,
    /// Operator id (juyouke).
    #[arg(long)]
    operator_id: Option<String>,
    /// Where the gateway sends callbacks.
    #[arg(long)]
    notify_url: Option<String>,
    /// Where the payer's browser returns after paying.
    #[arg(long)]
    return_url: Option<String>,
    /// Low-balance threshold in yuan.
    #[arg(long)]
    low_balance: Option<String>,
    /// Team mode: payouts at or above this many yuan need a checker's
    /// approval (0: every payout; on edit "" clears it).
    #[arg(long)]
    approval_threshold: Option<String>,
    /// Read the key from the first line of stdin (xxpay: optional reply key on the second).
    #[arg(long)]
    secret_stdin: bool,
}

impl SettingFlags {
    /// The gateway settings these flags give over `current`.
    fn over(&self, base_url: Option<String>, current: GatewayConfig) -> GatewayConfig {
        GatewayConfig {
            base_url: base_url.unwrap_or(current.base_url),
            merchant_id: self.merchant_id.clone().unwrap_or(current.merchant_id),
            app_id: self.app_id.clone().or(current.app_id),
            operator_id: self.operator_id.clone().or(current.operator_id),
            notify_url: self.notify_url.clone().or(current.notify_url),
            return_url: self.return_url.clone().or(current.return_url),
        }
    }
}

#[derive(Subcommand)]
enum PayoutCmd {
    /// Send a payout (see `paydesk form PROFILE payout` for the fields).
    Create(PayoutCreate),
}

#[derive(Args, serde::Serialize)]
struct PayoutCreate {
    /// Profile name.
    #[arg(long)]
    #[serde(skip)]
    profile: String,
    /// Amount in yuan, e.g. 100 or 100.50.
    #[arg(long)]
    #[serde(skip)]
    amount: String,
    /// Merchant order number (generated when not given).
    #[arg(long)]
    #[serde(skip)]
    order_no: Option<String>,
    /// Payee's name, exactly as on the account.
    #[arg(long)]
    payee_name: Option<String>,
    /// Payee's card or account number (spaces are removed).
    #[arg(long)]
    account_no: Option<String>,
    /// Bank name, or pinyin initials such as gsyh.
    #[arg(long)]
    bank_name: Option<String>,
    /// Bank code (xxpay: HPT00001–HPT00097; see `paydesk banks --provider xxpay`).
    #[arg(long)]
    bank_code: Option<String>,
    /// Branch (开户支行).
    #[arg(long)]
    branch: Option<String>,
    /// Province of the account.
    #[arg(long)]
    province: Option<String>,
    /// City of the account.
    #[arg(long)]
    city: Option<String>,
    /// Account type (xxpay: 1 bank card, 2 WeChat, 3 Alipay, 4 other).
    #[arg(long)]
    account_type: Option<String>,
    /// Pay into (jeepay: WX_CASH, ALIPAY_CASH, BANK_CARD).
    #[arg(long)]
    entry_type: Option<String>,
    /// Payment interface (jeepay: wxpay, alipay).
    #[arg(long)]
    if_code: Option<String>,
    /// Note sent with the payout.
    #[arg(long)]
    remark: Option<String>,
    /// Any other field of the gateway's form, as id=value.
    #[arg(long = "field", value_name = "ID=VALUE")]
    #[serde(skip)]
    fields: Vec<String>,
}

#[derive(Subcommand)]
enum DepositCmd {
    /// Create a deposit (see `paydesk form PROFILE deposit` for the fields).
    Create(DepositCreate),
}

#[derive(Args, serde::Serialize)]
struct DepositCreate {
    /// Profile name.
    #[arg(long)]
    #[serde(skip)]
    profile: String,
    /// Amount in yuan, e.g. 100 or 100.50.
    #[arg(long)]
    #[serde(skip)]
    amount: String,
    /// Channel / product (see `paydesk form PROFILE deposit`).
    #[arg(long)]
    channel: Option<String>,
    /// Merchant order number (generated when not given).
    #[arg(long)]
    #[serde(skip)]
    order_no: Option<String>,
    /// Payer's name.
    #[arg(long)]
    payer_name: Option<String>,
    /// Payer's bank code (xxpay online banking, 8000).
    #[arg(long)]
    payer_bank_code: Option<String>,
    /// Payer's account number (xxpay online banking, 8000).
    #[arg(long)]
    payer_account_no: Option<String>,
    /// Order title.
    #[arg(long)]
    subject: Option<String>,
    /// Order description.
    #[arg(long)]
    body: Option<String>,
    /// The customer's payment code (juyouke: charges it, pay_type codepay).
    #[arg(long)]
    auth_code: Option<String>,
    /// Transfer to a collection card (jstpay create2card).
    #[arg(long)]
    to_card: bool,
    /// Any other field of the gateway's form, as id=value.
    #[arg(long = "field", value_name = "ID=VALUE")]
    #[serde(skip)]
    fields: Vec<String>,
}

#[derive(Subcommand)]
enum OrderCmd {
    /// One order from the local history (all profiles, or one); --refresh asks the gateway.
    Get {
        /// Merchant order number.
        order_no: String,
        /// Only this profile's order.
        #[arg(long)]
        profile: Option<String>,
        /// Ask the gateway for the live status first.
        #[arg(long)]
        refresh: bool,
    },
    /// Orders in the local history, newest first.
    List {
        /// Only this profile.
        #[arg(long)]
        profile: Option<String>,
        /// payout or deposit.
        #[arg(long)]
        kind: Option<String>,
        /// pending, processing, succeeded, failed or unknown.
        #[arg(long)]
        status: Option<String>,
        /// Any part of an order number, payee name or account number (3+
        /// characters; shorter: the start of the number, gateway id or payee).
        #[arg(long)]
        search: Option<String>,
        /// Rows per page, 1–1000.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
        /// Continue after this cursor (printed as `next` when there are more).
        #[arg(long)]
        after: Option<String>,
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
    /// Every field error, when several were found at once.
    fields: Vec<FieldError>,
    /// The outcome was already printed; only the exit status remains.
    printed: bool,
}

impl Failure {
    fn new(code: &str, message: String, exit: u8) -> Failure {
        Failure {
            code: code.into(),
            message,
            field: None,
            exit,
            order: None,
            fields: Vec::new(),
            printed: false,
        }
    }

    fn printed(exit: u8) -> Failure {
        Failure {
            printed: true,
            ..Failure::new("", String::new(), exit)
        }
    }

    fn fields(mut errors: Vec<FieldError>) -> Failure {
        let first = errors.remove(0);
        let mut all = vec![first.clone()];
        all.extend(errors);
        Failure {
            field: Some(first.field.clone()),
            message: all
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("\n"),
            fields: all,
            ..Failure::new("invalid_input", String::new(), exit::ERROR)
        }
    }
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        let message = match &e {
            CoreError::Field(f) => format!("{}: {}", f.field, f.message),
            _ => e.to_string(),
        };
        Failure {
            field: e.field().map(String::from),
            ..Failure::new(e.code().as_str(), message, exit::ERROR)
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match parse(&args) {
        Ok(c) => c,
        Err(e) => return usage_error(e, &args),
    };
    if let Some(l) = cli.lang {
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
            if !f.printed {
                out.failure(
                    &f.code,
                    &f.message,
                    f.field.as_deref(),
                    &f.fields,
                    f.order.as_deref(),
                );
            }
            ExitCode::from(f.exit)
        }
    }
}

/// The command line, parsed with the tree in the run's language, so
/// `--help` speaks it too; an English run is clap's own, untouched.
fn parse(args: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    if usage::lang_of(args) == Lang::En {
        return Cli::try_parse_from(args);
    }
    let matches = help_zh::localize(Cli::command()).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// A command line clap refuses: in the run's language, and JSON too when
/// `--json` was asked for.
fn usage_error(e: clap::Error, args: &[std::ffi::OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let lang = usage::lang_of(args);
    let u = usage::describe(&e, lang);
    let json = args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json");
    if json {
        eprintln!("{}", u.message);
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"error": {"code": "usage", "message": u.message, "field": u.field}})
            )
            .unwrap_or_default()
        );
    } else if lang == Lang::En || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // clap's own text; for a command without its subcommand that is the
        // help, already in the run's language (help_zh).
        let _ = e.print();
    } else {
        eprintln!("错误：{}", u.message);
        if let Some(usage) = &u.usage {
            eprintln!("\n用法：{usage}");
        }
        eprintln!("\n查看全部参数：paydesk --help，或在子命令后加 --help");
    }
    ExitCode::from(exit::USAGE)
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
    let dir = data_dir(&cli.data_dir);
    if let Command::Team(cmd) = cli.command {
        return team::run(cmd, cli.database.as_deref(), &dir, out).await;
    }
    let desk = team::open(cli.database.as_deref(), &dir).await?;
    match cli.command {
        Command::Profile(cmd) => profile(&desk, cmd, out).await,
        Command::Payout(PayoutCmd::Create(c)) => {
            let input = order_input(&c, &c.amount, &c.order_no, &c.fields)?;
            create(&desk, &c.profile, OrderKind::Payout, &input, out).await
        }
        Command::Deposit(DepositCmd::Create(c)) => {
            let input = order_input(&c, &c.amount, &c.order_no, &c.fields)?;
            create(&desk, &c.profile, OrderKind::Deposit, &input, out).await
        }
        Command::Order(cmd) => order(&desk, cmd, out).await,
        Command::Sync { once, limit } => sync::sync(&desk, once, limit, out).await,
        Command::Notify(NotifyCmd::Listen { bind, rate }) => {
            sync::notify_listen(desk, &bind, rate, out).await
        }
        Command::Form { profile, kind } => {
            let p = desk.profile(&profile).await?;
            let kind = OrderKind::parse(&kind).unwrap_or(OrderKind::Payout);
            let form = PayDesk::form(p.profile.provider, kind)?;
            out.form(&p.profile.name, &form);
            Ok(())
        }
        Command::Balance { profile } => {
            let mut list = match profile {
                Some(p) => vec![desk.balance(&p).await?],
                None => desk.balances().await?,
            };
            let op = tr!("读取余额", "read the balance");
            let mut failed = false;
            let single = list.len() == 1;
            for b in list.iter_mut() {
                if let Some(e) = b.error.as_mut() {
                    if b.supported || single {
                        failed = true;
                    }
                    e.message = read_failure(&e.code, &e.message, &op);
                }
            }
            out.balances(&list);
            if failed {
                return Err(Failure::printed(exit::READ_FAILED));
            }
            Ok(())
        }
        Command::Arrivals {
            profile,
            start,
            end,
        } => {
            let (start, end) = arrivals_range(start.as_deref(), end.as_deref())?;
            // Refused here, before the keyring or the network, with the field named.
            let (start, end) =
                paydesk_core::services::arrivals_range(start, end, chrono::Utc::now().timestamp())?;
            let list = desk
                .arrivals(&profile, Some(start), Some(end))
                .await
                .map_err(|e| read_error(e, &tr!("读取到账记录", "read the arrivals")))?;
            out.arrivals(&list, start, end);
            Ok(())
        }
        Command::Batch(cmd) => batch::run(&desk, cmd, out).await,
        Command::Approvals(cmd) => approvals::list(&desk, cmd, out).await,
        Command::Approve {
            order_no,
            profile,
            batch,
            concurrency,
        } => match (batch, order_no) {
            (Some(id), _) => approvals::approve_batch(&desk, id, concurrency, out).await,
            (None, Some(no)) => approvals::approve(&desk, &no, profile.as_deref(), out).await,
            (None, None) => unreachable!("clap requires one"),
        },
        Command::Reject {
            order_no,
            reason,
            profile,
            batch,
        } => match (batch, order_no) {
            (Some(id), _) => approvals::reject_batch(&desk, id, &reason, out).await,
            (None, Some(no)) => {
                approvals::reject(&desk, &no, profile.as_deref(), &reason, out).await
            }
            (None, None) => unreachable!("clap requires one"),
        },
        Command::Banks { .. } | Command::Sandbox { .. } | Command::Team(_) => {
            unreachable!("handled above")
        }
    }
}

/// Gateway errors carry the create path's words ("the order may have been
/// received... do not create it again"); a read (balance, arrivals, a status
/// query) changes nothing, so it gets words that fit it.
fn read_failure(code: &str, message: &str, op: &str) -> String {
    match code {
        "timeout" => tr!(
            "网关未在规定时间内应答，未能{}；没有更改任何数据。请稍后重试。",
            "the gateway did not answer in time; could not {}. Nothing was changed; try again later.",
            op
        ),
        "transport" => tr!(
            "与网关的连接中断，未能{}；没有更改任何数据。请稍后重试。",
            "the connection to the gateway broke; could not {}. Nothing was changed; try again later.",
            op
        ),
        "http_status" => {
            let status: String = message
                .split(|c: char| !c.is_ascii_digit())
                .find(|d| d.len() == 3)
                .unwrap_or("?")
                .to_string();
            tr!(
                "网关返回 HTTP {}，未能{}；没有更改任何数据。",
                "the gateway answered HTTP {}; could not {}. Nothing was changed.",
                status,
                op
            )
        }
        "malformed_reply" | "reply_too_large" | "uncertain" => tr!(
            "网关应答无法读取，未能{}；没有更改任何数据。请稍后重试。",
            "the gateway's reply could not be read; could not {}. Nothing was changed; try again later.",
            op
        ),
        "bad_signature" => tr!(
            "网关应答签名验证失败，应答不可信，未能{}。请检查商户密钥。",
            "the gateway's reply failed signature verification and was not trusted; could not {}. Check the merchant key.",
            op
        ),
        _ => message.to_string(),
    }
}

fn read_error(e: CoreError, op: &str) -> Failure {
    let failed = match &e {
        CoreError::Gateway(f) => f.downcast_ref::<GatewayError>(),
        _ => None,
    };
    match failed {
        Some(g)
            if !matches!(
                g,
                GatewayError::Invalid(_) | GatewayError::NotOffered { .. }
            ) =>
        {
            let code = g.code();
            Failure::new(
                code,
                read_failure(code, &g.to_string(), op),
                exit::READ_FAILED,
            )
        }
        _ => e.into(),
    }
}

/// A time as typed: Unix seconds or a Beijing-time date (and time).
fn parse_when(field: &str, text: &str) -> Result<i64, FieldError> {
    let t = money::halfwidth(text);
    let t = t.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 11 {
        if let Ok(v) = t.parse::<i64>() {
            return Ok(v);
        }
    }
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, f) {
            if let Some(x) = dt.and_local_timezone(tz).single() {
                return Ok(x.timestamp());
            }
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if let Some(x) = d
            .and_hms_opt(0, 0, 0)
            .and_then(|dt| dt.and_local_timezone(tz).single())
        {
            return Ok(x.timestamp());
        }
    }
    Err(FieldError::new(
        field,
        tr!(
            "“{}”不是有效时间：请写 Unix 秒数或北京时间日期，如 2026-11-28 或 \"2026-11-28 08:00\"",
            "“{}” is not a time: give Unix seconds or a Beijing-time date such as 2026-11-28 or \"2026-11-28 08:00\"",
            text
        ),
    ))
}

/// Parses the typed times; the service checks the range (the app's too).
fn arrivals_range(
    start: Option<&str>,
    end: Option<&str>,
) -> Result<(Option<i64>, Option<i64>), Failure> {
    let start = start.map(|s| parse_when("start", s)).transpose()?;
    let end = end.map(|e| parse_when("end", e)).transpose()?;
    Ok((start, end))
}

/// `--field id=value`, refusing an id given twice with different values
/// (`--payee-name A --field payee_name=B` would otherwise drop one of them).
/// An order as its flags give it: the typed flags serialise under their form
/// field ids (`payee_name`, `channel`…; a flag not given is no value, a set
/// switch is `true`), then the `--field id=value` ones. One mapping for
/// payouts and deposits.
fn order_input(
    flags: &impl serde::Serialize,
    amount: &str,
    order_no: &Option<String>,
    fields: &[String],
) -> Result<OrderInput, Failure> {
    let mut values = BTreeMap::new();
    let typed = serde_json::to_value(flags).expect("flags serialise");
    for (id, value) in typed.as_object().into_iter().flatten() {
        match value {
            serde_json::Value::String(text) => {
                values.insert(id.clone(), text.clone());
            }
            serde_json::Value::Bool(true) => {
                values.insert(id.clone(), "true".into());
            }
            _ => {}
        }
    }
    extra_fields(&mut values, fields)?;
    Ok(OrderInput {
        amount: amount.to_string(),
        order_no: order_no.clone(),
        values,
    })
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
        let k = k.trim().to_string();
        if let Some(old) = v.get(&k) {
            if old.trim() != val.trim() {
                return Err(FieldError::new(
                    &k,
                    tr!(
                        "{} 给了两个不同的值：“{}” 和 --field {}=“{}”，请只保留一个",
                        "{} is given twice with different values: “{}” and --field {}=“{}”; keep one",
                        k,
                        old,
                        k,
                        val
                    ),
                )
                .into());
            }
        }
        v.insert(k, val.to_string());
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
    // Every problem at once, before anything is stored or sent.
    let p = desk.profile(profile).await?;
    let form = PayDesk::form(p.profile.provider, kind)?;
    let warnings = match form.validate_all(input) {
        Ok((_, values)) => form.warnings(&values),
        Err(errors) => return Err(Failure::fields(errors)),
    };
    let outcome = desk.create_order(profile, kind, input).await?;
    report_outcome(outcome, &warnings, out)
}

/// An order just sent (created, or approved and sent): printed when the
/// gateway took it, else a failure exiting 4 when its outcome is unknown and
/// 3 when the gateway refused it.
fn report_outcome(outcome: OrderOutcome, warnings: &[FieldError], out: &Out) -> Res {
    let OrderOutcome { order, error } = outcome;
    match error {
        None => {
            out.order_created(&order, warnings);
            Ok(())
        }
        Some(e) => Err(Failure {
            field: e.field,
            exit: if order.status == OrderStatus::Unknown {
                exit::UNKNOWN
            } else {
                exit::REFUSED
            },
            order: Some(Box::new(order)),
            ..Failure::new(&e.code, e.message, exit::REFUSED)
        }),
    }
}

/// Whether a status query failed. "The gateway has no such order" is an
/// answer (the order stays unknown within the grace period, then fails), not a
/// failed query.
fn query_failed(code: &str) -> bool {
    code != "order_not_found"
}

fn query_error(code: &str, message: &str) -> ErrorInfo {
    ErrorInfo {
        code: code.into(),
        message: read_failure(
            code,
            message,
            &tr!("查询订单状态", "query the order's status"),
        ),
        field: None,
    }
}

async fn order(desk: &PayDesk, cmd: OrderCmd, out: &Out) -> Res {
    match cmd {
        OrderCmd::Get {
            order_no,
            profile,
            refresh,
        } => {
            let order_no = money::halfwidth(&order_no).trim().to_string();
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
                // Each order is asked on its own: one failure does not hide the others.
                for o in found.iter_mut() {
                    match desk.refresh_order(o.id).await {
                        Ok(r) => {
                            *o = r.order;
                            if let Some(e) = r.error {
                                errors.push((o.clone(), query_error(&e.code, &e.message)));
                            }
                        }
                        Err(e) => errors.push((o.clone(), ErrorInfo::from(&e))),
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
            if errors.iter().any(|(_, e)| query_failed(&e.code)) {
                return Err(Failure::printed(exit::READ_FAILED));
            }
            Ok(())
        }
        OrderCmd::List {
            profile,
            kind,
            status,
            search,
            limit,
            after,
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
                            "状态应为 pending/processing/succeeded/failed/unknown/awaiting_approval/rejected",
                            "status is pending, processing, succeeded, failed, unknown, awaiting_approval or rejected"
                        ),
                    )
                })?),
                None => None,
            };
            let after = match after {
                Some(a) => Some(parse_cursor(&a)?),
                None => None,
            };
            let page = desk
                .list_orders(&OrderFilter {
                    profile,
                    kind,
                    status,
                    search,
                    after,
                    limit: Some(limit),
                    ..Default::default()
                })
                .await?;
            let next = page.next.map(|(t, id)| format!("{t}-{id}"));
            out.order_list(&page.orders, next.as_deref());
            Ok(())
        }
        OrderCmd::Refresh => {
            let mut results = desk.refresh_open().await?;
            let mut failed = false;
            for r in results.iter_mut() {
                if let Some(e) = r.error.as_mut() {
                    failed |= query_failed(&e.code);
                    e.message = read_failure(
                        &e.code,
                        &e.message,
                        &tr!("查询订单状态", "query the order's status"),
                    );
                }
            }
            out.refreshed(&results);
            if failed {
                return Err(Failure::printed(exit::READ_FAILED));
            }
            Ok(())
        }
    }
}

fn parse_cursor(text: &str) -> Result<(i64, i64), FieldError> {
    text.trim()
        .split_once('-')
        .and_then(|(t, id)| Some((t.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| {
            FieldError::new(
                "after",
                tr!(
                    "游标“{}”无效：请使用上一页输出的 next 值",
                    "the cursor “{}” is not valid: use the `next` value printed with the previous page",
                    text
                ),
            )
        })
}

fn read_secrets(stdin: bool, provider: ProviderKind) -> Result<(Secret, Option<Secret>), Failure> {
    let secret_err = |e: std::io::Error| Failure {
        field: Some("secret".into()),
        ..Failure::new(
            "secret",
            tr!("无法读取密钥：{}", "cannot read the key: {}", e),
            exit::ERROR,
        )
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

fn low_balance(text: Option<&str>) -> Result<Option<i64>, Failure> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Ok(Some(money::parse_yuan("low_balance", t)?)),
    }
}

async fn profile(desk: &PayDesk, cmd: ProfileCmd, out: &Out) -> Res {
    match cmd {
        ProfileCmd::Add(a) => {
            let provider = parse_provider(&a.provider)?;
            let flags = &a.settings;
            let input = ProfileInput {
                name: a.name,
                provider: Some(provider),
                gateway: flags.over(Some(a.base_url), GatewayConfig::default()),
                low_balance_fen: low_balance(flags.low_balance.as_deref())?,
                approval_threshold_fen: flags
                    .approval_threshold
                    .as_deref()
                    .map(parse_approval_threshold)
                    .transpose()?
                    .flatten(),
                sandbox: false,
            };
            let (secret, reply) = read_secrets(flags.secret_stdin, provider)?;
            let view = desk.add_profile(input, secret, reply).await?;
            out.profile(&view);
            Ok(())
        }
        ProfileCmd::Edit(e) => {
            let current = desk.profile(&e.profile).await?.profile;
            let flags = &e.settings;
            let low = match flags.low_balance.as_deref() {
                Some(t) => low_balance(Some(t))?,
                None => current.low_balance_fen,
            };
            let threshold = match flags.approval_threshold.as_deref() {
                Some(t) => parse_approval_threshold(t)?,
                None => current.approval_threshold_fen,
            };
            let input = ProfileInput {
                name: e.name.unwrap_or(current.name.clone()),
                provider: Some(current.provider),
                gateway: flags.over(e.base_url, current.gateway.clone()),
                low_balance_fen: low,
                approval_threshold_fen: threshold,
                sandbox: current.sandbox,
            };
            let (secret, reply) = if flags.secret_stdin {
                let (s, r) = read_secrets(true, current.provider)?;
                if s.expose().trim().is_empty() {
                    return Err(FieldError::new(
                        "secret",
                        tr!(
                            "--secret-stdin 读到的密钥为空",
                            "--secret-stdin read an empty key"
                        ),
                    )
                    .into());
                }
                (Some(s), r)
            } else {
                (None, None)
            };
            let view = desk
                .update_profile(&current.id, input, secret, reply)
                .await?;
            out.profile(&view);
            Ok(())
        }
        ProfileCmd::AddSandbox { sandbox_url } => {
            let mut added = Vec::new();
            for kind in ProviderKind::ALL {
                let name = paydesk_sandbox::profile_name(kind);
                let (input, secret, reply_secret) =
                    paydesk_sandbox::profile_input(kind, &sandbox_url, name);
                added.push(desk.add_profile(input, secret, reply_secret).await?);
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
                Err(Failure::new("gateway", r.message, exit::READ_FAILED))
            }
        }
    }
}

async fn serve_sandbox(port: u16, auto_advance: Option<u64>, out: &Out) -> Res {
    let running = paydesk_sandbox::spawn(port, auto_advance.map(std::time::Duration::from_secs))
        .await
        .map_err(|e| {
            Failure::new(
                "internal",
                tr!("无法启动沙盒：{}", "cannot start the sandbox: {}", e),
                exit::ERROR,
            )
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Item 11: every subcommand and every flag says what it is for.
    #[test]
    fn every_flag_and_subcommand_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none() {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                let p = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(p.clone());
                }
                walk(sub, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "paydesk", &mut missing);
        assert!(missing.is_empty(), "no help line: {missing:?}");
        Cli::command().debug_assert();
    }

    #[test]
    fn languages_are_checked() {
        assert_eq!(parse_lang("zh-CN"), Ok(Lang::Zh));
        assert_eq!(parse_lang("zh_CN.UTF-8"), Ok(Lang::Zh));
        assert_eq!(parse_lang("en"), Ok(Lang::En));
        assert!(parse_lang("fr").is_err());
        assert!(parse_lang("english").is_err());
    }
}
