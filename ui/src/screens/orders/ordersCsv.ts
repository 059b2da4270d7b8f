import type { Order } from '../../lib/bindings';
import { toCsv } from '../../lib/csv';
import { statusText, t } from '../../lib/i18n.svelte';
import { fenToYuan2dp } from '../../lib/money';
import { formatTime } from '../../lib/time';

export function ordersCsv(orders: Order[]): string {
  const header = [
    t('common.createdAt'), t('common.orderNo'), t('common.gatewayNo'), t('common.profile'), 'provider', t('sandbox'),
    t('common.kind'), t('common.payee'), t('common.accountNo'), t('common.bank'), t('common.amountYuan'),
    t('common.status'), t('orders.providerStatus'), t('common.message'),
  ];
  const rows = orders.map((o) => [
    formatTime(o.created_at), o.order_no, o.provider_order_id, o.profile, o.provider, o.sandbox ? t('common.yes') : '',
    t(`kind.${o.kind}`), o.payee_name, o.account_no, o.bank_name, fenToYuan2dp(o.amount_fen),
    statusText(o.status), o.provider_status, o.provider_message,
  ]);
  return toCsv(header, rows);
}
