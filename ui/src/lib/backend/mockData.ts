// Gateway descriptions for the mock backend, shaped like the ones the Rust core
// sends (src-tauri/crates/core/src/providers/*/mod.rs).
import type {
  AmountRule, Bank, BankValue, Capabilities, Choice, FieldSpec, FormSpec, InputKind, OrderKind, ProviderKind,
} from '../bindings';

type FieldOpts = Partial<Omit<FieldSpec, 'id' | 'label_zh' | 'label_en' | 'input'>> & { help?: [string, string] };

export function field(id: string, zh: string, en: string, input: InputKind, o: FieldOpts = {}): FieldSpec {
  const { help, ...rest } = o;
  return {
    id, label_zh: zh, label_en: en, input,
    required: false, required_when: null, shown_when: null, choices: [], allow_other: false,
    bank_value: input === 'bank' ? 'name' : null, max_len: null, default: null, wire_name: null,
    help_zh: help?.[0] ?? null, help_en: help?.[1] ?? null,
    ...rest,
  };
}
const c = (value: string, label_zh: string, label_en: string): Choice => ({ value, label_zh, label_en });
const when = (field: string, equals: string) => ({ field, equals });
const fenRule = (min_fen: number, max_fen: number | null): AmountRule =>
  ({ min_fen, max_fen, whole_yuan: false, daily_max_fen: null, wire_unit: 'fen' });
const wholeYuan = (min_fen: number, max_fen: number | null): AmountRule =>
  ({ min_fen, max_fen, whole_yuan: true, daily_max_fen: null, wire_unit: 'yuan' });
const yuan2dp = (min_fen: number, max_fen: number | null): AmountRule =>
  ({ min_fen, max_fen, whole_yuan: false, daily_max_fen: null, wire_unit: 'yuan' });

const I32_MAX = 2147483647;

const NAMES: [string, string][] = [
  ['中国工商银行', 'zggsyh'], ['中国农业银行', 'zgnyyh'], ['中国银行', 'zgyh'], ['中国建设银行', 'zgjsyh'],
  ['交通银行', 'jtyh'], ['中国邮政储蓄银行', 'zgyzcxyh'], ['招商银行', 'zsyh'], ['浦发银行', 'pfyh'],
  ['中信银行', 'zxyh'], ['中国光大银行', 'zggdyh'], ['华夏银行', 'hxyh'], ['中国民生银行', 'zgmsyh'],
  ['广发银行', 'gfyh'], ['兴业银行', 'xyyh'], ['平安银行', 'payh'], ['浙商银行', 'zsyh'], ['恒丰银行', 'hfyh'],
  ['渤海银行', 'bhyh'], ['北京银行', 'bjyh'], ['上海银行', 'shyh'], ['江苏银行', 'jsyh'], ['南京银行', 'njyh'],
  ['宁波银行', 'nbyh'], ['杭州银行', 'hzyh'], ['徽商银行', 'hsyh'], ['天津银行', 'tjyh'], ['重庆银行', 'cqyh'],
  ['广州银行', 'gzyh'], ['长沙银行', 'csyh'], ['成都银行', 'cdyh'], ['贵阳银行', 'gyyh'], ['哈尔滨银行', 'hebyh'],
  ['盛京银行', 'sjyh'], ['北京农商银行', 'bjnsyh'], ['上海农商银行', 'shnsyh'], ['重庆农村商业银行', 'cqncsyyh'],
  ['广州农村商业银行', 'gzncsyyh'], ['深圳农村商业银行', 'szncsyyh'],
];
export const COMMON_BANKS: Bank[] = NAMES.map(([name, initials]) => ({ name, code: null, initials }));

const HPT: [string, string][] = [
  ['中国银行', 'zgyh'], ['中国工商银行', 'zggsyh'], ['中国建设银行', 'zgjsyh'], ['中国农业银行', 'zgnyyh'],
  ['招商银行', 'zsyh'], ['交通银行', 'jtyh'], ['中信银行', 'zxyh'], ['兴业银行', 'xyyh'], ['中国民生银行', 'zgmsyh'],
  ['华夏银行', 'hxyh'], ['上海浦东发展银行', 'shpdfzyh'], ['汇丰银行', 'hfyh'], ['渣打银行', 'zdyh'],
  ['花旗银行', 'hqyh'], ['德意志银行', 'dyzyh'], ['瑞士银行', 'rsyh'], ['荷兰银行', 'hlyh'], ['香港汇丰', 'xghf'],
  ['香港花旗', 'xghq'], ['香港东亚银行', 'xgdyyh'], ['恒生银行', 'hsyh'], ['中国光大银行', 'zggdyh'],
  ['广发银行', 'gfyh'], ['平安银行', 'payh'], ['北京银行', 'bjyh'], ['中国邮政储蓄银行', 'zgyzcxyh'],
  ['上海银行', 'shyh'], ['南京银行', 'njyh'], ['渤海银行', 'bhyh'], ['宁波银行', 'nbyh'],
];
export const HPT_BANKS: Bank[] = HPT.map(([name, initials], i) => ({
  name, initials, code: 'HPT' + String(i + 1).padStart(5, '0'),
}));

export function banksFor(provider: ProviderKind): Bank[] {
  return provider === 'xxpay' ? HPT_BANKS : COMMON_BANKS;
}

export const CAPABILITIES: Record<ProviderKind, Capabilities> = {
  jstpay: { payout: true, payout_query: true, deposit: true, deposit_query: true, balance: true, arrivals: true },
  jeepay: { payout: true, payout_query: true, deposit: false, deposit_query: false, balance: false, arrivals: false },
  juyouke: { payout: true, payout_query: true, deposit: true, deposit_query: true, balance: true, arrivals: false },
  appkey: { payout: true, payout_query: true, deposit: true, deposit_query: true, balance: false, arrivals: false },
  xxpay: { payout: true, payout_query: true, deposit: true, deposit_query: true, balance: false, arrivals: false },
};

const jstChannels = [
  c('bank', '银联网关', 'UnionPay gateway'), c('weixin', '微信转银联', 'WeChat to UnionPay'),
  c('alipay', '支付宝转银联', 'Alipay to UnionPay'), c('qrcode', '银联扫码', 'UnionPay QR code'),
];
const XX_PRODUCTS: [string, string, string][] = [
  ['8000', '网银支付', 'Online banking'], ['8001', '银联快捷', 'UnionPay quick pay'],
  ['8002', '微信扫码支付', 'WeChat Pay QR code'], ['8003', '微信 H5 支付', 'WeChat Pay H5'],
  ['8006', '支付宝 QY 扫码支付', 'Alipay QY QR code'], ['8014', '银联二维码', 'UnionPay QR code'],
];
const APPKEY_CHANNELS: [string, string, string][] = [
  ['1', '微信', 'WeChat'], ['2', '支付宝', 'Alipay'], ['3', '银行卡', 'Bank card'], ['5', '云闪付', 'UnionPay QuickPass'],
  ['6', '支付宝转银行卡', 'Alipay to bank card'], ['7', '支付宝wap', 'Alipay WAP'], ['8', '微信wap', 'WeChat WAP'],
];

function spec(provider: ProviderKind, kind: OrderKind, operation: string, amount: AmountRule,
  order_no: FormSpec['order_no'], fields: FieldSpec[], notes: [string, string][]): FormSpec {
  return { provider, kind, operation, amount, order_no, fields, notes_zh: notes.map((n) => n[0]), notes_en: notes.map((n) => n[1]) };
}

const bankPick = (id: string, zh: string, en: string, bank_value: BankValue, o: FieldOpts = {}) =>
  field(id, zh, en, 'bank', { bank_value, ...o });

export const FORMS: Partial<Record<`${ProviderKind}/${OrderKind}`, FormSpec>> = {
  'jstpay/payout': spec('jstpay', 'payout', '/api/pay/create', wholeYuan(100, null),
    { sent: true, max_len: 32, wire_name: 'client_order_id' }, [
      field('payee_name', '收款人户名', 'Payee name', 'text', { required: true, max_len: 50, wire_name: 'payee_name', help: ['与银行卡开户名一致', 'exactly as on the bank account'] }),
      field('account_no', '收款卡号', 'Card number', 'account_no', { required: true, max_len: 32, wire_name: 'payee_number' }),
      bankPick('bank_name', '收款银行', 'Bank', 'name', { required: true, max_len: 50, wire_name: 'payee_bank', help: ['银行全称，如 中国工商银行', "the bank's full name, e.g. 中国工商银行"] }),
      field('branch', '开户支行', 'Branch', 'text', { required: true, max_len: 100, wire_name: 'payee_branch', help: ['如 上海分行浦东支行', 'e.g. 上海分行浦东支行'] }),
      field('province', '开户省份', 'Province', 'text', { required: true, max_len: 30, wire_name: 'payee_province' }),
      field('city', '开户城市', 'City', 'text', { required: true, max_len: 30, wire_name: 'payee_city' }),
    ], [
      ['金额只能是整数元（不能有角、分）。', 'Amounts are whole yuan only (no jiao or fen).'],
      ['查询代付状态时网关需要收款卡号和金额。', 'A payout status query needs the card number and the amount.'],
    ]),
  'jstpay/deposit': spec('jstpay', 'deposit', '/api/deposit/create | /api/deposit/create2card', wholeYuan(100, null),
    { sent: true, max_len: 32, wire_name: 'client_order_id' }, [
      field('channel', '代收渠道', 'Channel', 'select', { required: true, choices: jstChannels, default: 'bank', wire_name: 'pay_mode' }),
      field('to_card', '收款卡转账', 'Transfer to card', 'checkbox', { default: 'false', wire_name: 'create2card', help: ['勾选后网关返回一张收款卡，付款人须按返回的实际金额转账并填写附言', 'the gateway returns a card; the payer transfers the exact amount it gives, with the remark'] }),
      field('payer_name', '付款户名', 'Payer name', 'text', { shown_when: when('to_card', 'true'), max_len: 50, wire_name: 'sender_name', help: ['付款人银行卡户名，便于网关核对到账', "the payer's account name, so the gateway can match the transfer"] }),
      field('fund_id', '资金ID', 'Fund ID', 'text', { shown_when: when('to_card', 'false'), max_len: 64, wire_name: 'fund_id', help: ['网关分配的资金ID，没有可不填', 'as assigned by the gateway; leave empty if you have none'] }),
    ], [
      ['金额只能是整数元（不能有角、分）。', 'Amounts are whole yuan only (no jiao or fen).'],
      ['普通代收返回支付网址（以二维码显示）；收款卡转账返回收款卡信息。', 'A deposit returns a payment page (shown as a QR code); a card transfer returns the card to pay to.'],
    ]),
  'jeepay/payout': spec('jeepay', 'payout', '/api/transferOrder', fenRule(1, I32_MAX),
    { sent: true, max_len: 30, wire_name: 'mchOrderNo' }, [
      field('entry_type', '入账方式', 'Pay into', 'select', { required: true, default: 'WX_CASH', max_len: 20, wire_name: 'entryType', choices: [c('WX_CASH', '微信零钱', 'WeChat balance'), c('ALIPAY_CASH', '支付宝余额', 'Alipay balance'), c('BANK_CARD', '银行卡', 'Bank card')] }),
      field('if_code', '支付接口', 'Payment interface', 'select', { required: true, allow_other: true, default: 'wxpay', max_len: 10, wire_name: 'ifCode', choices: [c('wxpay', '微信官方接口', 'WeChat Pay'), c('alipay', '支付宝官方接口', 'Alipay')], help: ['微信零钱用 wxpay，支付宝余额用 alipay；其他接口代码请以网关开通的为准', 'wxpay for WeChat balance, alipay for Alipay balance; any other code must be enabled by the gateway'] }),
      field('account_no', '收款账号', 'Payee account', 'text', { required: true, max_len: 64, wire_name: 'accountNo', help: ['微信零钱：收款人的 openid；支付宝：登录账号；银行卡：卡号', "WeChat: the payee's openid; Alipay: the login; bank card: the card number"] }),
      field('payee_name', '收款人姓名', 'Payee name', 'text', { max_len: 64, wire_name: 'accountName', help: ['填写后网关会校验收款人姓名；留空则不校验', "when given, the gateway checks the payee's name"] }),
      bankPick('bank_name', '开户行名称', 'Bank name', 'name', { shown_when: when('entry_type', 'BANK_CARD'), max_len: 64, wire_name: 'bankName', help: ['网关目前仅作记录', 'the gateway keeps it as a record only'] }),
      field('remark', '转账备注', 'Transfer note', 'text', { max_len: 128, wire_name: 'transferDesc' }),
      field('client_ip', '客户端IP', 'Client IP', 'text', { max_len: 32, wire_name: 'clientIp', help: ['客户端 IPv4 地址，一般不填', "the client's IPv4 address; usually left empty"] }),
    ], [
      ['金额以“分”为单位发送，可精确到分。', 'The amount is sent in fen, exact to the fen.'],
      ['只有在商户配置中填写了异步通知地址，网关才会回调。', 'The gateway calls back only when the profile has a notify URL.'],
    ]),
  'juyouke/payout': spec('juyouke', 'payout', 'POST /api/settle/', { ...fenRule(1, 5_000_000), daily_max_fen: 100_000_000 },
    { sent: false, max_len: 64, wire_name: null }, [], [
      ['聚优客的“代付”是把商户余额提现到商户在网关登记的结算账户，只需填写金额，无需收款人信息。', 'A juyouke "payout" withdraws the merchant balance to the settlement account registered with the gateway: only the amount is needed.'],
      ['金额包含手续费；单笔最多 50,000 元，单日（北京时间）最多 1,000,000 元。', 'The amount includes the fee; at most 50,000 yuan per withdrawal and 1,000,000 yuan per day (Beijing time).'],
    ]),
  'juyouke/deposit': spec('juyouke', 'deposit', 'GET /getway/ · GET /getway/app · POST /api/codepay/', fenRule(1, null),
    { sent: true, max_len: 64, wire_name: 'out_trade_no' }, [
      field('pay_type', '收款方式', 'Payment mode', 'select', { required: true, default: 'h5', choices: [c('h5', 'H5/扫码页（二维码）', 'H5 / scan page (QR code)'), c('app', 'App 支付链接', 'App payment link'), c('codepay', '商户扫用户付款码 (B扫C)', "Scan the customer's payment code")] }),
      field('channel', '支付方式', 'Payment method', 'select', { wire_name: 'payway', choices: [c('1', '支付宝', 'Alipay'), c('3', '微信', 'WeChat Pay'), c('6', 'QQ钱包', 'QQ Wallet')], help: ['可不选，由网关收银台决定', "Optional; the gateway's checkout decides when empty"] }),
      field('subject', '订单标题', 'Order title', 'text', { required: true, default: '商品', max_len: 256, wire_name: 'subject' }),
      field('auth_code', '付款码', 'Payment code', 'text', { shown_when: when('pay_type', 'codepay'), required_when: when('pay_type', 'codepay'), max_len: 32, wire_name: 'auth_code' }),
    ], [['金额以分为单位发送给网关。', 'The amount is sent to the gateway in fen.']]),
  'appkey/payout': spec('appkey', 'payout', '/api/payouts/create', wholeYuan(100, null),
    { sent: true, max_len: 32, wire_name: 'mrn' }, [
      field('payee_name', '收款人户名', 'Account holder name', 'text', { required: true, wire_name: 'accountName', help: ['银行账户的开户名，须与银行预留的户名一致', 'The name on the bank account, exactly as the bank holds it'] }),
      field('account_no', '银行卡号', 'Card number', 'account_no', { required: true, wire_name: 'accountNumber', help: ['收款银行卡卡号，输入时可带空格', "The payee's bank card number; spaces are removed"] }),
      bankPick('bank_name', '银行名称', 'Bank', 'name', { required: true, wire_name: 'bankName', help: ['按名称、拼音首字母搜索，如 gsyh → 中国工商银行', 'Search by name or pinyin initials, e.g. gsyh → 中国工商银行'] }),
    ], [
      ['下发金额必须是整数元（不能有角、分）。', 'Payout amounts must be whole yuan (no jiao or fen).'],
      ['该网关不提供余额查询。', 'This gateway offers no balance query.'],
    ]),
  'appkey/deposit': spec('appkey', 'deposit', '/api/pay/create', yuan2dp(1, null),
    { sent: true, max_len: 32, wire_name: 'mrn' }, [
      field('channel', '支付通道', 'Payment channel', 'select', { required: true, wire_name: 'channelId', choices: APPKEY_CHANNELS.map(([v, z, e]) => c(v, z, e)) }),
      field('payer_name', '付款人实名', "Payer's real name", 'text', { wire_name: 'payer', help: ['可选：付款人的账户实名，不参与签名', "Optional: the payer's real account name (not signed)"] }),
    ], [['金额以元发送，可带两位小数。', 'The amount is sent in yuan, with up to two decimals.']]),
  'xxpay/payout': spec('xxpay', 'payout', '/api/trans/create_order', fenRule(1, I32_MAX),
    { sent: true, max_len: 30, wire_name: 'mchTransOrderNo' }, [
      field('payee_name', '收款人户名', 'Payee name', 'text', { required: true, max_len: 64, wire_name: 'accountName' }),
      field('account_no', '收款账号', 'Account number', 'account_no', { required: true, max_len: 64, wire_name: 'accountNo' }),
      bankPick('bank_code', '收款银行', 'Bank', 'code', { required: true, max_len: 32, wire_name: 'bankCode', help: ['按网关的代付银行代码表（HPT00001–HPT00097）选择', "pick from the gateway's payout bank list (HPT00001–HPT00097)"] }),
      field('account_type', '账户类型', 'Account type', 'select', { required: true, default: '1', wire_name: 'accountType', choices: [c('1', '银行卡转账', 'Bank card transfer'), c('2', '微信转账', 'WeChat transfer'), c('3', '支付宝转账', 'Alipay transfer'), c('4', '其他转账', 'Other transfer')] }),
      field('account_attr', '账户属性', 'Personal or business account', 'select', { wire_name: 'accountAttr', choices: [c('0', '对私（个人）', 'Personal'), c('1', '对公（企业）', 'Business')], help: ['不填时网关按对私处理', 'the gateway treats an empty value as personal'] }),
      field('province', '开户行省份', 'Bank province', 'text', { required: true, max_len: 32, wire_name: 'province', help: ['如：江苏', 'e.g. 江苏'] }),
      field('city', '开户行城市', 'Bank city', 'text', { required: true, max_len: 32, wire_name: 'city', help: ['如：南京', 'e.g. 南京'] }),
      field('remark', '附加信息', 'Note', 'text', { max_len: 64, wire_name: 'param2' }),
    ], [['代付结果以查询为准：“代付中”的订单请稍后再查询，不要重复代付。', "A payout's outcome is what a query says: query an order in progress later instead of paying again."]]),
  'xxpay/deposit': spec('xxpay', 'deposit', '/api/pay/create_order', fenRule(1, I32_MAX),
    { sent: true, max_len: 30, wire_name: 'mchOrderNo' }, [
      field('channel', '支付产品', 'Payment product', 'select', { required: true, wire_name: 'productId', choices: XX_PRODUCTS.map(([v, z, e]) => c(v, `${z}（${v}）`, `${e} (${v})`)), help: ['须是网关为本商户开通的产品', 'must be a product the gateway has enabled for this merchant'] }),
      bankPick('payer_bank_code', '汇款人银行', "Payer's bank", 'code', { shown_when: when('channel', '8000'), required_when: when('channel', '8000'), max_len: 16, wire_name: 'param1' }),
      field('payer_name', '汇款人户名', "Payer's account name", 'text', { shown_when: when('channel', '8000'), required_when: when('channel', '8000'), max_len: 30, wire_name: 'param1' }),
      field('payer_account_no', '汇款人账号', "Payer's account number", 'account_no', { shown_when: when('channel', '8000'), required_when: when('channel', '8000'), max_len: 32, wire_name: 'param1' }),
      field('subject', '商品主题', 'Subject', 'text', { required: true, max_len: 64, default: '在线支付', wire_name: 'subject' }),
      field('body', '商品描述', 'Description', 'text', { required: true, max_len: 256, default: '在线支付', wire_name: 'body' }),
    ], [['若返回的支付地址以“POST;”开头，须在浏览器中以表单 POST 方式打开，不能生成二维码。', 'A pay URL starting with `POST;` must be opened in the browser by a form POST; it cannot be a QR code.']]),
};

export const LOOKUP_FIELDS: Partial<Record<`${ProviderKind}/${OrderKind}`, FieldSpec[]>> = {
  'jstpay/payout': [field('account_no', '收款卡号', 'Card number', 'account_no', { required: true, max_len: 32, wire_name: 'payee_number', help: ['下单时填写的收款卡号', 'the card number the payout was sent to'] })],
  'jstpay/deposit': [field('channel', '代收渠道', 'Channel', 'select', { required: true, choices: jstChannels, wire_name: 'pay_mode', help: ['下单时选择的代收渠道', 'the channel the deposit was created with'] })],
  'jeepay/payout': [field('transfer_id', '转账订单号', 'Transfer id', 'text', { max_len: 30, wire_name: 'transferId', help: ['网关生成的转账订单号（T 开头），知道时可填', "the gateway's transfer id (starts with T), if known"] })],
  'juyouke/payout': [field('trade_no', '平台提现单号', 'Gateway withdrawal id', 'text', { required: true, max_len: 50, wire_name: 'trade_no', help: ['提现时网关返回的订单号', 'The id the gateway returned for the withdrawal'] })],
};
