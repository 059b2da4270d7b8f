//! `--help` in Chinese. The English doc comments on the clap types stay the
//! one source of truth; a zh-CN run (the default) builds the command tree,
//! then puts every about and help text through [`TABLE`] and words clap's own
//! parts (headings, the help and version flags, `[env: …]`, `[default: …]`,
//! `[possible values: …]`) in Chinese. An English run never comes here, so
//! its help is clap's, unchanged. A unit test walks the whole tree and fails
//! on any text without a translation (and on a translation no text uses).

use clap::builder::StyledStr;
use clap::{Arg, Command};

/// English text, as clap holds it after the derive (the doc comment's first
/// paragraph, lines joined, the trailing full stop dropped) -> zh-CN.
pub const TABLE: &[(&str, &str)] = &[
    // clap's own
    ("Print help", "打印帮助"),
    ("Print version", "打印版本号"),
    ("Print this message or the help of the given subcommand(s)", "打印本帮助，或所给子命令的帮助"),
    // paydesk and its global flags
    (
        "PayDesk: payouts, deposits, order look-up and balances across payment gateways",
        "PayDesk：多家支付网关的代付、代收、订单查询和余额",
    ),
    (
        "Data directory (SQLite file); defaults to the OS data dir",
        "数据目录（存放 SQLite 文件）；默认为系统的应用数据目录",
    ),
    (
        "The database: a team's postgres://NAME@HOST:PORT/DB (password from the URL, PGPASSWORD or the keyring entry `team join` saved) or sqlite:PATH. Also PAYDESK_DATABASE_URL; default: the desk's saved choice, else the local file in the data directory",
        "数据库：团队的 postgres://名字@主机:端口/数据库（密码取自地址、PGPASSWORD 或 `team join` 存入密钥环的条目）或 sqlite:路径。也可用 PAYDESK_DATABASE_URL；默认：本机保存的选择，否则为数据目录中的本机数据库文件",
    ),
    ("Print one JSON document (errors too)", "输出一个 JSON 文档（出错时也是）"),
    ("Language of messages: zh-CN (default) or en", "提示语言：zh-CN（默认）或 en"),
    // profile
    ("Merchant profiles (one set of credentials at one gateway)", "商户配置（一个网关上的一套商户凭据）"),
    (
        "Add a profile (the key is read without echo, or with --secret-stdin)",
        "添加商户配置（密钥以不回显方式输入，或用 --secret-stdin 从标准输入读取）",
    ),
    ("A name of your choice, e.g. jst-main", "自定义名称，例如 jst-main"),
    (
        "Gateway: jstpay, jeepay, juyouke, appkey or xxpay",
        "网关：jstpay、jeepay、juyouke、appkey 或 xxpay",
    ),
    ("The gateway's address as its support gave it", "网关地址，以网关客服提供的为准"),
    (
        "Merchant id at the gateway (juyouke: app_id; appkey: appKey)",
        "网关的商户号（聚优客：app_id；AppKey：appKey）",
    ),
    ("Application id (jeepay, xxpay)", "应用 ID（jeepay、xxpay）"),
    ("Operator id (juyouke)", "操作员编号（聚优客）"),
    ("Where the gateway sends callbacks", "回调地址：网关把回调发到这里"),
    ("Where the payer's browser returns after paying", "返回地址：付款人支付后浏览器回到这里"),
    ("Low-balance threshold in yuan", "余额提醒阈值（元）"),
    (
        "Team mode: payouts at or above this many yuan need a checker's approval (0: every payout; on edit \"\" clears it)",
        "团队模式：金额达到该值（元）的代付需复核人审批（0：每笔代付都要；编辑时给 \"\" 表示清除）",
    ),
    (
        "Read the key from the first line of stdin (xxpay: optional reply key on the second)",
        "从标准输入的第一行读取密钥（xxpay：第二行可另给应答验签密钥）",
    ),
    (
        "Change a profile's settings or key; flags not given keep their value",
        "修改商户配置的设置或密钥；没有给出的参数保持原值",
    ),
    ("The profile to change", "要修改的商户配置"),
    ("New name", "新名称"),
    ("New gateway address", "新的网关地址"),
    (
        "Add a profile for each sandbox gateway (credentials go to the keyring)",
        "为每个沙盒网关添加一个商户配置（凭据存入密钥环）",
    ),
    ("The sandbox address, e.g. http://127.0.0.1:8765", "沙盒地址，例如 http://127.0.0.1:8765"),
    ("List the profiles", "列出商户配置"),
    ("Show one profile", "查看一个商户配置"),
    ("Profile name", "商户配置名称"),
    ("Remove a profile and its keys (its order history is kept)", "删除商户配置及其密钥（订单历史保留）"),
    ("A signed call that proves the credentials", "发送一次签名请求，验证凭据是否有效"),
    // payout, deposit
    ("Payouts (代付)", "代付"),
    (
        "Send a payout (see `paydesk form PROFILE payout` for the fields)",
        "发起代付（字段见 `paydesk form 商户配置 payout`）",
    ),
    ("Amount in yuan, e.g. 100 or 100.50", "金额（元），例如 100 或 100.50"),
    ("Merchant order number (generated when not given)", "商户订单号（不填则自动生成）"),
    ("Payee's name, exactly as on the account", "收款人户名，须与账户上的完全一致"),
    ("Payee's card or account number (spaces are removed)", "收款人银行卡号或账号（空格会被去掉）"),
    ("Bank name, or pinyin initials such as gsyh", "开户行名称，或拼音首字母，如 gsyh"),
    (
        "Bank code (xxpay: HPT00001–HPT00097; see `paydesk banks --provider xxpay`)",
        "银行代码（xxpay：HPT00001–HPT00097；见 `paydesk banks --provider xxpay`）",
    ),
    ("Branch (开户支行)", "开户支行"),
    ("Province of the account", "开户省份"),
    ("City of the account", "开户城市"),
    (
        "Account type (xxpay: 1 bank card, 2 WeChat, 3 Alipay, 4 other)",
        "账户类型（xxpay：1 银行卡，2 微信，3 支付宝，4 其他）",
    ),
    (
        "Pay into (jeepay: WX_CASH, ALIPAY_CASH, BANK_CARD)",
        "入账方式（jeepay：WX_CASH 微信零钱、ALIPAY_CASH 支付宝余额、BANK_CARD 银行卡）",
    ),
    ("Payment interface (jeepay: wxpay, alipay)", "支付接口（jeepay：wxpay、alipay）"),
    ("Note sent with the payout", "随代付发送的附言"),
    ("Any other field of the gateway's form, as id=value", "网关表单的其他字段，写成 字段id=值"),
    ("Deposits (代收)", "代收"),
    (
        "Create a deposit (see `paydesk form PROFILE deposit` for the fields)",
        "发起代收（字段见 `paydesk form 商户配置 deposit`）",
    ),
    (
        "Channel / product (see `paydesk form PROFILE deposit`)",
        "通道 / 支付方式（见 `paydesk form 商户配置 deposit`）",
    ),
    ("Payer's name", "付款人姓名"),
    ("Payer's bank code (xxpay online banking, 8000)", "付款人银行代码（xxpay 网银，8000）"),
    ("Payer's account number (xxpay online banking, 8000)", "付款人账号（xxpay 网银，8000）"),
    ("Order title", "订单标题"),
    ("Order description", "订单描述"),
    (
        "The customer's payment code (juyouke: charges it, pay_type codepay)",
        "顾客的付款码（聚优客：直接扣款，pay_type 为 codepay）",
    ),
    ("Transfer to a collection card (jstpay create2card)", "转账到收款卡（jstpay create2card）"),
    // order, form, balance, arrivals
    ("Orders in the local history", "本地历史中的订单"),
    (
        "One order from the local history (all profiles, or one); --refresh asks the gateway",
        "从本地历史查看一个订单（所有商户配置，或指定一个）；--refresh 先向网关查询",
    ),
    ("Merchant order number", "商户订单号"),
    ("Only this profile's order", "只看该商户配置的订单"),
    ("Ask the gateway for the live status first", "先向网关查询最新状态"),
    ("Orders in the local history, newest first", "本地历史中的订单，最新的在前"),
    ("Only this profile", "只看该商户配置"),
    ("payout or deposit", "payout（代付）或 deposit（代收）"),
    (
        "pending, processing, succeeded, failed or unknown",
        "pending（待处理）、processing（处理中）、succeeded（成功）、failed（失败）或 unknown（状态未知）",
    ),
    (
        "Any part of an order number, payee name or account number (3+ characters; shorter: the start of the number, gateway id or payee)",
        "订单号、收款人户名或账号的任意部分（至少 3 个字符；更短时匹配订单号、平台订单号或收款人的开头）",
    ),
    ("Rows per page, 1–1000", "每页行数，1–1000"),
    (
        "Continue after this cursor (printed as `next` when there are more)",
        "从该游标之后继续（还有更多时输出为 `next`）",
    ),
    (
        "Only orders open longer than their profile's stuck threshold, with the reason of the last check",
        "只看未完成超过商户配置卡单时限的订单，并附上次查询的原因",
    ),
    ("Re-query every order that is not final", "重新查询所有尚未最终确定的订单"),
    (
        "The fields of a profile's payout or deposit form: labels, help, limits, choices",
        "商户配置的代付或代收表单字段：名称、说明、限制和可选值",
    ),
    ("Which form", "哪个表单"),
    ("Balances of every profile whose gateway offers it", "所有商户配置的余额（网关支持查询余额的）"),
    (
        "Arrivals on the collection cards (jstpay deposit/detail), at most 31 days",
        "收款卡的到账记录（jstpay deposit/detail），最多 31 天",
    ),
    (
        "Start: Unix seconds or a Beijing-time date `2026-11-28` / `2026-11-28 08:00` (default: one day before the end)",
        "开始：Unix 秒数或北京时间日期 `2026-11-28` / `2026-11-28 08:00`（默认：结束前一天）",
    ),
    ("End: Unix seconds or a Beijing-time date (default: now)", "结束：Unix 秒数或北京时间日期（默认：现在）"),
    // batch
    (
        "Batch payouts from a file: template, import, run, show, list, export, cancel",
        "从文件批量代付：模板、导入、执行、查看、列表、导出、取消",
    ),
    (
        "Write a template (.xlsx or .csv) with the columns of a profile's payout form",
        "按商户配置的代付表单生成模板（.xlsx 或 .csv），每个字段一列",
    ),
    ("Profile whose payout form gives the columns", "按哪个商户配置的代付表单生成各列"),
    ("File to write (.xlsx or .csv)", "要写入的文件（.xlsx 或 .csv）"),
    (
        "Import and validate a file (CSV in UTF-8 or GBK, XLSX, XLS)",
        "导入并校验文件（UTF-8 或 GBK 编码的 CSV、XLSX、XLS）",
    ),
    ("The file to import", "要导入的文件"),
    ("Profile the payouts are sent from", "发出这些代付的商户配置"),
    ("Sheet of a workbook (default: the first)", "工作簿中的工作表（默认：第一个）"),
    ("The row count the file must have", "文件应有的行数"),
    ("The total the rows must add up to, in yuan", "各行金额应合计的总额（元）"),
    ("Accept rows with the same account and amount", "允许账号和金额都相同的行"),
    ("Accept a file imported before", "允许导入以前导入过的文件"),
    (
        "Run (or resume) a batch; exits 0 when every row reached a state",
        "执行（或继续执行）批次；每一行都有结果时退出码为 0",
    ),
    ("Batch id", "批次编号"),
    ("Rows sent at the same time (default 4)", "同时发送的行数（默认 4）"),
    ("A batch with its rows", "查看批次及其各行"),
    ("Batches, newest first", "批次列表，最新的在前"),
    ("How many batches", "列出多少个批次"),
    ("Export the results (.csv or .xlsx)", "导出结果（.csv 或 .xlsx）"),
    ("File to write (.csv or .xlsx)", "要写入的文件（.csv 或 .xlsx）"),
    ("Cancel: rows not yet sent are never sent", "取消：尚未发送的行不会再发送"),
    // banks, sync, notify
    ("Search the bank list by name, code or pinyin initials", "按名称、代码或拼音首字母搜索银行列表"),
    ("Gateway whose list to search (xxpay has its own codes)", "搜索哪个网关的银行列表（xxpay 有自己的代码）"),
    ("Name, code or pinyin initials, e.g. gsyh", "名称、代码或拼音首字母，例如 gsyh"),
    (
        "Query open orders at their gateways on the backoff schedule and print what settles, gets stuck or runs low; runs until stopped",
        "按退避计划向网关查询未完成的订单，输出有了结果、卡单或余额不足的情况；一直运行，直到停止",
    ),
    ("Run one pass of everything due, then exit", "把到期的查询执行一轮，然后退出"),
    ("Check at most this many due orders per pass", "每轮最多查询多少笔到期的订单"),
    ("The gateways' callbacks", "网关回调"),
    ("Receive callbacks at /notify/<profile id> until stopped", "在 /notify/<商户配置 id> 接收回调，直到停止"),
    ("HOST:PORT to listen on (a bare port binds 127.0.0.1)", "监听的 主机:端口（只给端口时绑定 127.0.0.1）"),
    ("Requests per second per source address (0: no limit)", "每个来源地址每秒最多的请求数（0：不限）"),
    // approvals (team mode)
    ("Payouts awaiting a checker's approval (team mode)", "等待复核人审批的代付（团队模式）"),
    (
        "Payouts and batches waiting for a checker (team mode), oldest first",
        "等待复核人审批的代付和批次（团队模式），最早的在前",
    ),
    (
        "Approve a payout (or with --batch, a batch as a whole) awaiting approval and send it from this desk (team mode)",
        "审批通过一笔待审批的代付（或用 --batch 整批审批一个批次），并从本机提交到网关（团队模式）",
    ),
    ("The profile, when several have this number", "商户配置（有多个商户配置用了这个订单号时）"),
    (
        "A batch id: approve the batch as a whole and run it from this desk",
        "批次编号：整批审批通过，并从本机执行该批次",
    ),
    ("Rows of the batch sent at the same time (default 4)", "批次中同时发送的行数（默认 4）"),
    (
        "Reject a payout (or with --batch, a batch) awaiting approval: nothing is sent (team mode)",
        "驳回一笔待审批的代付（或用 --batch 驳回一个批次）：什么都不会发送（团队模式）",
    ),
    ("A batch id: reject the batch as a whole", "批次编号：整批驳回该批次"),
    ("Why (kept with the order and in the audit log)", "驳回原因（随订单保存，并记入审计日志）"),
    // team
    (
        "Team mode: a shared PostgreSQL database with operators as database roles",
        "团队模式：共享的 PostgreSQL 数据库，每位操作员是一个数据库角色",
    ),
    (
        "Set up an empty PostgreSQL database for a team: PayDesk's tables, the group roles paydesk_admin/paydesk_checker/paydesk_maker and their grants (needs --database ADMIN_URL; run again after an upgrade)",
        "为团队建立一个空的 PostgreSQL 数据库：PayDesk 的表、角色组 paydesk_admin/paydesk_checker/paydesk_maker 及其权限（需要 --database 管理员地址；升级后再运行一次）",
    ),
    (
        "Add an operator: a database login in the maker, checker or admin group (needs --database ADMIN_URL); prints the password once when generated",
        "添加操作员：在制单人（maker）、复核人（checker）或管理员（admin）组中建一个数据库登录名（需要 --database 管理员地址）；自动生成的密码只显示这一次",
    ),
    ("The operator's login name (lower-case letters, digits, _)", "操作员登录名（小写字母、数字、_）"),
    (
        "maker (creates), checker (also approves) or admin (also edits profiles, thresholds and operators)",
        "maker（制单人：创建订单）、checker（复核人：还可审批）或 admin（管理员：还可编辑商户配置、阈值和操作员）",
    ),
    (
        "Read the new operator's password from the first line of stdin (at least 12 characters) instead of generating one",
        "从标准输入的第一行读取新操作员的密码（至少 12 个字符），不自动生成",
    ),
    (
        "Move an operator to another group (needs --database ADMIN_URL); recorded in the audit log",
        "把操作员调到另一个组（需要 --database 管理员地址）；记入审计日志",
    ),
    (
        "Remove an operator: their database login is dropped, what they did stays under their name (needs --database ADMIN_URL); recorded in the audit log",
        "删除操作员：删除其数据库登录名，其操作记录仍以其名字保留（需要 --database 管理员地址）；记入审计日志",
    ),
    (
        "Use a team database on this desk (--database postgres://NAME@HOST:PORT/DB): checks the login, keeps the password in the OS keyring and the URL in this desk's settings",
        "让本机使用团队数据库（--database postgres://名字@主机:端口/数据库）：验证登录，密码存入系统密钥环，地址存入本机设置",
    ),
    ("Read the password from the first line of stdin", "从标准输入的第一行读取密码"),
    (
        "Go back to this desk's local SQLite file (the saved password is removed)",
        "回到本机的 SQLite 数据库文件（删除保存的密码）",
    ),
    ("Which database this desk uses, as which role, in which groups", "本机使用哪个数据库、以哪个角色、属于哪些组"),
    (
        "Print every order any desk writes, as it happens, until stopped (team databases only; --json: one JSON document per line)",
        "实时输出每台电脑写入的每个订单，直到停止（仅限团队数据库；--json：每行一个 JSON 文档）",
    ),
    // sandbox
    (
        "Serve the built-in simulator of all five gateways on 127.0.0.1",
        "在 127.0.0.1 上运行内置的五个网关模拟器（沙盒）",
    ),
    ("Port to listen on (0: any free port)", "监听端口（0：任意空闲端口）"),
    ("Demo mode: orders succeed by themselves after this many seconds", "演示模式：订单在这么多秒后自动成功"),
    // the exit statuses after the root's help
    (crate::EXIT_CODES_HELP, crate::EXIT_CODES_HELP_ZH),
];

/// The Chinese of an English help text, if the table has it.
pub fn zh(en: &str) -> Option<&'static str> {
    TABLE.iter().find(|(e, _)| *e == en).map(|(_, z)| *z)
}

/// The command tree ready to parse a zh-CN run: built (so clap's generated
/// help flag, version flag and `help` subcommand exist and get translated
/// too), then every text in Chinese. A text missing from the table stays
/// English rather than empty.
pub fn localize(mut cmd: Command) -> Command {
    cmd.build();
    walk(cmd)
}

type Get = fn(&Command) -> Option<&StyledStr>;
type Set = fn(Command, &'static str) -> Command;

/// A command's own texts, each with the way to replace it.
const PARTS: [(Get, Set); 6] = [
    (Command::get_about, |c, t| c.about(t)),
    (Command::get_long_about, |c, t| c.long_about(t)),
    (Command::get_before_help, |c, t| c.before_help(t)),
    (Command::get_before_long_help, |c, t| c.before_long_help(t)),
    (Command::get_after_help, |c, t| c.after_help(t)),
    (Command::get_after_long_help, |c, t| c.after_long_help(t)),
];

fn walk(mut cmd: Command) -> Command {
    for (get, set) in PARTS {
        if let Some(t) = get(&cmd).and_then(|s| zh(&s.to_string())) {
            cmd = set(cmd, t);
        }
    }
    let template = template(&cmd);
    let styles = cmd.get_styles().clone();
    cmd.help_template(template)
        .mut_args(|a| arg(a, &styles))
        .mut_subcommands(walk)
}

/// clap's default template with its headings in Chinese. `{all-args}` writes
/// "Commands:", "Arguments:" and "Options:" itself, so the sections are
/// spelled out, in clap's order, only those the command has.
fn template(cmd: &Command) -> String {
    let s = cmd.get_styles();
    let heading = |h: &str| {
        format!(
            "{}{h}：{}\n",
            s.get_header().render(),
            s.get_header().render_reset()
        )
    };
    let shown = |a: &Arg| !a.is_hide_set();
    let mut sections = Vec::new();
    if cmd.get_subcommands().any(|c| !c.is_hide_set()) {
        sections.push(format!("{}{{subcommands}}", heading("子命令")));
    }
    if cmd.get_positionals().any(shown) {
        sections.push(format!("{}{{positionals}}", heading("参数")));
    }
    if cmd.get_arguments().any(|a| !a.is_positional() && shown(a)) {
        sections.push(format!("{}{{options}}", heading("选项")));
    }
    let usage = format!(
        "{}用法：{}",
        s.get_usage().render(),
        s.get_usage().render_reset()
    );
    if sections.is_empty() {
        format!("{{before-help}}{{about-with-newline}}\n{usage}{{usage}}{{after-help}}")
    } else {
        format!(
            "{{before-help}}{{about-with-newline}}\n{usage}{{usage}}\n\n{}{{after-help}}",
            sections.join("\n\n")
        )
    }
}

/// One argument: its help in Chinese, and the `[env: …]`, `[default: …]`
/// and `[possible values: …]` clap would append, in Chinese (clap's own are
/// hidden: they are worded in English inside clap).
fn arg(a: Arg, styles: &clap::builder::Styles) -> Arg {
    let ctx = styles.get_context();
    let val = styles.get_context_value();
    let spec = |label: &str, v: String| {
        format!(
            "{}[{label}：{}{}{v}{}{}]{}",
            ctx.render(),
            ctx.render_reset(),
            val.render(),
            val.render_reset(),
            ctx.render(),
            ctx.render_reset()
        )
    };
    let mut specs = Vec::new();
    if let Some(env) = a.get_env() {
        let name = env.to_string_lossy().into_owned();
        let v = match std::env::var_os(env) {
            Some(v) => format!("{name}={}", v.to_string_lossy()),
            None => name,
        };
        specs.push(spec("环境变量", v));
    }
    let takes_value = a.get_action().takes_values();
    if takes_value && !a.get_default_values().is_empty() {
        let d = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        specs.push(spec("默认", d));
    }
    let pvs = a
        .get_possible_values()
        .iter()
        .filter(|p| !p.is_hide_set())
        .map(|p| p.get_name().to_string())
        .collect::<Vec<_>>();
    if takes_value && !pvs.is_empty() {
        specs.push(spec("可选", pvs.join(", ")));
    }
    // clap puts them after the help on the same line, and in long help on
    // lines of their own after a blank one: the same here.
    let help = a.get_help().map(|h| h.to_string());
    let long = a.get_long_help().map(|h| h.to_string());
    let zh_of = |t: &String| zh(t).map(str::to_string).unwrap_or_else(|| t.clone());
    let mut a = a;
    if let Some(h) = help.as_ref().map(zh_of) {
        a = a.help(if specs.is_empty() {
            h
        } else {
            format!("{h} {}", specs.join(" "))
        });
    }
    if long.is_some() || !specs.is_empty() {
        let l = long
            .as_ref()
            .or(help.as_ref())
            .map(zh_of)
            .unwrap_or_default();
        a = a.long_help(if specs.is_empty() {
            l
        } else if l.is_empty() {
            specs.join("\n")
        } else {
            format!("{l}\n\n{}", specs.join("\n"))
        });
    }
    if takes_value {
        a = a.hide_default_value(true).hide_possible_values(true);
    }
    a.hide_env(true)
}

/// Every English text the user can see in `--help` anywhere in the tree:
/// what the table must translate.
#[cfg(test)]
pub fn texts(cmd: &Command) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(cmd, cmd.get_name(), &mut out);
    out
}

#[cfg(test)]
fn collect(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
    for t in PARTS.iter().filter_map(|(get, _)| get(cmd)) {
        out.push((path.to_string(), t.to_string()));
    }
    for a in cmd.get_arguments() {
        for t in [a.get_help(), a.get_long_help()].into_iter().flatten() {
            out.push((format!("{path} {}", a.get_id()), t.to_string()));
        }
    }
    for c in cmd.get_subcommands() {
        collect(c, &format!("{path} {}", c.get_name()), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cli;
    use clap::{CommandFactory, FromArgMatches};

    fn built() -> Command {
        let mut c = Cli::command();
        c.build();
        c
    }

    /// Every command path of the tree, e.g. ["payout", "create"], with the
    /// root as the empty path (clap's `help` subcommand left out: it shows the
    /// others' help).
    fn paths(cmd: &Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for c in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
            let mut p = prefix.to_vec();
            p.push(c.get_name().to_string());
            paths(c, &p, out);
        }
    }

    fn all_paths() -> Vec<Vec<String>> {
        let mut out = Vec::new();
        paths(&built(), &[], &mut out);
        out
    }

    fn find<'a>(cmd: &'a mut Command, path: &[String]) -> &'a mut Command {
        path.iter().fold(cmd, |c, name| {
            c.find_subcommand_mut(name)
                .unwrap_or_else(|| panic!("no subcommand {name}"))
        })
    }

    #[test]
    fn every_help_text_has_a_translation() {
        let mut missing: Vec<(String, String)> = Vec::new();
        for (at, t) in texts(&built()) {
            if zh(&t).is_none() && !missing.iter().any(|(_, m)| *m == t) {
                missing.push((at, t));
            }
        }
        assert!(
            missing.is_empty(),
            "help texts without a Chinese line in help_zh::TABLE (add them):\n{}",
            missing
                .iter()
                .map(|(at, t)| format!("    // {at}\n    ({t:?}, \"\"),"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn every_translation_is_still_used_and_said_once() {
        let texts: Vec<String> = texts(&built()).into_iter().map(|(_, t)| t).collect();
        let stale: Vec<_> = TABLE
            .iter()
            .filter(|(en, _)| !texts.iter().any(|t| t == en))
            .map(|(en, _)| *en)
            .collect();
        assert!(
            stale.is_empty(),
            "help_zh::TABLE entries no help text uses any more (the English changed?): {stale:#?}"
        );
        for (i, (en, z)) in TABLE.iter().enumerate() {
            assert!(
                !TABLE[..i].iter().any(|(e, _)| e == en),
                "{en:?} is in the table twice"
            );
            assert!(!z.trim().is_empty(), "{en:?} has an empty translation");
        }
    }

    /// The help a user sees for `paydesk PATH FLAG`, from a tree.
    fn shown(cmd: Command, path: &[String], flag: &str) -> String {
        let mut line = vec!["paydesk".to_string()];
        line.extend(path.iter().cloned());
        line.push(flag.to_string());
        let e = cmd.try_get_matches_from(line).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        e.render().to_string()
    }

    fn same_shape(at: &str, e: &str, z: &str) {
        let (el, zl): (Vec<_>, Vec<_>) = (e.lines().collect(), z.lines().collect());
        assert_eq!(
            el.len(),
            zl.len(),
            "{at}: line counts differ\n{e}\n---\n{z}"
        );
        for (a, b) in el.iter().zip(&zl) {
            // Lines naming a command, an argument or a flag (indented by two,
            // or six when a flag has no short form; the help under them in
            // the long form is indented by ten) start with the same one.
            let token = a.split_whitespace().next().unwrap_or("");
            let indent = a.len() - a.trim_start().len();
            let names =
                (indent == 2 || indent == 6) && !token.starts_with(|c: char| c.is_ascii_digit());
            if names {
                assert_eq!(Some(token), b.split_whitespace().next(), "{at}:\n{a}\n{b}");
            }
        }
        for word in [
            "Usage:",
            "Commands:",
            "Arguments:",
            "Options:",
            "Print help",
            "Print version",
            "[env:",
            "[default:",
            "[possible values:",
            "Exit codes",
        ] {
            assert!(!z.contains(word), "{at} still says {word:?}:\n{z}");
        }
        assert!(
            z.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{at}: no Chinese\n{z}"
        );
    }

    /// The Chinese help of every command, as `-h`, `--help` and `paydesk
    /// help ...` show it, has the English one's shape: the same lines, the
    /// same commands and flags at their starts, and none of clap's English
    /// words left. The long form is checked too, for the day a doc comment
    /// grows a second paragraph.
    #[test]
    fn chinese_help_has_the_english_shape_and_no_english_words() {
        let mut en_tree = built();
        let mut zh_tree = localize(Cli::command());
        for path in all_paths() {
            let name = format!("`paydesk {}`", path.join(" "));
            for flag in ["-h", "--help"] {
                let e = shown(Cli::command(), &path, flag);
                let z = shown(localize(Cli::command()), &path, flag);
                same_shape(&format!("{name} {flag}"), &e, &z);
            }
            let mut via_help = vec!["help".to_string()];
            via_help.extend(path.iter().cloned());
            let line = |p: &[String]| {
                let mut l = vec!["paydesk".to_string()];
                l.extend(p.iter().cloned());
                l
            };
            let z = localize(Cli::command())
                .try_get_matches_from(line(&via_help))
                .unwrap_err()
                .render()
                .to_string();
            assert_eq!(
                z,
                shown(localize(Cli::command()), &path, "--help"),
                "{name}"
            );
            let e = find(&mut en_tree, &path).render_long_help().to_string();
            let z = find(&mut zh_tree, &path).render_long_help().to_string();
            same_shape(&format!("{name} (long form)"), &e, &z);
        }
    }

    /// Command lines for a command: as many of its arguments as go together
    /// (picked first to last, then last to first, so both sides of a
    /// conflict get their turn), each with a value it accepts.
    fn lines(c: &Command, path: &[String]) -> Vec<Vec<String>> {
        let args: Vec<&Arg> = c
            .get_arguments()
            .filter(|a| !["help", "version", "lang"].contains(&a.get_id().as_str()))
            .collect();
        let mut out = Vec::new();
        for reverse in [false, true] {
            let mut order = args.clone();
            if reverse {
                order.reverse();
            }
            let mut picked: Vec<&Arg> = Vec::new();
            for a in order {
                if !picked.iter().any(|p| {
                    c.get_arg_conflicts_with(a).contains(p)
                        || c.get_arg_conflicts_with(p).contains(&a)
                }) {
                    picked.push(a);
                }
            }
            let mut line = vec!["paydesk".to_string()];
            line.extend(path.iter().cloned());
            // In declared order, so positionals keep their places.
            for a in args.iter().filter(|a| picked.contains(a)) {
                let value = a
                    .get_possible_values()
                    .first()
                    .map(|p| p.get_name().to_string())
                    .unwrap_or_else(|| "1".to_string());
                match a.get_long() {
                    Some(l) => {
                        line.push(format!("--{l}"));
                        if a.get_action().takes_values() {
                            line.push(value);
                        }
                    }
                    None => line.push(value),
                }
            }
            out.push(line);
        }
        out
    }

    /// The Chinese tree parses every command line exactly as clap's English
    /// one does, and refuses the same lines with the same words.
    #[test]
    fn the_chinese_tree_parses_like_the_english_one() {
        let en = built();
        let mut leaves = 0;
        for path in all_paths() {
            let c = path.iter().fold(&en, |c, n| c.find_subcommand(n).unwrap());
            if c.get_subcommands().any(|s| s.get_name() != "help") {
                continue;
            }
            leaves += 1;
            let mut parsed = 0;
            for line in lines(c, &path) {
                let a = Cli::command().try_get_matches_from(&line);
                let b = localize(Cli::command()).try_get_matches_from(&line);
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a, b, "{line:?}");
                        assert!(Cli::from_arg_matches(&b).is_ok(), "{line:?}");
                        parsed += 1;
                    }
                    (Err(a), Err(b)) => {
                        assert_eq!(a.kind(), b.kind(), "{line:?}");
                        assert_eq!(a.render().to_string(), b.render().to_string(), "{line:?}");
                    }
                    (a, b) => panic!("{line:?}: {:?} / {:?}", a.err(), b.err()),
                }
            }
            assert!(parsed > 0, "no line of `paydesk {}` parsed", path.join(" "));
        }
        assert!(leaves > 20, "only {leaves} commands");
        for bad in [
            &["paydesk", "payout", "create"][..],
            &["paydesk", "payout", "create", "--profile", "p", "--amount"],
            &["paydesk", "order", "list", "--limit", "0"],
            &["paydesk", "order", "lst"],
            &["paydesk", "form", "p", "withdraw"],
            &["paydesk", "--lang", "fr", "order", "list"],
            &["paydesk", "order", "list", "--nonsense"],
            &["paydesk", "team", "add-operator", "bob", "--role", "boss"],
        ] {
            let a = Cli::command().try_get_matches_from(bad).unwrap_err();
            let b = localize(Cli::command())
                .try_get_matches_from(bad)
                .unwrap_err();
            assert_eq!(a.kind(), b.kind(), "{bad:?}");
            assert_eq!(a.render().to_string(), b.render().to_string(), "{bad:?}");
        }
    }
}
