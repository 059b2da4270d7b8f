//! TypeScript declarations of every type that crosses the desktop app's IPC,
//! generated from the Rust types (ts-rs) into one file the UI imports.
//! Amounts are fen and times are Unix ms: far below 2^53, so `number` is exact
//! and the JSON the app sends is read as `number`, not `bigint`.

use ts_rs::TS;

macro_rules! decls {
    ($($t:ty),* $(,)?) => {
        vec![$(<$t as TS>::decl(&ts_rs::Config::default())),*]
    };
}

pub fn typescript() -> String {
    use crate::banks::Bank;
    use crate::domain::*;
    use crate::form::*;
    use crate::gateway::*;
    use crate::i18n::Lang;
    use crate::services::*;
    use crate::store::*;
    use crate::sync::{ProfileSync, Settled, SettledBy, StuckOrder, SyncEvent, SyncState};
    let decls: Vec<String> = decls![
        ProviderKind,
        OrderKind,
        OrderStatus,
        Lang,
        InputKind,
        BankValue,
        Choice,
        Cond,
        FieldSpec,
        AmountRule,
        OrderNoRule,
        FormSpec,
        OrderInput,
        Bank,
        Capabilities,
        CardInfo,
        Exchange,
        Arrival,
        Profile,
        Order,
        OrderEvent,
        OrderFilter,
        OrderPage,
        BalanceReading,
        AuditEntry,
        ProfileInput,
        ProfileView,
        ErrorInfo,
        OrderOutcome,
        BalanceView,
        TestResult,
        OrderPreview,
        Settings,
        AppInfo,
        SyncState,
        Settled,
        SettledBy,
        ProfileSync,
        SyncEvent,
        StuckOrder,
        crate::export::ExportFormat,
        crate::export::ColumnKind,
        crate::export::ExportColumn,
        crate::export::ExportTable,
        crate::batch::BatchState,
        crate::batch::RowStatus,
        crate::batch::RowIssue,
        crate::batch::BatchWarning,
        crate::batch::Batch,
        crate::batch::BatchRow,
        crate::batch::BatchDetail,
        crate::batch::BatchProgress,
        Approval,
        ApprovalView,
        crate::store::approvals::BatchApproval,
        BatchApprovalView,
        ApprovalsList,
    ];
    let mut out = String::from("// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p paydesk-core --features ts --test bindings`: do not edit.\n/* eslint-disable */\n\n");
    for d in decls {
        let d = d.replace("bigint", "number");
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out
}
