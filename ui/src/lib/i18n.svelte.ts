// All UI text goes through `t()`. zh-CN is the default; English is a switch.
import type { Lang, OrderStatus } from './bindings';

const dict = {
  'app.name': ['PayDesk', 'PayDesk'],
  'nav.balances': ['余额', 'Balances'],
  'nav.payout': ['代付', 'New payout'],
  'nav.batch': ['批量代付', 'Batch payouts'],
  'nav.deposit': ['代收', 'New deposit'],
  'nav.lookup': ['查单', 'Look up'],
  'nav.orders': ['订单', 'Orders'],
  'nav.arrivals': ['到账记录', 'Arrivals'],
  'nav.profiles': ['商户与设置', 'Profiles & settings'],
  'nav.lookupHint': ['快速查单', 'quick look-up'],

  'status.pending': ['待处理', 'Pending'],
  'status.processing': ['处理中', 'Processing'],
  'status.succeeded': ['成功', 'Succeeded'],
  'status.failed': ['失败', 'Failed'],
  'status.unknown': ['状态未知', 'Unknown'],
  'status.awaiting_approval': ['待审批', 'Awaiting approval'],
  'status.rejected': ['已驳回', 'Rejected'],
  'status.needsQuery': ['需查询状态', 'needs a status query'],
  'kind.payout': ['代付', 'Payout'],
  'kind.deposit': ['代收', 'Deposit'],
  'sandbox': ['沙盒', 'Sandbox'],
  'sandbox.title': ['沙盒商户：内置的模拟网关，不会产生真实资金往来', 'Sandbox profile: a built-in simulated gateway; no real money moves'],

  'common.refresh': ['刷新', 'Refresh'],
  'common.refreshing': ['刷新中…', 'Refreshing…'],
  'common.loading': ['加载中…', 'Loading…'],
  'common.copy': ['复制', 'Copy'],
  'common.copied': ['已复制', 'Copied'],
  'common.open': ['在浏览器中打开', 'Open in browser'],
  'common.close': ['关闭', 'Close'],
  'common.cancel': ['取消', 'Cancel'],
  'common.save': ['保存', 'Save'],
  'common.saving': ['保存中…', 'Saving…'],
  'common.saved': ['已保存', 'Saved'],
  'common.edit': ['编辑', 'Edit'],
  'common.remove': ['删除', 'Remove'],
  'common.back': ['返回修改', 'Back'],
  'common.next': ['下一步', 'Next'],
  'common.required': ['必填', 'required'],
  'common.optional': ['选填', 'optional'],
  'common.all': ['全部', 'All'],
  'common.none': ['无', 'None'],
  'common.profile': ['商户', 'Profile'],
  'common.pickProfile': ['选择商户', 'Choose a profile'],
  'common.noProfiles': ['还没有可用的商户，请先在“商户与设置”中添加。', 'No profile can do this yet; add one under “Profiles & settings”.'],
  'common.amount': ['金额', 'Amount'],
  'common.amountYuan': ['金额（元）', 'Amount (yuan)'],
  'common.orderNo': ['商户订单号', 'Merchant order no.'],
  'common.orderNoAuto': ['留空自动生成', 'left empty, one is generated'],
  'common.gatewayNo': ['平台订单号', 'Gateway order no.'],
  'common.status': ['状态', 'Status'],
  'common.kind': ['类型', 'Kind'],
  'common.time': ['时间', 'Time'],
  'common.createdAt': ['创建时间', 'Created'],
  'common.updatedAt': ['更新时间', 'Updated'],
  'common.payee': ['收款人', 'Payee'],
  'common.bank': ['开户行', 'Bank'],
  'common.accountNo': ['银行卡号 / 账号', 'Account no.'],
  'common.channel': ['通道', 'Channel'],
  'common.message': ['网关消息', 'Gateway message'],
  'common.choose': ['请选择', 'Choose…'],
  'common.other': ['其他…', 'Other…'],
  'common.otherValue': ['填写其他值', 'Type another value'],
  'common.yes': ['是', 'Yes'],
  'common.no': ['否', 'No'],
  'common.queryStatus': ['查询状态', 'Query status'],
  'common.querying': ['查询中…', 'Querying…'],
  'common.error': ['出错了', 'Something went wrong'],
  'common.export': ['导出 CSV', 'Export CSV'],
  'common.exporting': ['导出中…', 'Exporting…'],
  'common.exportXlsx': ['导出 Excel', 'Export Excel'],
  'common.exported': ['已保存到 {path}', 'Saved to {path}'],
  'common.openFolder': ['打开所在文件夹', 'Show in folder'],
  'common.from': ['从', 'From'],
  'common.to': ['到', 'To'],
  'common.search': ['搜索', 'Search'],
  'common.technical': ['技术细节', 'Technical details'],
  'event.submitting': ['提交中', 'Submitting'],
  'event.create': ['提交到网关', 'Sent to the gateway'],
  'event.query': ['查询状态', 'Status query'],
  'event.refresh': ['查询状态', 'Status query'],
  'event.lookup': ['向网关查询', 'Asked the gateway'],
  'event.callback': ['网关通知', 'Gateway callback'],
  'event.notify': ['网关回调', 'Gateway callback'],
  'event.notify.receive_check': ['代付核对（已确认）', 'Receive check (confirmed)'],

  'amount.empty': ['请输入金额', 'Enter an amount'],
  'amount.invalid': ['不是有效金额，请输入如 100 或 100.50 的数字', 'Not a valid amount; type a number such as 100 or 100.50'],
  'amount.decimals': ['金额最多两位小数（分）', 'At most two decimals (fen)'],
  'amount.negative': ['金额不能为负数', 'The amount cannot be negative'],
  'amount.zero': ['金额必须大于 0', 'The amount must be greater than 0'],
  'amount.too_large': ['金额过大', 'The amount is too large'],
  'amount.min': ['金额不能低于 {min}', 'The amount must be at least {min}'],
  'amount.max': ['金额超过该网关单笔上限 {max}', "Over this gateway's limit of {max} per order"],
  'amount.whole': ['该网关只接受整数元（不能有角、分）', 'This gateway takes whole yuan only (no jiao or fen)'],
  'amount.rules': ['限额', 'Limits'],
  'amount.minRule': ['单笔最低 {min}', 'min {min} per order'],
  'amount.maxRule': ['单笔最高 {max}', 'max {max} per order'],
  'amount.dailyRule': ['单日最高 {max}', 'max {max} per day'],
  'amount.wholeRule': ['只能整数元', 'whole yuan only'],
  'amount.wireUnit': ['网关金额单位：{unit}', 'sent to the gateway in {unit}'],
  'amount.unit.yuan': ['元', 'yuan'],
  'amount.unit.fen': ['分', 'fen'],
  'amount.inWords': ['大写', 'In words'],
  'field.required': ['请填写{label}', '{label} is required'],
  'field.day': ['请按 2026-11-28 的格式填写日期', 'Type the day as 2026-11-28'],
  'field.choose': ['请选择{label}', 'Choose the {label}'],
  'field.tooLong': ['{label}最长 {max} 个字符', '{label} can be at most {max} characters'],
  'field.digits': ['{label}只能包含数字（可带空格）', '{label} may contain only digits (spaces allowed)'],
  'field.cardLength': ['{label}应为 {min}–{max} 位数字，现在是 {n} 位', '{label} must have {min}–{max} digits; it has {n}'],
  'field.digitsTooLong': ['{label}最长 {max} 位数字，现在是 {n} 位', '{label} can have at most {max} digits; it has {n}'],
  'field.luhn': ['{label}未通过银行卡校验位检查，可能输错了一位：请与收款人核对', '{label} fails the bank card check digit; a digit may be wrong: check it with the payee'],
  'form.orderNoUsed': ['商户订单号 {no} 已经用过（{time}，{profile}）：请换一个，或在“查单”中查看原订单', 'Merchant order no. {no} is already used ({time}, {profile}): choose another, or look up the earlier order'],
  'field.maxLen': ['最长 {max} 字', 'max {max} chars'],

  'bank.placeholder': ['搜索银行：名称、代码或拼音首字母（如 gsyh）', 'Search: name, code or pinyin initials (e.g. gsyh)'],
  'bank.none': ['没有匹配的银行', 'No bank matches'],

  'time.justNow': ['刚刚', 'just now'],
  'time.minutesAgo': ['{n} 分钟前', '{n} minutes ago'],
  'time.minutesAgo.one': ['{n} 分钟前', '{n} minute ago'],
  'time.hoursAgo': ['{n} 小时前', '{n} hours ago'],
  'time.hoursAgo.one': ['{n} 小时前', '{n} hour ago'],
  'time.daysAgo': ['{n} 天前', '{n} days ago'],
  'time.daysAgo.one': ['{n} 天前', '{n} day ago'],

  'balances.title': ['余额', 'Balances'],
  'balances.refreshAll': ['全部刷新', 'Refresh all'],
  'balances.auto': ['每 {n} 分钟自动刷新', 'Auto-refresh every {n} min'],
  'balances.autoOff': ['自动刷新已关闭', 'Auto-refresh is off'],
  'balances.notOffered': ['该网关不提供余额查询', 'This gateway offers no balance query'],
  'balances.never': ['尚未查询', 'Not queried yet'],
  'balances.readingAt': ['{time} 查询', 'as of {time}'],
  'balances.low': ['余额低于预警线 {min}', 'Below the low-balance line of {min}'],
  'balances.threshold': ['预警线', 'Low-balance line'],
  'balances.setThreshold': ['设置预警线', 'Set low-balance line'],
  'balances.thresholdNone': ['未设置', 'not set'],
  'balances.thresholdHint': ['留空表示不预警', 'empty = no warning'],
  'balances.stale': ['（上次读数，正在刷新）', '(last reading, refreshing)'],
  'balances.empty': ['还没有商户。', 'No profiles yet.'],

  'payout.title': ['新建代付', 'New payout'],
  'payout.confirmTitle': ['请核对代付信息', 'Check the payout'],
  'payout.confirmHint': ['发送后资金将从商户余额付出，请逐项核对收款人、账号和金额。', 'Once sent, money leaves the merchant balance: check payee, account and amount.'],
  'payout.send': ['确认代付', 'Send payout'],
  'payout.sending': ['发送中…', 'Sending…'],
  'payout.readFirst': ['请先核对金额和收款人', 'Read the amount and payee first'],
  'payout.overBalance': ['金额超过该商户最近一次查询到的余额 {balance}（{age}，{time}）：网关可能拒绝这笔代付', "The amount is more than this profile's last known balance of {balance} ({age}, {time}): the gateway may refuse it"],
  'payout.duplicate': ['最近 {hours} 小时内已向同一账号代付过相同金额（{n} 笔）：请确认这不是重复代付', 'In the last {hours} hours {n} payouts of this amount went to the same account: make sure this is not a duplicate'],
  'payout.duplicate.one': ['最近 {hours} 小时内已向同一账号代付过相同金额（{n} 笔）：请确认这不是重复代付', 'In the last {hours} hours {n} payout of this amount went to the same account: make sure this is not a duplicate'],
  'payout.duplicateHours': ['重复代付提醒（小时，0 为关闭）', 'Duplicate payout warning (hours, 0 = off)'],
  'payout.result.accepted': ['代付已提交', 'Payout submitted'],
  'payout.advice.accepted': ['网关已受理，正在处理；结果会自动更新，也可以随时查询状态。', 'The gateway accepted it and is processing it; the result updates by itself, or query the status.'],
  'payout.result.succeeded': ['代付成功', 'Payout succeeded'],
  'payout.advice.succeeded': ['款项已付出。', 'The money has been paid out.'],
  'payout.result.failed': ['代付失败', 'Payout failed'],
  'payout.advice.failed': ['网关没有受理这笔代付，资金未付出；可以修改后重新提交。', 'The gateway refused this payout and no money left; you can correct it and send it again.'],
  'payout.result.unknown': ['结果未知', 'Outcome unknown'],
  'payout.advice.unknown': ['请勿重复代付：先查询状态，确认网关是否收到这笔代付。', 'Do not send it again: query the status first to learn whether the gateway got it.'],
  'payout.reason': ['原因', 'Reason'],
  'payout.retry': ['修改后重新提交', 'Correct and send again'],
  'payout.new': ['再建一笔', 'New payout'],
  'payout.noFields': ['该网关只需要金额。', 'This gateway needs only the amount.'],

  'deposit.title': ['新建代收', 'New deposit'],
  'deposit.create': ['创建代收订单', 'Create deposit'],
  'deposit.creating': ['创建中…', 'Creating…'],
  'deposit.scan': ['请付款人扫码或打开支付链接付款', 'Let the payer scan the code or open the link'],
  'deposit.copyLink': ['复制链接', 'Copy link'],
  'deposit.postUrl': ['该支付地址需以表单 POST 方式在浏览器中提交，无法生成二维码。请点击“在浏览器中打开”，或把订单发给付款人在电脑上完成支付。', 'This payment address must be submitted by a form POST in a browser, so it cannot be a QR code. Use “Open in browser”.'],
  'deposit.card': ['请付款人向以下银行卡转账', 'The payer transfers to this card'],
  'deposit.cardName': ['户名', 'Account name'],
  'deposit.cardBank': ['银行', 'Bank'],
  'deposit.cardBranch': ['支行', 'Branch'],
  'deposit.cardNumber': ['卡号', 'Card number'],
  'deposit.exactAmount': ['转账金额（须一分不差）', 'Exact amount to transfer'],
  'deposit.nonce': ['附言', 'Remark (附言)'],
  'deposit.polling': ['每 {n} 秒自动查询状态', 'Status is checked every {n} s'],
  'deposit.final': ['订单已结束', 'The order is final'],
  'deposit.new': ['再建一笔', 'New deposit'],
  'deposit.outcome.succeeded': ['付款已到账', 'Paid'],
  'deposit.advice.succeeded': ['付款人已完成支付，款项已到商户账户。', 'The payer has paid; the money is in the merchant account.'],
  'deposit.outcome.failed': ['订单已失败或过期', 'Failed or expired'],
  'deposit.advice.failed': ['没有收到付款；请勿再让付款人扫这个码，如需收款请再建一笔。', 'No payment arrived; do not let the payer use this code. Create a new deposit to collect again.'],

  'lookup.title': ['查单', 'Look up an order'],
  'lookup.placeholder': ['商户订单号或平台订单号（Ctrl+K）', 'Merchant or gateway order no. (Ctrl+K)'],
  'lookup.hint': ['在所有商户的本地历史中查找；找到后可“查询状态”向网关询问最新结果。', "Searches every profile's local history; then “Query status” asks the gateway."],
  'lookup.results': ['{n} 个结果', '{n} results'],
  'lookup.results.one': ['{n} 个结果', '{n} result'],
  'lookup.notFound': ['本地历史中没有“{q}”。', 'No order “{q}” in the local history.'],
  'lookup.askGateway': ['直接向网关查询', 'Ask the gateway directly'],
  'lookup.askHint': ['选择商户和订单类型，填写该网关查询所需的信息。', 'Choose the profile and the kind; fill in what this gateway needs for a query.'],
  'lookup.ask': ['向网关查询', 'Ask the gateway'],

  'orders.title': ['订单', 'Orders'],
  'orders.searchPlaceholder': ['订单号、收款人、账号的任意部分', 'Any part of an order no., payee or account no.'],
  'orders.searchShort': ['少于 3 个字符时只匹配订单号、平台单号或收款人的开头（两个字的姓名可在收款人中任意位置）。', 'Under 3 characters, only the start of an order no., gateway no. or payee matches (two characters: anywhere in a payee name).'],
  'orders.refreshOpen': ['刷新未结订单', 'Refresh open orders'],
  'orders.refreshedOpen': ['已刷新 {n} 个未结订单', 'Refreshed {n} open orders'],
  'orders.refreshedOpen.one': ['已刷新 {n} 个未结订单', 'Refreshed {n} open order'],
  'orders.clearFilters': ['清除筛选', 'Clear filters'],
  'orders.loadMore': ['加载更多', 'Load more'],
  'orders.end': ['已显示全部 {n} 条', 'All {n} shown'],
  'orders.empty': ['没有符合条件的订单', 'No orders match'],
  'orders.detail': ['订单详情', 'Order'],
  'orders.timeline': ['状态记录', 'Status timeline'],
  'orders.exchanges': ['请求与应答（已脱敏）', 'Request and reply (masked)'],
  'orders.request': ['请求', 'Request'],
  'orders.reply': ['应答', 'Reply'],
  'orders.fields': ['下单信息', 'Order details'],
  'orders.providerStatus': ['网关状态', 'Gateway status'],
  'orders.noEvents': ['暂无记录', 'No events yet'],

  'arrivals.title': ['到账记录', 'Arrivals'],
  'arrivals.only': ['只有 jstpay 商户提供到账记录。', 'Only jstpay profiles offer arrivals.'],
  'arrivals.tz': ['时间为北京时间（UTC+8）', 'Times are Beijing time (UTC+8)'],
  'arrivals.load': ['查询', 'Load'],
  'arrivals.serial': ['流水号', 'Serial'],
  'arrivals.depositTime': ['入账时间', 'Deposited'],
  'arrivals.cardTail': ['卡尾号', 'Card tail'],
  'arrivals.sender': ['付款人', 'Sender'],
  'arrivals.total': ['共 {n} 笔，合计 {sum}', '{n} arrivals, total {sum}'],
  'arrivals.total.one': ['共 {n} 笔，合计 {sum}', '{n} arrival, total {sum}'],
  'arrivals.empty': ['该时间段内没有到账', 'No arrivals in this period'],

  'profiles.title': ['商户', 'Merchant profiles'],
  'profiles.add': ['添加商户', 'Add profile'],
  'profiles.edit': ['编辑商户', 'Edit profile'],
  'profiles.name': ['名称', 'Name'],
  'profiles.provider': ['网关', 'Gateway'],
  'profiles.baseUrl': ['网关地址', 'Base URL'],
  'profiles.merchantId': ['商户号', 'Merchant id'],
  'profiles.appId': ['应用 ID（appId）', 'App id'],
  'profiles.operatorId': ['操作员编号', 'Operator id'],
  'profiles.notifyUrl': ['异步通知地址', 'Notify URL'],
  'profiles.returnUrl': ['返回地址', 'Return URL'],
  'profiles.secret': ['商户密钥', 'Secret key'],
  'profiles.secretSaved': ['已保存', 'Saved'],
  'profiles.secretKeep': ['已保存；留空则保留原密钥', 'Saved; leave empty to keep it'],
  'profiles.secretHint': ['只写：保存后不会再显示', 'Write-only: never shown again after saving'],
  'profiles.replySecret': ['应答验签密钥（选填）', 'Reply key (optional)'],
  'profiles.test': ['测试连接', 'Test connection'],
  'profiles.testing': ['测试中…', 'Testing…'],
  'profiles.confirmRemove': ['删除商户“{name}”？历史订单会保留。', 'Remove profile “{name}”? Its orders are kept.'],
  'profiles.empty': ['还没有商户。', 'No profiles yet.'],
  'profiles.lowBalance': ['余额预警线（元）', 'Low-balance line (yuan)'],
  'profiles.secretRequired': ['请填写商户密钥', 'Enter the secret key'],
  'profiles.confirm': ['确认删除', 'Confirm removal'],
  'profiles.secretState': ['密钥', 'Secret'],
  'profiles.notSaved': ['未保存', 'not saved'],
  'profiles.savedBanner': ['商户“{name}”已保存', 'Profile “{name}” saved'],
  'profiles.sandboxFlag': ['沙盒商户（模拟网关）', 'Sandbox profile (simulated gateway)'],
  'profiles.capabilities': ['功能', 'Offers'],
  'cap.payout': ['代付', 'payout'],
  'cap.deposit': ['代收', 'deposit'],
  'cap.balance': ['余额', 'balance'],
  'cap.arrivals': ['到账记录', 'arrivals'],
  'settings.range': ['请填写 0–1440 之间的整数分钟', 'Enter whole minutes from 0 to 1440'],
  'orders.errorCode': ['错误代码', 'Error code'],
  'settings.dupRange': ['请填写 0–744 之间的整数小时', 'Enter whole hours from 0 to 744'],
  'settings.saved': ['设置已保存', 'Settings saved'],
  'profiles.addSandbox': ['添加沙盒商户', 'Add sandbox profiles'],

  'settings.title': ['设置', 'Settings'],
  'alerts.title': ['提醒', 'Alerts'],
  'listener.title': ['回调接收', 'Callback listener'],
  'listener.hint': ['开启后，网关可把订单结果直接回调给本机；默认关闭，只监听本机地址。把下面的回调地址填到各网关的商户后台。', 'When on, gateways can send order results to this computer; off by default and loopback only. Give each gateway the notify URL below.'],
  'listener.enabled': ['开启回调接收', 'Listen for callbacks'],
  'listener.bind': ['监听地址', 'Bind address'],
  'listener.apply': ['应用', 'Apply'],
  'listener.running': ['正在 {addr} 接收', 'Listening on {addr}'],
  'listener.confirmPublic': ['我了解：非本机地址会让网络上的其他电脑也能访问回调接收', 'I understand: a non-loopback address lets other computers on the network reach the listener'],
  'listener.url': ['回调地址（notify URL）', 'Notify URL'],
  'alerts.hint': ['后台同步发现以下情况时弹出桌面通知', 'Desktop notifications when the background sync finds:'],
  'alerts.payout_succeeded': ['代付成功', 'A payout succeeded'],
  'alerts.payout_failed': ['代付失败', 'A payout failed'],
  'alerts.stuck': ['订单长时间未完成', 'An order is stuck'],
  'alerts.low_balance': ['余额低于提醒线', 'A balance fell below its threshold'],
  'alerts.badge': ['在“订单”导航上显示未结/卡住订单数', 'Open/stuck count on the Orders navigation entry'],
  'nav.badgeTitle': ['未结 {open} · 卡住 {stuck}', '{open} open · {stuck} stuck'],
  'sync.lastChecked': ['上次查询', 'Last checked'],
  'sync.nextCheck': ['下次查询', 'Next check'],
  'sync.never': ['尚未查询', 'not yet'],
  'sync.none': ['不再查询', 'none planned'],
  'sync.reason': ['查询结果', 'Last check found'],
  'orders.stuck': ['卡住的订单', 'Stuck orders'],
  'orders.stuckAll': ['全部订单', 'All orders'],
  'orders.stuckEmpty': ['没有卡住的订单', 'No stuck orders'],
  'orders.stuckHint': ['未结时间超过商户设定阈值的订单（代付默认 30 分钟）', 'Orders open longer than their profile\'s threshold (payouts: 30 min by default)'],
  'orders.openFor': ['已未结', 'Open for'],
  'settings.lang': ['界面语言', 'Language'],
  'settings.balanceRefresh': ['余额自动刷新（分钟，0 为关闭）', 'Balance auto-refresh (minutes, 0 = off)'],
  'settings.orderRefresh': ['未结订单自动查询（分钟，0 为关闭）', 'Open-order re-query (minutes, 0 = off)'],
  'settings.about': ['版本 {version} · 数据目录 {dir}', 'Version {version} · data in {dir}'],
  'settings.database': ['数据库：{db}', 'Database: {db}'],
  'db.local': ['本机数据库', 'This desk'],
  'db.team': ['团队：{label}', 'Team: {label}'],

  'welcome.title': ['欢迎使用 PayDesk', 'Welcome to PayDesk'],
  'welcome.body': ['还没有商户。可以先用内置的沙盒网关试用每个页面：沙盒模拟五家网关，不会产生真实资金往来。', 'There are no profiles yet. Try every screen with the built-in sandbox gateways: they simulate five gateways and move no real money.'],
  'welcome.sandbox': ['使用沙盒网关试用', 'Use the sandbox gateways'],
  'welcome.own': ['添加自己的商户', 'Add my own profile'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageKey = keyof typeof dict;

export const i18n = $state<{ lang: Lang }>({ lang: 'zh-CN' });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** Look up a message; `{name}` placeholders are filled from `vars`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const pair = dict[key];
  let s: string = i18n.lang === 'en' ? pair[1] : pair[0];
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** Pick the label of a gateway-described thing (FieldSpec, Choice, notes). */
export function pick(zh: string | null, en: string | null): string {
  const s = (i18n.lang === 'en' ? en || zh : zh || en) ?? '';
  // Gateways write 帐号 and 账号 alike; the UI says 账号 / 账户 throughout.
  return s.replace(/帐(号|户)/g, '账$1');
}

/** A choice as shown: its label, with the gateway's value when the label does not already say it. */
export function choiceText(label: string, value: string): string {
  return label.includes(value) ? label : `${label} (${value})`;
}

/**
 * A message with a count: English uses the `.one` form for 1 ("1 result"),
 * Chinese has one form.
 */
export function tn(key: MessageKey, n: number, vars?: Record<string, string | number>): string {
  const one = `${key}.one`;
  const k = n === 1 && one in dict ? (one as MessageKey) : key;
  return t(k, { n, ...vars });
}

export function statusText(s: OrderStatus): string {
  return t(`status.${s}`);
}

/** Gateways are known by their own (Latin) names in both languages. */
export function providerName(p: string): string {
  return p;
}

/** For tests: every key has both languages. */
export const allKeys = Object.keys(dict) as MessageKey[];
export function raw(key: MessageKey): readonly [string, string] {
  return dict[key];
}
