//! PayDesk's own notes on an order (the `message` of the order and of its
//! events) are stored as a code with its parameters, not as text, and put
//! into words when they are read, in the reader's language: switching the
//! language shows old notes in the new one. The gateway's own words stay
//! what they are (`provider_message`); an operating system's error text is
//! quoted after the sentence, never pasted inside it.
//!
//! Stored form: a small JSON object, `{"note":"…",…}`. A stored text that is
//! not one (written before notes existed) is shown as it is.

use super::inert_text;
use crate::domain::OrderStatus;
use crate::error::FieldError;
use crate::gateway::GatewayError;
use crate::i18n::Words;
use crate::store::{Order, OrderEvent};
use crate::tr;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// Stored, being sent.
    Sending,
    /// Taken up again: the earlier request never left.
    Resending,
    /// Imported from a gateway query (not created here).
    Imported,
    /// The gateway has no such order long after it was sent.
    NeverArrived,
    /// A query's answer contradicts a final order; the order was not moved.
    StatusConflict {
        reported: OrderStatus,
        stored: OrderStatus,
    },
    /// A failed call to the gateway: `code` is `GatewayError::code()`,
    /// `detail` the variant's own text (the gateway's words, the OS error,
    /// the HTTP status). `resend`: the request never left, and the order may
    /// be sent again under its number.
    Gateway {
        code: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resend: bool,
        /// PayDesk's own wording of the detail, in both languages (a reply
        /// that names another order): shown in the reader's language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<Words>,
    },
    /// A verified callback settled the order.
    CallbackApplied { status: OrderStatus },
    /// A verified callback claims another status for a final order: recorded, not applied.
    CallbackConflict {
        reported: OrderStatus,
        stored: OrderStatus,
    },
    /// A verified callback without a final status: recorded, nothing moved.
    CallbackNotFinal,
    /// A JSTpay receive check matched the payout as sent and was confirmed.
    ReceiveCheckConfirmed,
    /// At or above the profile's approval threshold: waits for a checker.
    AwaitingApproval,
    /// Team mode: made on a desk without the profile's key; waits for a
    /// checker on a desk that holds it, who sends it by approving.
    AwaitingKey { profile: String },
    /// Team mode, a batch: run on a desk without the profile's key, it was
    /// submitted for approval as a whole; a checker on a desk that holds
    /// the key approves and runs it.
    BatchAwaitingKey { profile: String },
    /// Team mode, a batch: another desk set or lowered the threshold while
    /// it ran; the rest was submitted for approval, rows sent stay.
    BatchThresholdChanged,
    /// A checker approved it; it is being sent from the checker's desk.
    Approved { maker: String, checker: String },
    /// A checker refused it; nothing was sent.
    Rejected { checker: String, reason: String },
}

impl Note {
    pub fn gateway(e: &GatewayError, resend: bool) -> Note {
        let detail = match e {
            GatewayError::NotSent(d)
            | GatewayError::Transport(d)
            | GatewayError::Malformed(d)
            | GatewayError::Uncertain(d) => Some(d.clone()),
            GatewayError::Mismatch(_) => None,
            GatewayError::HttpStatus { status, .. } => Some(status.to_string()),
            GatewayError::Rejected { message, .. }
            | GatewayError::OrderNotFound { message, .. } => Some(message.clone()),
            // Put into words already (a field's message, an offer's name).
            GatewayError::Invalid(_) | GatewayError::NotOffered { .. } => Some(e.to_string()),
            GatewayError::Timeout | GatewayError::BadSignature | GatewayError::TooLarge => None,
        };
        let words = match e {
            GatewayError::Mismatch(w) => Some(Words {
                zh: inert_text(&w.zh),
                en: inert_text(&w.en),
            }),
            _ => None,
        };
        Note::Gateway {
            code: e.code().to_string(),
            detail: detail.map(|d| inert_text(&d)),
            resend,
            words,
        }
    }

    /// The form kept in the database.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).expect("a note serialises")
    }

    /// A stored note, or `None` for a text written before notes existed.
    pub fn parse(stored: &str) -> Option<Note> {
        if !stored.starts_with("{\"note\"") {
            return None;
        }
        serde_json::from_str(stored).ok()
    }

    /// The note in the current language, made inert.
    pub fn render(&self) -> String {
        let text = match self {
            Note::Sending => tr!("正在提交到网关", "being sent to the gateway"),
            Note::Resending => tr!(
                "正在再次提交到网关（上次请求未发出）",
                "being sent to the gateway again (the earlier request never left)"
            ),
            Note::Imported => tr!("从网关查询导入", "imported from a gateway query"),
            Note::NeverArrived => tr!(
                "网关没有此订单（提交后超过 10 分钟），视为未到达网关",
                "the gateway has no such order more than 10 minutes after sending: it never arrived"
            ),
            Note::StatusConflict { reported, stored } => tr!(
                "网关现在报告“{}”，但本单已是最终状态“{}”：最终状态不会被查询更改，请人工核对",
                "the gateway now reports “{}”, but this order is already final (“{}”): a query never changes a final status; check it by hand",
                reported.label(),
                stored.label()
            ),
            Note::CallbackApplied { status } => {
                tr!("网关回调：{}", "gateway callback: {}", status.label())
            }
            Note::CallbackConflict { reported, stored } => tr!(
                "回调称订单为“{}”，但订单已是最终状态“{}”，未改变",
                "the callback says “{}”, but the order is already final (“{}”); not changed",
                reported.label(),
                stored.label()
            ),
            Note::CallbackNotFinal => tr!(
                "回调未带最终状态，订单未改变",
                "the callback carries no final status; the order is unchanged"
            ),
            Note::ReceiveCheckConfirmed => tr!(
                "收到代付核对请求，信息一致，已确认",
                "receive check: the order matches; confirmed"
            ),
            Note::AwaitingApproval => tr!(
                "金额达到审批阈值，等待复核人审批；尚未发送到网关",
                "at or above the approval threshold: waiting for a checker; nothing sent to the gateway yet"
            ),
            Note::AwaitingKey { profile } => tr!(
                "制单的电脑没有商户配置“{}”的密钥，代付已保存为待审批：由持有该密钥的电脑上的复核人审批后发送；尚未发送到网关",
                "the desk it was made on holds no key for profile “{}”: stored awaiting approval, it is sent when a checker on a desk that holds the key approves it; nothing sent to the gateway yet",
                profile
            ),
            Note::BatchAwaitingKey { profile } => tr!(
                "运行批次的电脑没有商户配置“{}”的密钥，批次已提交审批：由持有该密钥的电脑上的复核人审批后执行；尚未发送任何一行",
                "the desk that ran it holds no key for profile “{}”: the batch was submitted for approval and runs when a checker on a desk that holds the key approves it; no row was sent",
                profile
            ),
            Note::BatchThresholdChanged => tr!(
                "运行期间审批阈值已调整：其余的行须经复核人审批，批次已提交审批；已发送的行不受影响",
                "the approval threshold changed during the run: the rest of the batch needs a checker's approval and was submitted; rows already sent stay as they are"
            ),
            Note::Approved { maker, checker } => tr!(
                "{} 已审批（制单人 {}），从复核人的工作台提交到网关",
                "approved by {} (made by {}); sent from the checker's desk",
                checker,
                maker
            ),
            Note::Rejected { checker, reason } => tr!(
                "{} 已驳回，未发送到网关。原因：{}",
                "rejected by {}; nothing was sent to the gateway. Reason: {}",
                checker,
                reason
            ),
            Note::Gateway {
                code,
                detail,
                resend,
                words,
            } => {
                let mut text = gateway_text(code, detail.as_deref(), words.as_ref());
                if *resend {
                    text.push(' ');
                    text.push_str(&tr!(
                        "请求未发出，网关没有此订单：可用同一订单号再次提交。",
                        "Nothing reached the gateway: you can send it again under the same order number."
                    ));
                }
                text
            }
        };
        inert_text(&text)
    }
}

/// A system's own error text, set apart after the sentence.
fn quoted(detail: Option<&str>) -> String {
    match detail.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => tr!("（系统信息：{}）", " (system message: {})", d),
        None => String::new(),
    }
}

fn gateway_text(code: &str, detail: Option<&str>, words: Option<&Words>) -> String {
    let d = || detail.unwrap_or_default().to_string();
    let e = match code {
        // PayDesk's sentence first, the operating system's words after it.
        "not_sent" => {
            return tr!(
                "未能连接网关，请求未发出。请检查网关地址和网络后重试。{}",
                "could not connect to the gateway; the request was not sent. Check the gateway URL and the network, then try again.{}",
                quoted(detail)
            )
        }
        "transport" => {
            return tr!(
                "与网关的连接中断，订单可能已提交。请稍后“查询状态”确认结果。{}",
                "the connection to the gateway broke; the order may have been received. Query its status later.{}",
                quoted(detail)
            )
        }
        "timeout" => GatewayError::Timeout,
        "http_status" => GatewayError::HttpStatus {
            status: detail.and_then(|s| s.parse().ok()).unwrap_or_default(),
            body: String::new(),
        },
        "malformed_reply" => GatewayError::Malformed(d()),
        "bad_signature" => GatewayError::BadSignature,
        "reply_mismatch" => GatewayError::Mismatch(words.cloned().unwrap_or_else(|| Words::same(d()))),
        "reply_too_large" => GatewayError::TooLarge,
        "uncertain" => GatewayError::Uncertain(d()),
        "rejected" => GatewayError::Rejected {
            code: String::new(),
            message: d(),
        },
        "order_not_found" => GatewayError::OrderNotFound {
            code: String::new(),
            message: d(),
        },
        // invalid_input, not_offered and any later code: the words kept.
        _ => GatewayError::Invalid(FieldError::new("", d())),
    };
    match e {
        GatewayError::Invalid(f) => f.message,
        e => e.to_string(),
    }
}

/// A stored note in the reader's language (other texts as they are).
pub fn render_stored(message: &mut Option<String>) {
    if let Some(n) = message.as_deref().and_then(Note::parse) {
        *message = Some(n.render());
    }
}

pub fn localize_order(mut o: Order) -> Order {
    render_stored(&mut o.message);
    o
}

pub fn localize_orders(list: Vec<Order>) -> Vec<Order> {
    list.into_iter().map(localize_order).collect()
}

pub fn localize_events(list: Vec<OrderEvent>) -> Vec<OrderEvent> {
    list.into_iter()
        .map(|mut e| {
            render_stored(&mut e.message);
            e
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_survive_the_database_and_old_texts_stay() {
        let notes = [
            Note::Sending,
            Note::Resending,
            Note::Imported,
            Note::NeverArrived,
            Note::StatusConflict {
                reported: OrderStatus::Succeeded,
                stored: OrderStatus::Failed,
            },
            Note::gateway(
                &GatewayError::NotSent("Connection refused (os error 111)".into()),
                true,
            ),
            Note::gateway(&GatewayError::Timeout, false),
            Note::gateway(
                &GatewayError::Rejected {
                    code: "1004".into(),
                    message: "商户订单编号重复".into(),
                },
                false,
            ),
        ];
        for n in notes {
            assert_eq!(Note::parse(&n.stored()), Some(n.clone()), "{n:?}");
            assert!(!n.render().is_empty());
        }
        assert_eq!(Note::parse("正在提交到网关"), None);
        let mut old = Some("正在提交到网关".to_string());
        render_stored(&mut old);
        assert_eq!(old.as_deref(), Some("正在提交到网关"));
    }

    #[test]
    fn the_os_text_comes_after_the_sentence() {
        let n = Note::gateway(
            &GatewayError::NotSent("Connection refused (os error 111)".into()),
            false,
        );
        let text = n.render();
        let os = text
            .find("Connection refused")
            .expect("the OS text is kept");
        // Either language: the sentence ends before the OS text starts.
        let end = text.find("。").or_else(|| text.find(". ")).unwrap();
        assert!(end < os, "{text}");
    }
}
