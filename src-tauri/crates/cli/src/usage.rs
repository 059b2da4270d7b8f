//! Command-line errors in the reader's language. clap words its own errors in
//! English; a zh-CN run (the default) must not switch language half-way, so
//! the error is re-worded from clap's structured context (which flag, which
//! value, what is valid) and the flag it names is reported as the field.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use paydesk_core::i18n::Lang;

/// What a refused command line says: one line, and the flag it is about.
pub struct Usage {
    pub message: String,
    /// The flag or argument named by the error, e.g. `--limit` or `<ORDER_NO>`.
    pub field: Option<String>,
    /// clap's usage line for the command, without its "Usage:" label.
    pub usage: Option<String>,
}

fn text(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The argument as the user typed it (`--limit <LIMIT>` names `--limit`).
fn flag(arg: &str) -> String {
    match arg.split_once(' ') {
        Some((f, _)) if f.starts_with('-') => f.to_string(),
        _ => arg.to_string(),
    }
}

/// Why a value parser refused a value, in the reader's language where the
/// reason is one of clap's or the standard library's own English phrases.
fn reason(e: &clap::Error, lang: Lang) -> Option<String> {
    let src = std::error::Error::source(e)?.to_string();
    if lang == Lang::En {
        return Some(src);
    }
    if let Some((_, range)) = src.split_once(" is not in ") {
        if let Some((lo, hi)) = range.split_once("..=") {
            return Some(format!("应在 {lo} 到 {hi} 之间"));
        }
    }
    Some(match src.as_str() {
        "invalid digit found in string" => "应为整数".to_string(),
        "cannot parse integer from empty string" => "不能为空".to_string(),
        "number too large to fit in target type" => "数值太大".to_string(),
        "number too small to fit in target type" => "数值太小".to_string(),
        // Our own parsers already say it in both languages ("中文 / English"
        // or "English / 中文"): keep the Chinese half.
        s => s
            .split(" / ")
            .find(|part| part.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
            .unwrap_or(s)
            .to_string(),
    })
}

pub fn describe(e: &clap::Error, lang: Lang) -> Usage {
    let arg = text(e, ContextKind::InvalidArg);
    let field = arg.as_deref().map(flag);
    let value = text(e, ContextKind::InvalidValue).unwrap_or_default();
    let valid = text(e, ContextKind::ValidValue).filter(|v| !v.is_empty());
    let suggested = text(e, ContextKind::SuggestedArg)
        .or_else(|| text(e, ContextKind::SuggestedSubcommand))
        .or_else(|| text(e, ContextKind::SuggestedValue));
    let usage = text(e, ContextKind::Usage).map(|u| {
        let u = u.trim();
        u.strip_prefix("Usage:").unwrap_or(u).trim().to_string()
    });
    let f = field.clone().unwrap_or_default();
    let zh = lang == Lang::Zh;
    let mut message = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if zh => {
            let mut m = if value.is_empty() {
                format!("参数 {f} 需要一个值")
            } else {
                format!("参数 {f} 的值“{value}”无效")
            };
            if let Some(why) = reason(e, lang) {
                m = format!("{m}：{why}");
            } else if let Some(v) = &valid {
                m = format!("{m}：可选 {v}");
            }
            m
        }
        ErrorKind::UnknownArgument if zh => format!("没有参数 {f}"),
        ErrorKind::InvalidSubcommand if zh => {
            let sub = text(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("没有子命令“{sub}”")
        }
        ErrorKind::MissingRequiredArgument if zh => {
            let all = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(v)) => {
                    v.iter().map(|a| flag(a)).collect::<Vec<_>>().join("、")
                }
                _ => f.clone(),
            };
            format!("缺少必填参数：{all}")
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            if zh =>
        {
            "缺少子命令，可用的子命令见 --help".to_string()
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "a subcommand is missing; see --help".to_string()
        }
        ErrorKind::ArgumentConflict if zh => {
            let prior = text(e, ContextKind::PriorArg).unwrap_or_default();
            format!("参数 {f} 不能与 {} 同时使用", flag(&prior))
        }
        ErrorKind::ArgumentConflict if !zh => {
            // clap's own wording here is fine; only the field is added.
            first_line(e)
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues
            if zh =>
        {
            format!("参数 {f} 的值个数不对")
        }
        ErrorKind::NoEquals if zh => format!("参数 {f} 需要用 = 连接它的值"),
        ErrorKind::InvalidUtf8 if zh => "命令行含有无效的 UTF-8 字符".to_string(),
        _ if zh => format!("命令行用法错误：{}", first_line(e)),
        _ => first_line(e),
    };
    if let Some(s) = suggested {
        message = if zh {
            format!("{message}（是否想用 {s}？）")
        } else {
            format!("{message} (did you mean {s}?)")
        };
    }
    Usage {
        message,
        field,
        usage,
    }
}

/// clap's first line of the error, without its "error: " label.
fn first_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("usage error");
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// The language of a run that clap refused: `--lang X` / `--lang=X` on the
/// command line, else `PAYDESK_LANG`, else zh-CN (an unknown value is itself
/// the error being reported, so it falls back too).
pub fn lang_of(args: &[std::ffi::OsString]) -> Lang {
    let mut it = args.iter().skip(1).take_while(|a| *a != "--");
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        let v = if a == "--lang" {
            it.next().map(|v| v.to_string_lossy().into_owned())
        } else {
            a.strip_prefix("--lang=").map(str::to_string)
        };
        if let Some(l) = v.as_deref().and_then(Lang::parse) {
            return l;
        }
    }
    std::env::var("PAYDESK_LANG")
        .ok()
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser, Debug)]
    #[command(name = "t")]
    struct T {
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: Option<u32>,
        #[arg(long, value_parser = ["a", "b"])]
        kind: Option<String>,
        #[arg(long)]
        name: String,
    }

    fn err(args: &[&str]) -> clap::Error {
        T::try_parse_from(args).unwrap_err()
    }

    #[test]
    fn errors_are_worded_in_chinese_and_name_the_flag() {
        let u = describe(&err(&["t", "--name", "x", "--limit", "0"]), Lang::Zh);
        assert_eq!(u.message, "参数 --limit 的值“0”无效：应在 1 到 1000 之间");
        assert_eq!(u.field.as_deref(), Some("--limit"));
        let u = describe(&err(&["t", "--name", "x", "--limit", "abc"]), Lang::Zh);
        assert_eq!(u.message, "参数 --limit 的值“abc”无效：应为整数");
        let u = describe(&err(&["t", "--name", "x", "--kind", "c"]), Lang::Zh);
        assert!(
            u.message.starts_with("参数 --kind 的值“c”无效：可选 "),
            "{}",
            u.message
        );
        let u = describe(&err(&["t", "--name", "x", "--nonsense"]), Lang::Zh);
        assert_eq!(u.message, "没有参数 --nonsense");
        let u = describe(&err(&["t", "--name", "x", "--limi", "3"]), Lang::Zh);
        assert!(u.message.contains("是否想用 --limit"), "{}", u.message);
        let u = describe(&err(&["t", "--name"]), Lang::Zh);
        assert_eq!(u.message, "参数 --name 需要一个值");
        let u = describe(&err(&["t"]), Lang::Zh);
        assert_eq!(u.message, "缺少必填参数：--name");
        assert!(u.usage.unwrap().starts_with("t --name"));
        assert!(T::command().get_name() == "t");
    }

    #[test]
    fn english_keeps_the_reason_and_the_flag() {
        let u = describe(&err(&["t", "--name", "x", "--limit", "0"]), Lang::En);
        assert!(u.message.contains("--limit"), "{}", u.message);
        assert!(u.message.contains("1..=1000"), "{}", u.message);
        assert_eq!(u.field.as_deref(), Some("--limit"));
    }

    #[test]
    fn the_language_comes_from_the_refused_line_or_the_environment() {
        let a = |v: &[&str]| {
            v.iter()
                .map(Into::into)
                .collect::<Vec<std::ffi::OsString>>()
        };
        assert_eq!(lang_of(&a(&["p", "--lang", "en", "--x"])), Lang::En);
        assert_eq!(lang_of(&a(&["p", "--lang=en"])), Lang::En);
        assert_eq!(
            lang_of(&a(&["p", "--", "--lang", "en"])),
            lang_of(&a(&["p"]))
        );
    }
}
