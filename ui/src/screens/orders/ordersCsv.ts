import type { ExportTable, Order } from '../../lib/bindings';
import { orderBank } from '../../lib/bankNames.svelte';
import { statusText, t } from '../../lib/i18n.svelte';
import { formatTime } from '../../lib/time';

/** The orders as an export table: titles in the UI's language, numbers as text, amounts in fen. */
export function ordersTable(orders: Order[]): ExportTable {
  const text = (title: string) => ({ title, kind: 'text' as const });
  return {
    columns: [
      text(t('common.createdAt')), text(t('common.orderNo')), text(t('common.gatewayNo')), text(t('common.profile')),
      text(t('profiles.provider')), text(t('sandbox')), text(t('common.kind')), text(t('common.payee')),
      text(t('common.accountNo')), text(t('common.bank')), { title: t('common.amountYuan'), kind: 'fen' },
      text(t('common.status')), text(t('orders.providerStatus')), text(t('common.message')),
    ],
    rows: orders.map((o) => [
      formatTime(o.created_at), o.order_no, o.provider_order_id, o.profile, o.provider, o.sandbox ? t('common.yes') : '',
      t(`kind.${o.kind}`), o.payee_name, o.account_no, orderBank(o), String(o.amount_fen),
      statusText(o.status), o.provider_status, o.provider_message,
    ]),
  };
}
