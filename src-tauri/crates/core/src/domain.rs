//! Shared domain vocabulary: gateways, order kinds and the one status set.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Jstpay,
    Jeepay,
    Juyouke,
    Appkey,
    Xxpay,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 5] = [
        ProviderKind::Jstpay,
        ProviderKind::Jeepay,
        ProviderKind::Juyouke,
        ProviderKind::Appkey,
        ProviderKind::Xxpay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Jstpay => "jstpay",
            ProviderKind::Jeepay => "jeepay",
            ProviderKind::Juyouke => "juyouke",
            ProviderKind::Appkey => "appkey",
            ProviderKind::Xxpay => "xxpay",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        ProviderKind::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Display name as merchants know the gateway.
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Jstpay => "JSTpay",
            ProviderKind::Jeepay => "Jeepay",
            ProviderKind::Juyouke => "聚优客",
            ProviderKind::Appkey => "AppKey",
            ProviderKind::Xxpay => "XxPay 聚合支付",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    Payout,
    Deposit,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Payout => "payout",
            OrderKind::Deposit => "deposit",
        }
    }
    pub fn parse(s: &str) -> Option<OrderKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "payout" => Some(OrderKind::Payout),
            "deposit" => Some(OrderKind::Deposit),
            _ => None,
        }
    }
}

impl fmt::Display for OrderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one status set every gateway's codes map onto, and the two of
/// maker-checker (team mode), which never come from a gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Created at the gateway, waiting (for payment, for acceptance).
    Pending,
    Processing,
    Succeeded,
    /// Rejected, expired, closed, refunded, or never reached the gateway.
    Failed,
    /// Sent (or maybe sent) but no trustworthy answer yet: a status query settles it.
    Unknown,
    /// At or above its profile's approval threshold: stored with the exact
    /// request it will send, nothing sent until a checker approves it. Neither
    /// open for sync (the gateway has never seen it) nor final.
    AwaitingApproval,
    /// A checker refused it before it was sent: final, never sent. Its own
    /// status rather than `failed`, which to a clerk means the gateway said no.
    Rejected,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Pending,
        OrderStatus::Processing,
        OrderStatus::Succeeded,
        OrderStatus::Failed,
        OrderStatus::Unknown,
        OrderStatus::AwaitingApproval,
        OrderStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Processing => "processing",
            OrderStatus::Succeeded => "succeeded",
            OrderStatus::Failed => "failed",
            OrderStatus::Unknown => "unknown",
            OrderStatus::AwaitingApproval => "awaiting_approval",
            OrderStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Succeeded | OrderStatus::Failed | OrderStatus::Rejected
        )
    }

    /// Sent (or maybe sent) and not settled: what sync and refresh ask the
    /// gateway about. An order awaiting approval was never sent.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::Pending | OrderStatus::Processing | OrderStatus::Unknown
        )
    }

    pub fn label(self) -> String {
        match self {
            OrderStatus::Pending => crate::i18n::tr("待处理", "pending"),
            OrderStatus::Processing => crate::i18n::tr("处理中", "processing"),
            OrderStatus::Succeeded => crate::i18n::tr("成功", "succeeded"),
            OrderStatus::Failed => crate::i18n::tr("失败", "failed"),
            OrderStatus::Unknown => crate::i18n::tr("状态未知", "unknown"),
            OrderStatus::AwaitingApproval => crate::i18n::tr("待审批", "awaiting approval"),
            OrderStatus::Rejected => crate::i18n::tr("已驳回", "rejected"),
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
