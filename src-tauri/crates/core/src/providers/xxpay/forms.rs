//! xxpay's deposit and payout forms, its bank and product tables, and the
//! checks on a whole order before anything is sent.

use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{
    ids, AmountRule, BankValue, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule,
};
use crate::gateway::OrderParams;
use crate::providers::common::check_amount;
use crate::tr;

/// The HPT bank-code table of the document (4.3 代付银行代码): (code, name).
/// 浙江稠州商业银行 is listed twice, under two codes; both are kept.
pub const HPT_BANKS: &[(&str, &str)] = &[
    ("HPT00001", "中国银行"),
    ("HPT00002", "中国工商银行"),
    ("HPT00003", "中国建设银行"),
    ("HPT00004", "中国农业银行"),
    ("HPT00005", "招商银行"),
    ("HPT00006", "交通银行"),
    ("HPT00007", "中信银行"),
    ("HPT00008", "兴业银行"),
    ("HPT00009", "中国民生银行"),
    ("HPT00010", "华夏银行"),
    ("HPT00011", "上海浦东发展银行"),
    ("HPT00012", "汇丰银行"),
    ("HPT00013", "渣打银行"),
    ("HPT00014", "花旗银行"),
    ("HPT00015", "德意志银行"),
    ("HPT00016", "瑞士银行"),
    ("HPT00017", "荷兰银行"),
    ("HPT00018", "香港汇丰"),
    ("HPT00019", "香港花旗"),
    ("HPT00020", "香港东亚银行"),
    ("HPT00021", "恒生银行"),
    ("HPT00022", "中国光大银行"),
    ("HPT00023", "广发银行"),
    ("HPT00024", "平安银行"),
    ("HPT00025", "北京银行"),
    ("HPT00026", "中国邮政储蓄银行"),
    ("HPT00027", "上海银行"),
    ("HPT00028", "南京银行"),
    ("HPT00029", "渤海银行"),
    ("HPT00030", "宁波银行"),
    ("HPT00031", "深圳发展银行"),
    ("HPT00032", "北京农商银行"),
    ("HPT00033", "上海农商银行"),
    ("HPT00034", "浙江稠州商业银行"),
    ("HPT00035", "杭州银行"),
    ("HPT00036", "富滇银行"),
    ("HPT00037", "浙商银行"),
    ("HPT00038", "河北银行"),
    ("HPT00039", "徽商银行"),
    ("HPT00040", "人民银行（央行）"),
    ("HPT00041", "广州银行"),
    ("HPT00042", "哈尔滨银行"),
    ("HPT00043", "长沙银行"),
    ("HPT00044", "青岛银行"),
    ("HPT00045", "上饶银行"),
    ("HPT00046", "东莞银行"),
    ("HPT00047", "临商银行"),
    ("HPT00048", "内蒙古银行"),
    ("HPT00049", "华融湘江银行"),
    ("HPT00050", "南充市商业银行"),
    ("HPT00051", "台州银行"),
    ("HPT00052", "吉林银行"),
    ("HPT00053", "国家开发银行"),
    ("HPT00054", "大连银行"),
    ("HPT00055", "天津农商银行"),
    ("HPT00056", "天津银行"),
    ("HPT00057", "威海市商业银行"),
    ("HPT00058", "宁夏银行"),
    ("HPT00059", "宜宾市商业银行"),
    ("HPT00060", "平顶山银行"),
    ("HPT00061", "廊坊银行"),
    ("HPT00062", "德州银行"),
    ("HPT00063", "恒丰银行"),
    ("HPT00064", "成都农商银行"),
    ("HPT00065", "成都银行"),
    ("HPT00066", "承德银行"),
    ("HPT00067", "昆仑银行"),
    ("HPT00068", "汉口银行"),
    ("HPT00069", "洛阳银行"),
    ("HPT00070", "济宁银行"),
    ("HPT00071", "浙江民泰商业银行"),
    ("HPT00072", "浙江泰隆商业银行"),
    ("HPT00073", "浙江稠州商业银行"),
    ("HPT00074", "温州银行"),
    ("HPT00075", "湖北银行"),
    ("HPT00076", "潍坊银行"),
    ("HPT00077", "盛京银行"),
    ("HPT00078", "石嘴山银行"),
    ("HPT00079", "福建海峡银行"),
    ("HPT00080", "绍兴银行"),
    ("HPT00081", "苏州银行"),
    ("HPT00082", "莱商银行"),
    ("HPT00083", "营口银行"),
    ("HPT00084", "衡水银行"),
    ("HPT00085", "西安银行"),
    ("HPT00086", "赣州银行"),
    ("HPT00087", "邢台银行"),
    ("HPT00088", "郑州银行"),
    ("HPT00089", "鄂尔多斯银行"),
    ("HPT00090", "重庆三峡银行"),
    ("HPT00091", "锦州银行"),
    ("HPT00092", "陕西信合"),
    ("HPT00093", "青海银行"),
    ("HPT00094", "韩亚银行"),
    ("HPT00095", "齐商银行"),
    ("HPT00096", "齐鲁银行"),
    ("HPT00097", "龙江银行"),
];

/// The bank name the table gives a code (`bankName` is derived from it).
pub fn hpt_bank_name(code: &str) -> Option<&'static str> {
    HPT_BANKS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(_, n)| *n)
}

/// The deposit channels (4.1 支付产品): `productId` and its name.
pub const PRODUCTS: &[(&str, &str, &str)] = &[
    ("8000", "网银支付", "Online banking"),
    ("8001", "银联快捷", "UnionPay quick pay"),
    ("8002", "微信扫码支付", "WeChat Pay QR code"),
    ("8003", "微信 H5 支付", "WeChat Pay H5"),
    ("8004", "微信公众号支付", "WeChat official account pay"),
    ("8005", "微信小程序支付", "WeChat mini program pay"),
    ("8006", "支付宝 QY 扫码支付", "Alipay QY QR code"),
    ("8007", "支付宝 QY H5 支付", "Alipay QY H5"),
    ("8008", "支付宝服务窗支付", "Alipay service window"),
    ("8009", "QQ 钱包扫码", "QQ Wallet QR code"),
    ("8010", "QQ 钱包 H5 支付", "QQ Wallet H5"),
    ("8011", "京东扫码支付", "JD Pay QR code"),
    ("8012", "京东 H5 支付", "JD Pay H5"),
    ("8013", "百度钱包", "Baidu Wallet"),
    ("8014", "银联二维码", "UnionPay QR code"),
    ("8015", "支付宝 GT H5 支付", "Alipay GT H5"),
    ("8016", "支付宝 GT 扫码支付", "Alipay GT QR code"),
    ("8017", "支付宝 DM 扫码支付", "Alipay DM QR code"),
    ("8018", "支付宝 DM H5 支付", "Alipay DM H5"),
    ("8019", "云闪付", "UnionPay QuickPass"),
];

/// 网银支付: the only product that needs the payer's bank details in `param1`.
pub const BANK_TRANSFER_PRODUCT: &str = "8000";

/// Gateway-specific field ids (the canonical ones are in `form::ids`).
pub mod field {
    pub const ACCOUNT_ATTR: &str = "account_attr";
    pub const CNAPS_CODE: &str = "cnaps_code";
    pub const CLIENT_IP: &str = "client_ip";
    pub const DEVICE: &str = "device";
}

pub const ORDER_NO_MAX: usize = 30;
/// `amount` is typed `int` (fen): Java's int tops out at 2147483647.
pub const AMOUNT_MAX_FEN: i64 = i32::MAX as i64;
pub const PARAM_MAX: usize = 64;
pub const URL_MAX: usize = 128;

fn product_choices() -> Vec<Choice> {
    PRODUCTS
        .iter()
        .map(|(code, zh, en)| {
            Choice::new(code, &format!("{zh}（{code}）"), &format!("{en} ({code})"))
        })
        .collect()
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn deposit_form() -> FormSpec {
    let bank_only = |f: FieldSpec| {
        f.required_when(ids::CHANNEL, BANK_TRANSFER_PRODUCT)
            .shown_when(ids::CHANNEL, BANK_TRANSFER_PRODUCT).wire("param1")
    };
    FormSpec::new(ProviderKind::Xxpay, OrderKind::Deposit, "/api/pay/create_order", AmountRule::fen(1, Some(AMOUNT_MAX_FEN)), OrderNoRule::sent(ORDER_NO_MAX, "mchOrderNo"))
        .fields(vec![
            FieldSpec::new(ids::CHANNEL, "支付产品", "Payment product", InputKind::Select).required()
                .choices(product_choices())
                .wire("productId")
                .help("须是网关为本商户开通的产品", "must be a product the gateway has enabled for this merchant"),
            bank_only(
                FieldSpec::new(ids::PAYER_BANK_CODE, "汇款人银行", "Payer's bank", InputKind::Bank).bank_value(BankValue::Code).max_len(16)
                    .help("网银支付必填：付款人的开户银行（HPT 银行代码）", "required for online banking: the payer's bank (HPT bank code)"),
            ),
            bank_only(
                FieldSpec::new(ids::PAYER_NAME, "汇款人户名", "Payer's account name", InputKind::Text).max_len(30)
                    .help("网银支付必填：付款账户的户名", "required for online banking: the name on the paying account"),
            ),
            bank_only(
                FieldSpec::new(ids::PAYER_ACCOUNT_NO, "汇款人账号", "Payer's account number", InputKind::AccountNo).max_len(32)
                    .help("网银支付必填：付款的银行卡号或账号", "required for online banking: the paying card or account number"),
            ),
            FieldSpec::new(ids::SUBJECT, "商品主题", "Subject", InputKind::Text).required().max_len(64).default_value("在线支付").wire("subject"),
            FieldSpec::new(ids::BODY, "商品描述", "Description", InputKind::Text).required().max_len(256).default_value("在线支付").wire("body"),
            FieldSpec::new(field::CLIENT_IP, "客户端 IP", "Client IP", InputKind::Text).max_len(32).wire("clientIp")
                .help("付款人的 IP 地址，H5 类产品可能需要；不知道可留空", "the payer's IP address, which H5 products may need; leave empty if unknown"),
            FieldSpec::new(field::DEVICE, "设备", "Device", InputKind::Text).max_len(64).wire("device").help("付款人的设备，如 ios10.3.1；可留空", "the payer's device, e.g. ios10.3.1; may be left empty"),
            FieldSpec::new(ids::REMARK, "附加信息", "Note", InputKind::Text).max_len(PARAM_MAX).wire("param2")
                .help("支付中心回调时原样返回，付款人看不到", "returned as is in the gateway's notifications; the payer does not see it"),
        ])
        .notes(&[
            ("金额以分为单位发送；回调地址（notifyUrl）和前端跳转地址（returnUrl）取自商户资料。", "The amount is sent in fen; the notify URL (notifyUrl) and return URL (returnUrl) come from the profile."),
            ("网银支付（8000）须填写汇款人银行、户名、账号，合并为“银行代码;户名;账号”放在 param1 发送。", "Online banking (8000) needs the payer's bank, account name and number, sent together as `code;name;number` in param1."),
            ("若返回的支付地址以“POST;”开头，须在浏览器中以表单 POST 方式打开，不能生成二维码。", "A pay URL starting with `POST;` must be opened in the browser by a form POST; it cannot be a QR code."),
        ])
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn payout_form() -> FormSpec {
    FormSpec::new(ProviderKind::Xxpay, OrderKind::Payout, "/api/trans/create_order", AmountRule::fen(1, Some(AMOUNT_MAX_FEN)), OrderNoRule::sent(ORDER_NO_MAX, "mchTransOrderNo"))
        .fields(vec![
            FieldSpec::new(ids::PAYEE_NAME, "收款人户名", "Payee name", InputKind::Text).required().max_len(64).wire("accountName"),
            FieldSpec::new(ids::ACCOUNT_NO, "收款账号", "Account number", InputKind::AccountNo).required().max_len(64).wire("accountNo"),
            FieldSpec::new(ids::BANK_CODE, "收款银行", "Bank", InputKind::Bank).required().bank_value(BankValue::Code).max_len(32).wire("bankCode")
                .help("按网关的代付银行代码表（HPT00001–HPT00097）选择；开户行名称（bankName）按表自动填写", "pick from the gateway's payout bank list (HPT00001–HPT00097); the bank name (bankName) is filled in from it"),
            FieldSpec::new(ids::ACCOUNT_TYPE, "账户类型", "Account type", InputKind::Select).required().default_value("1")
                .choices(vec![
                    Choice::new("1", "银行卡转账", "Bank card transfer"),
                    Choice::new("2", "微信转账", "WeChat transfer"),
                    Choice::new("3", "支付宝转账", "Alipay transfer"),
                    Choice::new("4", "其他转账", "Other transfer"),
                ])
                .wire("accountType"),
            FieldSpec::new(field::ACCOUNT_ATTR, "账户属性", "Personal or business account", InputKind::Select)
                .choices(vec![Choice::new("0", "对私（个人）", "Personal"), Choice::new("1", "对公（企业）", "Business")])
                .wire("accountAttr")
                .help("不填时网关按对私处理", "the gateway treats an empty value as personal"),
            FieldSpec::new(ids::PROVINCE, "开户行省份", "Bank province", InputKind::Text).required().max_len(32).wire("province").help("如：江苏", "e.g. 江苏"),
            FieldSpec::new(ids::CITY, "开户行城市", "Bank city", InputKind::Text).required().max_len(32).wire("city").help("如：南京", "e.g. 南京"),
            FieldSpec::new(field::CNAPS_CODE, "联行号", "CNAPS code", InputKind::Text).max_len(12).wire("bankType")
                .help("开户支行的联行号（数字），可留空", "the branch's CNAPS number (digits); may be left empty"),
            FieldSpec::new(ids::PAYER_ACCOUNT_NO, "汇款账户末六位", "Last six digits of the paying account", InputKind::AccountNo).max_len(6).wire("param1")
                .help("网关要求时填写：汇款人账户的末六位数字", "when the gateway asks for it: the last six digits of the remitting account"),
            FieldSpec::new(ids::REMARK, "附加信息", "Note", InputKind::Text).max_len(PARAM_MAX).wire("param2")
                .help("支付中心回调时原样返回，不会转给收款人", "returned as is in the gateway's notifications; not passed on to the payee"),
        ])
        .notes(&[
            ("金额以分为单位发送；代付结果回调地址（notifyUrl）取自商户资料。", "The amount is sent in fen; the notify URL (notifyUrl) comes from the profile."),
            ("代付结果以查询为准：“代付中”的订单请稍后再查询，不要重复代付。", "A payout's outcome is what a query says: query an order in progress later instead of paying again."),
        ])
}

/// `param1` for online banking: `bank code;account name;account number`.
pub fn bank_transfer_param1(order: &OrderParams) -> String {
    format!(
        "{};{};{}",
        order.value_or_empty(ids::PAYER_BANK_CODE),
        order.value_or_empty(ids::PAYER_NAME),
        order.value_or_empty(ids::PAYER_ACCOUNT_NO)
    )
}

pub fn unknown_bank(code: &str) -> FieldError {
    FieldError::new(
        ids::BANK_CODE,
        tr!(
            "“{}”不在 xxpay 的代付银行代码表中，请从列表中选择银行",
            "“{}” is not in xxpay's payout bank list; pick the bank from the list",
            code
        ),
    )
}

pub fn bad_cnaps() -> FieldError {
    FieldError::new(
        field::CNAPS_CODE,
        tr!("联行号只能是数字", "the CNAPS code must be digits only"),
    )
}

/// Checks beyond the form description, before anything is stored or sent.
pub fn check(order: &OrderParams) -> Result<(), FieldError> {
    let no = order.order_no.trim();
    if no.is_empty()
        || no.chars().count() > ORDER_NO_MAX
        || !no.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(FieldError::new(
            ids::ORDER_NO,
            tr!(
                "xxpay 的订单号须为 1–{} 个字母、数字或符号，不能有空格",
                "xxpay order numbers are 1–{} letters, digits or symbols without spaces",
                ORDER_NO_MAX
            ),
        ));
    }
    check_amount(order, AMOUNT_MAX_FEN, "xxpay")?;
    match order.kind {
        OrderKind::Deposit => {
            let channel = order.value_or_empty(ids::CHANNEL);
            if !PRODUCTS.iter().any(|(c, _, _)| *c == channel) {
                return Err(FieldError::new(
                    ids::CHANNEL,
                    tr!("请选择支付产品", "choose a payment product"),
                ));
            }
            if channel == BANK_TRANSFER_PRODUCT {
                for id in [ids::PAYER_BANK_CODE, ids::PAYER_NAME, ids::PAYER_ACCOUNT_NO] {
                    let v = order.value_or_empty(id);
                    if v.is_empty() {
                        return Err(FieldError::new(id, tr!("网银支付须填写汇款人银行、户名和账号", "online banking needs the payer's bank, account name and account number")));
                    }
                    if v.contains(';') {
                        return Err(FieldError::new(
                            id,
                            tr!(
                                "不能包含分号“;”（它是 param1 的分隔符）",
                                "must not contain “;” (it separates the parts of param1)"
                            ),
                        ));
                    }
                }
                let code = order.value_or_empty(ids::PAYER_BANK_CODE);
                if hpt_bank_name(code).is_none() {
                    return Err(FieldError::new(
                        ids::PAYER_BANK_CODE,
                        tr!(
                            "“{}”不在 xxpay 的银行代码表中，请从列表中选择银行",
                            "“{}” is not in xxpay's bank list; pick the bank from the list",
                            code
                        ),
                    ));
                }
                if bank_transfer_param1(order).chars().count() > PARAM_MAX {
                    return Err(FieldError::new(ids::PAYER_NAME, tr!("汇款人银行代码、户名、账号合计最长 {} 个字符（param1）", "the payer's bank code, name and number together can be at most {} characters (param1)", PARAM_MAX - 2)));
                }
            }
        }
        OrderKind::Payout => {
            let code = order.value_or_empty(ids::BANK_CODE);
            if hpt_bank_name(code).is_none() {
                return Err(unknown_bank(code));
            }
            if order.value(ids::ACCOUNT_TYPE).unwrap_or("1") == "1"
                && !order
                    .value_or_empty(ids::ACCOUNT_NO)
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            {
                return Err(FieldError::new(
                    ids::ACCOUNT_NO,
                    tr!(
                        "银行卡转账的收款账号只能是数字",
                        "for a bank card transfer the account number must be digits only"
                    ),
                ));
            }
            if let Some(cnaps) = order.value(field::CNAPS_CODE) {
                if cnaps.len() > 18 || !cnaps.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad_cnaps());
                }
            }
            if let Some(tail) = order.value(ids::PAYER_ACCOUNT_NO) {
                if tail.len() != 6 || !tail.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(FieldError::new(
                        ids::PAYER_ACCOUNT_NO,
                        tr!(
                            "请填写汇款账户的末六位数字",
                            "enter the last six digits of the remitting account"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A status query needs nothing but the order number.
pub fn lookup_fields(_kind: OrderKind) -> Vec<FieldSpec> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hpt_table_is_the_whole_document_table() {
        assert_eq!(HPT_BANKS.len(), 97);
        for (i, (code, name)) in HPT_BANKS.iter().enumerate() {
            assert_eq!(*code, format!("HPT{:05}", i + 1));
            assert!(!name.is_empty());
        }
        assert_eq!(hpt_bank_name("HPT00034"), Some("浙江稠州商业银行"));
        assert_eq!(hpt_bank_name("HPT00073"), Some("浙江稠州商业银行"));
        assert_eq!(hpt_bank_name("hpt00002"), Some("中国工商银行"));
        assert_eq!(hpt_bank_name("HPT00097"), Some("龙江银行"));
        assert_eq!(hpt_bank_name("HPT00098"), None);
        assert_eq!(hpt_bank_name("HP00001"), None);
    }
}
