//! AppKey signing: each request and callback has its own fixed field order
//! (not sorted), `name=value` joined with `&`, then `&key=<secret>`, values not
//! encoded; MD5, lower hex. Replies are not signed (see `wire`).

use super::wire::{PayCreate, PayoutCreate};
use crate::sign::{md5_lower, rfc3986_encode};

impl PayCreate<'_> {
    /// `amount=…&appKey=…&callbackUrl=…&channelId=…&mrn=…&returnUrl=…&key=…`,
    /// in the document's order (not sorted), values not encoded.
    pub fn string_to_sign(&self, secret: &str) -> String {
        format!(
            "amount={}&appKey={}&callbackUrl={}&channelId={}&mrn={}&returnUrl={}&key={}",
            self.amount,
            self.app_key,
            self.callback_url,
            self.channel_id,
            self.mrn,
            self.return_url,
            secret
        )
    }
}

impl PayoutCreate<'_> {
    pub fn string_to_sign(&self, secret: &str) -> String {
        format!(
            "accountName={}&accountNumber={}&amount={}&appKey={}&bankName={}&callbackUrl={}&mrn={}&key={}",
            self.account_name, self.account_number, self.amount_yuan, self.app_key, self.bank_name, self.callback_url, self.mrn, secret
        )
    }
}

/// `appKey=…&mrn=…&key=…` for both query endpoints.
pub fn query_string_to_sign(app_key: &str, mrn: &str, secret: &str) -> String {
    format!("appKey={app_key}&mrn={mrn}&key={secret}")
}

/// Path and query of a status query. The sign covers the raw values; the URL
/// carries them percent-encoded. `callback=false`: we only ask, we do not want
/// the gateway to call the merchant's callback again.
pub fn query_path(path: &str, app_key: &str, mrn: &str, secret: &str) -> String {
    let sign = md5_lower(&query_string_to_sign(app_key, mrn, secret));
    format!(
        "{path}?appKey={}&mrn={}&sign={sign}&callback=false",
        rfc3986_encode(app_key),
        rfc3986_encode(mrn)
    )
}

/// The deposit callback (充值回调): `amount=…&appKey=…&channel=…&mrn=…&originAmount=…&key=…`,
/// each value the text received.
pub fn deposit_notify_string_to_sign(
    amount: &str,
    app_key: &str,
    channel: &str,
    mrn: &str,
    origin_amount: &str,
    secret: &str,
) -> String {
    format!(
        "amount={amount}&appKey={app_key}&channel={channel}&mrn={mrn}&originAmount={origin_amount}&key={secret}"
    )
}

/// The payout callback (下发回调): `amount=…&appKey=…&mrn=…&key=…`.
pub fn payout_notify_string_to_sign(
    amount: &str,
    app_key: &str,
    mrn: &str,
    secret: &str,
) -> String {
    format!("amount={amount}&appKey={app_key}&mrn={mrn}&key={secret}")
}
