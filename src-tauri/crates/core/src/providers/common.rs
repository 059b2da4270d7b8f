//! Pieces every gateway shares: request values with their JSON type, the
//! profile settings a request cannot go without, and reading a callback's
//! fields from a form body or a query string.

use crate::error::FieldError;
use crate::form::ids;
use crate::gateway::{GatewayConfig, GatewayError, InboundNotify, OrderParams};
use crate::money;
use crate::tr;

/// The trait methods every gateway answers the same way from its own modules:
/// who it is (a `ProviderKind`), what it offers (a `Capabilities` constant),
/// the forms it names (`forms::<name>()`), its
/// look-up fields and order check (`forms::lookup_fields`, `forms::check`) and
/// its callbacks (`notify::SPEC`). Written once here instead of in each `impl`.
macro_rules! gateway_parts {
    ($kind:ident, $caps:ident $(, $form:ident)*) => {
        fn provider(&self) -> $crate::domain::ProviderKind {
            $crate::domain::ProviderKind::$kind
        }

        fn capabilities(&self) -> $crate::gateway::Capabilities {
            $crate::gateway::Capabilities::$caps
        }

        $(
            fn $form(&self) -> Option<$crate::form::FormSpec> {
                Some(forms::$form())
            }
        )*

        fn lookup_fields(&self, kind: $crate::domain::OrderKind) -> Vec<$crate::form::FieldSpec> {
            forms::lookup_fields(kind)
        }

        fn check(
            &self,
            order: &$crate::gateway::OrderParams,
        ) -> Result<(), $crate::error::FieldError> {
            forms::check(order)
        }

        fn notify_spec(&self) -> Option<$crate::gateway::NotifySpec> {
            Some(notify::SPEC)
        }
    };
}
pub(crate) use gateway_parts;

/// A gateway's status codes as one table: each variant with its code on the
/// wire, optionally the document's words for it, and the shared status it
/// means. Generates the enum (plus `Unknown`: a code not in the table, kept
/// waiting), `from_code`, `text` (when the table has the document's words),
/// `words` (when it has ours, Chinese and English) and the single
/// mapping into `OrderStatus`. `read` is how the code is read first
/// (`str::trim`, or `as_read` to take it exactly as sent). A gateway whose
/// payouts and deposits number their states apart (`per kind`) names the
/// order kind before each code, and `from_code` takes the kind.
macro_rules! status_codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident (per kind, read $read:path) {
            $( $(#[$vmeta:meta])* $variant:ident = $kind:ident $code:literal, ($zh:literal, $en:literal) => $status:ident, )+
        }
    ) => {
        $crate::providers::common::status_codes! {
            $(#[$meta])* pub enum $name (per kind, read $read) { $( $(#[$vmeta])* $variant = $kind $code => $status, )+ }
        }
        impl $name {
            /// Our words for it, in the reader's language.
            pub fn words(self) -> Option<String> {
                match self {
                    $( $name::$variant => Some($crate::i18n::tr($zh, $en)), )+
                    $name::Unknown => None,
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident (per kind, read $read:path) {
            $( $(#[$vmeta:meta])* $variant:ident = $kind:ident $code:literal, $text:literal => $status:ident, )+
        }
    ) => {
        $crate::providers::common::status_codes! {
            $(#[$meta])* pub enum $name (per kind, read $read) { $( $(#[$vmeta])* $variant = $kind $code => $status, )+ }
        }
        $crate::providers::common::status_codes! { @text $name { $( $variant = $text, )+ } }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident (per kind, read $read:path) {
            $( $(#[$vmeta:meta])* $variant:ident = $kind:ident $code:literal => $status:ident, )+
        }
    ) => {
        $crate::providers::common::status_codes! {
            @enum $(#[$meta])* $name { $( $(#[$vmeta])* $variant => $status, )+ }
        }
        impl $name {
            /// The state an order of `kind` is in when the gateway says `code`.
            pub fn from_code(kind: $crate::domain::OrderKind, code: &str) -> Self {
                match (kind, $read(code)) {
                    $( ($crate::domain::OrderKind::$kind, $code) => $name::$variant, )+
                    _ => $name::Unknown,
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident (read $read:path) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $text:literal => $status:ident, )+
        }
    ) => {
        $crate::providers::common::status_codes! {
            $(#[$meta])* pub enum $name (read $read) { $( $(#[$vmeta])* $variant = $code => $status, )+ }
        }
        $crate::providers::common::status_codes! { @text $name { $( $variant = $text, )+ } }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident (read $read:path) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $status:ident, )+
        }
    ) => {
        $crate::providers::common::status_codes! {
            @enum $(#[$meta])* $name { $( $(#[$vmeta])* $variant => $status, )+ }
        }
        impl $name {
            pub fn from_code(code: &str) -> Self {
                match $read(code) {
                    $( $code => $name::$variant, )+
                    _ => $name::Unknown,
                }
            }
        }
    };
    (@text $name:ident { $( $variant:ident = $text:literal, )+ }) => {
        impl $name {
            /// The document's words for it.
            pub fn text(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($text), )+
                    $name::Unknown => None,
                }
            }
        }
    };
    (
        @enum $(#[$meta:meta])* $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $status:ident, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// Any other code: keep waiting, the raw code is kept beside it.
            Unknown,
        }

        impl From<$name> for $crate::domain::OrderStatus {
            fn from(s: $name) -> Self {
                match s {
                    $( $name::$variant => $crate::domain::OrderStatus::$status, )+
                    $name::Unknown => $crate::domain::OrderStatus::Pending,
                }
            }
        }
    };
}
pub(crate) use status_codes;

/// A status code read exactly as the gateway sent it (no trimming).
pub fn as_read(code: &str) -> &str {
    code
}

/// A request parameter with its JSON type from the document's type column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl WireValue {
    /// The text the value is signed as (`true`/`false` for booleans).
    pub fn sign_text(&self) -> String {
        match self {
            WireValue::Str(s) => s.clone(),
            WireValue::Int(n) => n.to_string(),
            WireValue::Bool(b) => b.to_string(),
        }
    }

    /// The value as JSON text.
    pub fn json(&self) -> String {
        match self {
            WireValue::Str(s) => json_string(s),
            WireValue::Int(n) => n.to_string(),
            WireValue::Bool(b) => b.to_string(),
        }
    }
}

/// A JSON string literal; non-ASCII stays as is.
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// A profile setting a request cannot go without, trimmed; `message` names it
/// in the gateway's words when it is missing.
fn setting<'a>(
    value: Option<&'a str>,
    field: &str,
    message: impl FnOnce() -> String,
) -> Result<&'a str, GatewayError> {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        return Err(FieldError::new(field, message()).into());
    }
    Ok(v)
}

/// A profile setting a request may need: where `GatewayConfig` keeps it and
/// the form field that names it, said once for every gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    MerchantId,
    AppId,
    OperatorId,
    NotifyUrl,
    ReturnUrl,
}

impl Setting {
    /// The profile form's field id.
    pub fn field(self) -> &'static str {
        match self {
            Setting::MerchantId => "merchant_id",
            Setting::AppId => "app_id",
            Setting::OperatorId => "operator_id",
            Setting::NotifyUrl => "notify_url",
            Setting::ReturnUrl => "return_url",
        }
    }

    /// Its name in the profile form (Chinese, English).
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Setting::MerchantId => ("商户号", "merchant id"),
            Setting::AppId => ("应用ID", "app id"),
            Setting::OperatorId => ("操作员编号", "operator id"),
            Setting::NotifyUrl => ("回调地址", "notify URL"),
            Setting::ReturnUrl => ("返回地址", "return URL"),
        }
    }

    /// The setting, trimmed, for a request that cannot go without it;
    /// missing, refused naming the profile field and what the gateway calls
    /// it on the wire (`wire`).
    pub fn required<'a>(
        self,
        config: &'a GatewayConfig,
        wire: &str,
    ) -> Result<&'a str, GatewayError> {
        setting(self.value(config), self.field(), || {
            let (zh, en) = self.label();
            crate::i18n::tr(
                &format!("商户配置缺少{zh}（{wire}），该网关的请求必须带上它"),
                &format!(
                    "the profile has no {en} ({wire}), which this gateway's requests must carry"
                ),
            )
        })
    }

    /// The value as the profile holds it, untrimmed.
    pub fn value(self, config: &GatewayConfig) -> Option<&str> {
        match self {
            Setting::MerchantId => Some(&config.merchant_id),
            Setting::AppId => config.app_id.as_deref(),
            Setting::OperatorId => config.operator_id.as_deref(),
            Setting::NotifyUrl => config.notify_url.as_deref(),
            Setting::ReturnUrl => config.return_url.as_deref(),
        }
    }
}

/// An amount outside 1 fen to `max_fen` is refused, naming the gateway.
pub fn check_amount(order: &OrderParams, max_fen: i64, gateway: &str) -> Result<(), FieldError> {
    if order.amount_fen < 1 || order.amount_fen > max_fen {
        return Err(FieldError::new(
            ids::AMOUNT,
            tr!(
                "金额超出 {} 可接受的范围",
                "the amount is outside what {} accepts",
                gateway
            ),
        ));
    }
    Ok(())
}

/// A callback body larger than this is refused (the listener caps it too).
pub const MAX_NOTIFY_BODY: usize = 64 * 1024;
/// A callback value longer than this is refused: no documented field is near it.
pub const MAX_NOTIFY_VALUE: usize = 4096;
/// More fields than this in one callback is refused.
pub const MAX_NOTIFY_FIELDS: usize = 128;

/// `name=value&...` decoded the way a form is: `+` is a space, `%XX` a byte,
/// the result UTF-8. A bad escape, invalid UTF-8, a repeated name, an empty
/// name or an oversized value is refused (never guessed at). Pieces without
/// `=` are names with an empty value.
pub fn form_fields(text: &str) -> Result<Vec<(String, String)>, GatewayError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let k = form_decode(k)?;
        let v = form_decode(v)?;
        if k.is_empty() {
            return Err(GatewayError::malformed("a field without a name"));
        }
        if v.len() > MAX_NOTIFY_VALUE {
            return Err(GatewayError::malformed(format!("`{k}` is too long")));
        }
        if out.iter().any(|(n, _)| *n == k) {
            return Err(GatewayError::malformed(format!("`{k}` given twice")));
        }
        if out.len() >= MAX_NOTIFY_FIELDS {
            return Err(GatewayError::malformed("too many fields"));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// Strict form decoding of one name or value: `+` is a space, `%XX` a
/// byte, the result UTF-8; anything else is refused.
pub fn form_decode(s: &str) -> Result<String, GatewayError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                    .ok_or_else(|| GatewayError::malformed("a bad percent escape"))?;
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| GatewayError::malformed("a value that is not UTF-8"))
}

/// A callback's body as text: refused when too large or not UTF-8.
pub fn notify_body<'a>(req: &InboundNotify<'a>) -> Result<&'a str, GatewayError> {
    if req.body.len() > MAX_NOTIFY_BODY {
        return Err(GatewayError::malformed("body too large"));
    }
    std::str::from_utf8(req.body).map_err(|_| GatewayError::malformed("body is not UTF-8"))
}

/// A form-style callback's fields from the body only.
pub fn notify_body_fields(req: &InboundNotify<'_>) -> Result<Vec<(String, String)>, GatewayError> {
    form_fields(notify_body(req)?.trim())
}

/// A form-style callback's fields: from the body when it holds any, else from
/// the query string (never merged: a field in one could shadow the other).
pub fn notify_form_fields(req: &InboundNotify<'_>) -> Result<Vec<(String, String)>, GatewayError> {
    if req.query.len() > MAX_NOTIFY_BODY {
        return Err(GatewayError::malformed("query too large"));
    }
    let fields = notify_body_fields(req)?;
    if !fields.is_empty() {
        return Ok(fields);
    }
    form_fields(req.query)
}

/// The value of `name` among received fields.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A value the callback must carry, not empty.
pub fn required_field<'a>(
    fields: &'a [(String, String)],
    name: &str,
) -> Result<&'a str, GatewayError> {
    required_field_in(field(fields, name), name)
}

/// `value` when present and not empty; else the callback is unreadable.
pub fn required_field_in<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, GatewayError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| GatewayError::malformed(format!("no `{name}`")))
}

/// Decimal yuan text (`100`, `100.00`, `100.50`) exactly into fen; a negative,
/// over-precise or non-number text is refused.
pub fn yuan_fen(name: &str, text: &str) -> Result<i64, GatewayError> {
    money::parse_reply_yuan(text)
        .filter(|f| *f >= 0 && !text.trim().starts_with('-'))
        .ok_or_else(|| GatewayError::malformed(format!("{name} `{}`", excerpt(text))))
}

/// Whole fen text (`10050`) into fen; anything else is refused.
pub fn whole_fen(name: &str, text: &str) -> Result<i64, GatewayError> {
    money::parse_reply_fen(text)
        .filter(|f| *f >= 0)
        .ok_or_else(|| GatewayError::malformed(format!("{name} `{}`", excerpt(text))))
}

/// A short, inert piece of a received text for an error message.
fn excerpt(text: &str) -> String {
    text.chars().take(32).filter(|c| !c.is_control()).collect()
}

/// Refuses any value longer than a callback field can be.
pub fn check_sizes<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), GatewayError> {
    for (k, v) in fields {
        if v.len() > MAX_NOTIFY_VALUE {
            return Err(GatewayError::malformed(format!(
                "`{}` is too long",
                excerpt(k)
            )));
        }
    }
    Ok(())
}

/// A non-empty value, owned.
pub fn some_text(v: Option<&str>) -> Option<String> {
    v.filter(|s| !s.is_empty()).map(str::to_string)
}

/// Every received field, as received, for the event record.
pub fn field_map(fields: &[(String, String)]) -> std::collections::BTreeMap<String, String> {
    fields.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_is_strict() {
        assert_eq!(
            form_fields("a=1&b=%E5%BC%A0+%E4%B8%89&c=&d").unwrap(),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "张 三".into()),
                ("c".into(), "".into()),
                ("d".into(), "".into()),
            ]
        );
        assert_eq!(form_fields("x=%2B").unwrap()[0].1, "+");
        for bad in ["a=%E5%BC", "a=%G1", "a=%", "a=%2", "=1", "a=1&a=2", "a=%FF"] {
            assert!(
                matches!(form_fields(bad), Err(GatewayError::Malformed(_))),
                "{bad}"
            );
        }
        let long = format!("a={}", "x".repeat(MAX_NOTIFY_VALUE + 1));
        assert!(matches!(
            form_fields(&long),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn body_first_then_query_never_merged() {
        let req = |query, body| InboundNotify {
            method: "POST",
            query,
            content_type: Some("application/x-www-form-urlencoded"),
            body,
        };
        let f = notify_form_fields(&req("a=q&z=1", b"a=b")).unwrap();
        assert_eq!(f, vec![("a".into(), "b".into())]);
        let f = notify_form_fields(&req("a=q&z=1", b"")).unwrap();
        assert_eq!(field(&f, "z"), Some("1"));
        assert!(notify_form_fields(&req("", b"\xff")).is_err());
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(yuan_fen("a", "100").unwrap(), 10000);
        assert_eq!(yuan_fen("a", "100.00").unwrap(), 10000);
        assert_eq!(yuan_fen("a", "100.50").unwrap(), 10050);
        assert_eq!(yuan_fen("a", "0.01").unwrap(), 1);
        for bad in ["", "-1", "1.234", "1e2", "abc", "99999999999999999"] {
            assert!(yuan_fen("a", bad).is_err(), "{bad}");
        }
        assert_eq!(whole_fen("a", "10050").unwrap(), 10050);
        assert!(whole_fen("a", "100.5").is_err());
        assert!(whole_fen("a", "-5").is_err());
    }

    #[test]
    fn each_setting_reads_its_own_profile_field_and_names_it_when_missing() {
        let full = GatewayConfig {
            base_url: "http://127.0.0.1:1".into(),
            merchant_id: " M1 ".into(),
            app_id: Some("A1".into()),
            operator_id: Some("O1".into()),
            notify_url: Some("http://n".into()),
            return_url: Some("http://r".into()),
        };
        let all = [
            (Setting::MerchantId, "merchant_id", "M1"),
            (Setting::AppId, "app_id", "A1"),
            (Setting::OperatorId, "operator_id", "O1"),
            (Setting::NotifyUrl, "notify_url", "http://n"),
            (Setting::ReturnUrl, "return_url", "http://r"),
        ];
        for (s, field, value) in all {
            assert_eq!(s.required(&full, "wireName").unwrap(), value, "{field}");
            match s.required(&GatewayConfig::default(), "wireName") {
                Err(GatewayError::Invalid(f)) => {
                    assert_eq!(f.field, field);
                    assert!(f.message.contains("（wireName）") || f.message.contains("(wireName)"));
                }
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn settings_are_trimmed_and_required() {
        assert_eq!(
            setting(Some(" M1 "), "merchant_id", String::new).unwrap(),
            "M1"
        );
        let e = setting(Some("  "), "merchant_id", || "needed".into()).unwrap_err();
        assert!(
            matches!(e, GatewayError::Invalid(f) if f.field == "merchant_id" && f.message == "needed")
        );
        assert!(setting(None, "app_id", String::new).is_err());
    }
}
