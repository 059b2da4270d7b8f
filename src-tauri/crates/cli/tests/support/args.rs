//! The flags of a valid order per gateway, written once for every suite.

use paydesk_core::ProviderKind;

/// A jstpay payout's payee.
pub const JST_PAYEE: &[&str] = &[
    "--payee-name",
    "张三",
    "--account-no",
    "6222020200112233445",
    "--bank-name",
    "中国工商银行",
    "--branch",
    "上海分行",
    "--province",
    "上海市",
    "--city",
    "上海市",
];

/// The form flags of a valid payout per gateway (juyouke's withdrawal has none).
pub fn payout_flags(kind: ProviderKind) -> Vec<&'static str> {
    match kind {
        ProviderKind::Jstpay => JST_PAYEE.to_vec(),
        ProviderKind::Jeepay => vec![
            "--entry-type",
            "WX_CASH",
            "--if-code",
            "wxpay",
            "--account-no",
            "o6BcIwvTvIqf1zXZohc61biryWik",
            "--payee-name",
            "张三",
        ],
        ProviderKind::Juyouke => vec![],
        ProviderKind::Appkey => vec![
            "--payee-name",
            "李四",
            "--account-no",
            "6222020200112233445",
            "--bank-name",
            "中国工商银行",
        ],
        ProviderKind::Xxpay => vec![
            "--payee-name",
            "张三",
            "--account-no",
            "6222020200112233445",
            "--bank-code",
            "HPT00002",
            "--province",
            "江苏",
            "--city",
            "南京",
        ],
    }
}

/// juyouke's B-scans-C deposit (pay code), its one order with a merchant number.
pub const JUYOUKE_CODEPAY: &[&str] = &[
    "deposit",
    "create",
    "--channel",
    "1",
    "--subject",
    "测试",
    "--field",
    "pay_type=codepay",
    "--auth-code",
    "134567890123459999",
];

/// The command and flags of a valid create per gateway; juyouke's B-scans-C
/// deposit stands in for its payout, which has no merchant order number.
pub fn create_args(kind: ProviderKind) -> Vec<&'static str> {
    match kind {
        ProviderKind::Juyouke => JUYOUKE_CODEPAY.to_vec(),
        _ => [&["payout", "create"][..], &payout_flags(kind)].concat(),
    }
}
