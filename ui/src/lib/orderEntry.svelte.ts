// The order-entry state shared by the payout and deposit screens: which
// profiles can do the kind, the profile last used (remembered), the gateway's
// form for it, what was typed, and the client-side checks. One copy for both.
import type { ErrorInfo, FormSpec, OrderInput, OrderKind, ProfileView } from './bindings';
import { app } from './app.svelte';
import { call, toErrorInfo } from './backend';
import { checkForm, cleanValues, initialValues, type Errors, type Values } from './form';
import { t } from './i18n.svelte';
import { formatTime } from './time';

const LAST_KEY = (kind: OrderKind) => `paydesk.lastProfile.${kind}`;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The profile last used for this kind, if it still exists and can do it. */
export function lastProfile(kind: OrderKind, profiles: ProfileView[]): string {
  const saved = storage()?.getItem(LAST_KEY(kind)) ?? '';
  const usable = profiles.filter((p) => p.capabilities[kind]);
  return (usable.find((p) => p.id === saved) ?? usable[0])?.id ?? '';
}

export function rememberProfile(kind: OrderKind, id: string): void {
  storage()?.setItem(LAST_KEY(kind), id);
}

export class OrderEntry {
  readonly kind: OrderKind;
  profiles = $derived.by(() => app.profiles.filter((p) => p.capabilities[this.kind]));
  profileId = $state('');
  profile = $derived.by(() => this.profiles.find((p) => p.id === this.profileId) ?? null);
  spec = $state<FormSpec | null>(null);
  specError = $state('');
  amount = $state('');
  orderNo = $state('');
  values = $state<Values>({});
  errors = $state<Errors>({});
  general = $state<ErrorInfo | null>(null);

  constructor(kind: OrderKind) {
    this.kind = kind;
    this.profileId = lastProfile(kind, app.profiles);
    // Load the chosen profile's form; a late answer for another profile is dropped.
    $effect(() => {
      const p = this.profile;
      this.spec = null;
      this.specError = '';
      this.errors = {};
      if (!p) return;
      call('get_form', { provider: p.provider, kind })
        .then((s) => {
          if (this.profile?.id !== p.id) return;
          this.spec = s;
          this.values = initialValues(s.fields);
        })
        .catch((e) => (this.specError = toErrorInfo(e).message));
    });
  }

  input(orderNo?: string): OrderInput {
    return {
      amount: this.amount.trim(),
      order_no: orderNo ?? (this.orderNo.trim() || null),
      values: cleanValues(this.spec!.fields, this.values),
    };
  }

  /** Client-side checks, then a merchant order number already in the history is refused here. */
  async check(): Promise<boolean> {
    if (!this.spec) return false;
    this.general = null;
    this.errors = checkForm(this.spec, this.amount, this.orderNo, this.values);
    if (Object.keys(this.errors).length) return false;
    const typed = this.orderNo.trim();
    if (typed) {
      try {
        const used = (await call('find_orders', { query: typed })).find((o) => o.order_no === typed);
        if (used) {
          this.errors = {
            order_no: t('form.orderNoUsed', { no: typed, time: formatTime(used.created_at), profile: used.profile }),
          };
          return false;
        }
      } catch {
        // The backend refuses a used number again when the order is written.
      }
    }
    return true;
  }

  showError(e: ErrorInfo): void {
    if (e.field) this.errors = { [e.field]: e.message };
    else this.general = e;
  }

  /** After an order was written: remember the profile, clear what was typed. */
  used(): void {
    if (this.profile) rememberProfile(this.kind, this.profile.id);
  }

  reset(): void {
    this.amount = '';
    this.orderNo = '';
    this.general = null;
    this.errors = {};
    if (this.spec) this.values = initialValues(this.spec.fields);
  }
}
