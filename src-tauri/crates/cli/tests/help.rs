//! Issue 10 items 10 and 11: `--help` speaks the run's language. A clerk's
//! default (zh-CN) gets Chinese help, headings and clap's own lines
//! included; `--lang en` or `PAYDESK_LANG=en` gets clap's English, and the
//! command line parses the same either way. The real binary, no keyring.

use std::process::Command;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn paydesk(lang_env: Option<&str>, args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_paydesk"));
    c.arg("--data-dir").arg(dir.path()).args(args);
    c.env_remove("PAYDESK_DATA_DIR");
    match lang_env {
        Some(l) => c.env("PAYDESK_LANG", l),
        None => c.env_remove("PAYDESK_LANG"),
    };
    let o = c.output().expect("paydesk runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

const ENGLISH: &[&str] = &[
    "Usage:",
    "Options:",
    "Commands:",
    "Arguments:",
    "Print help",
    "[env:",
    "[default:",
    "[possible values:",
    "Exit codes",
];

/// `text` says every one of `lines`.
fn says(text: &str, lines: &[&str]) {
    for l in lines {
        assert!(text.contains(l), "{l:?} missing:\n{text}");
    }
}

/// `text` says none of `words`.
fn never(text: &str, words: &[&str]) {
    for w in words {
        assert!(!text.contains(w), "{w:?} is there:\n{text}");
    }
}

fn assert_chinese(help: &str) {
    never(help, ENGLISH);
}

#[test]
fn payout_create_help_is_chinese_by_default_and_english_when_asked() {
    let zh = paydesk(None, &["payout", "create", "--help"]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    let h = &zh.stdout;
    says(
        h,
        &[
            "发起代付（字段见 `paydesk form 商户配置 payout`）",
            "用法：paydesk payout create [OPTIONS] --profile <PROFILE> --amount <AMOUNT>",
            "选项：",
            "商户配置名称",
            "金额（元），例如 100 或 100.50",
            "商户订单号（不填则自动生成）",
            "开户支行",
            "[环境变量：PAYDESK_LANG]",
            "打印帮助",
            // Every flag is still listed under its own name.
            "--profile <PROFILE>",
            "--amount <AMOUNT>",
            "--payee-name",
            "--field <ID=VALUE>",
            "-h, --help",
        ],
    );
    assert_chinese(h);
    // -h and `paydesk help payout create` say the same.
    assert_eq!(paydesk(None, &["payout", "create", "-h"]).stdout, *h);
    assert_eq!(paydesk(None, &["help", "payout", "create"]).stdout, *h);
    // With PAYDESK_LANG set, its value is shown, as clap shows it in English.
    let with_env = paydesk(Some("zh-CN"), &["payout", "create", "-h"]).stdout;
    says(&with_env, &["[环境变量：PAYDESK_LANG=zh-CN]"]);
    assert_eq!(with_env.replace("PAYDESK_LANG=zh-CN]", "PAYDESK_LANG]"), *h);

    for en in [
        paydesk(None, &["--lang", "en", "payout", "create", "--help"]),
        paydesk(Some("en"), &["payout", "create", "--help"]),
        paydesk(
            Some("zh-CN"),
            &["payout", "create", "--help", "--lang=en-US"],
        ),
    ] {
        assert_eq!(en.code, 0, "{}", en.stderr);
        let e = &en.stdout;
        assert!(e.starts_with("Send a payout (see `paydesk form PROFILE payout` for the fields)\n\nUsage: paydesk payout create [OPTIONS] --profile <PROFILE> --amount <AMOUNT>\n\nOptions:\n"), "{e}");
        says(
            e,
            &[
                "      --profile <PROFILE>            Profile name\n",
                "  -h, --help                         Print help\n",
            ],
        );
        never(e, &["用法", "选项", "商户配置名称", "打印帮助", "环境变量"]);
        // The same lines as the Chinese help: nothing added or left out.
        assert_eq!(e.lines().count(), h.lines().count(), "{e}\n{h}");
    }
}

/// The exit statuses after `paydesk --help` are in the run's language only.
#[test]
fn exit_codes_in_the_runs_language_only() {
    let zh = paydesk(None, &["--help"]);
    assert_eq!(zh.code, 0);
    says(
        &zh.stdout,
        &[
            "退出码：\n  0  成功\n",
            "  4  订单结果未知：稍后查询，不要重复下单\n",
            "子命令：\n  profile    商户配置",
        ],
    );
    never(&zh.stdout, &["success"]);
    assert_chinese(&zh.stdout);

    let en = paydesk(None, &["--lang", "en", "--help"]);
    assert_eq!(en.code, 0);
    says(
        &en.stdout,
        &[
            "Exit codes:\n  0  success\n",
            "Commands:\n  profile    Merchant profiles",
        ],
    );
    never(&en.stdout, &["退出码", "成功"]);
}

/// A command given without its subcommand shows that command's help, in
/// the run's language, and exits 2 (a usage error).
#[test]
fn a_missing_subcommand_shows_the_help_in_the_runs_language() {
    let zh = paydesk(None, &["batch"]);
    assert_eq!(zh.code, 2);
    says(
        &zh.stderr,
        &[
            "用法：paydesk batch [OPTIONS] <COMMAND>",
            "  import    导入并校验文件",
        ],
    );
    assert_chinese(&zh.stderr);
    let en = paydesk(Some("en"), &["batch"]);
    assert_eq!(en.code, 2);
    says(&en.stderr, &["Usage: paydesk batch [OPTIONS] <COMMAND>"]);
}

/// The Chinese tree parses like the English one: the same command runs,
/// the same refusals.
#[test]
fn commands_parse_the_same_in_both_languages() {
    let banks = ["--json", "banks", "--provider", "xxpay", "gsyh"];
    let zh = paydesk(None, &banks);
    let en = paydesk(Some("en"), &banks);
    assert_eq!((zh.code, en.code), (0, 0), "{}{}", zh.stderr, en.stderr);
    let json = |o: &Out| -> serde_json::Value { serde_json::from_str(&o.stdout).unwrap() };
    assert_eq!(json(&zh), json(&en));
    says(&zh.stdout, &["中国工商银行"]);
    // A refused line names its usage with the help's own words.
    let zh = paydesk(None, &["payout", "create", "--profile", "p"]);
    assert_eq!(zh.code, 2);
    says(
        &zh.stderr,
        &[
            "错误：缺少必填参数：--amount",
            "\n用法：paydesk payout create ",
        ],
    );
    for bad in [
        &["--json", "order", "list", "--limit", "0"][..],
        &["--json", "form", "p", "withdraw"],
        &["--json", "payout", "create", "--profile", "p"],
    ] {
        let (zo, eo) = (paydesk(None, bad), paydesk(Some("en"), bad));
        assert_eq!((zo.code, eo.code), (2, 2), "{bad:?}");
        let (z, e) = (json(&zo), json(&eo));
        assert_eq!(z["error"]["field"], e["error"]["field"], "{bad:?}");
        assert_eq!(
            (&z["error"]["code"], &e["error"]["code"]),
            (&"usage".into(), &"usage".into())
        );
    }
}
