//! Reliability item 4, bad input: property tests over everything a person
//! types. No panic anywhere, and every rejection names a field the person can
//! fix (a field of the form, or `amount` / `order_no`). Case counts are set
//! explicitly; their sum (`TOTAL_CASES`) is over 100,000.
//!
//! Inputs: the amount parser (any text, and every amount printed back), every
//! form of every gateway (`payout_form` / `deposit_form`, then
//! `FormSpec::validate` and `Gateway::check`) with hostile values (any Unicode, emoji, control
//! characters, 10,000-character names, digits with spaces and dashes, unknown
//! field ids), order numbers, gateway URLs (`services::check_base_url`), and
//! the gateway-reply amount readers.

use paydesk_core::domain::{OrderKind, ProviderKind};
use paydesk_core::form::{FormSpec, OrderInput};
use paydesk_core::gateway::OrderParams;
use paydesk_core::money::{self, MAX_FEN};
use paydesk_core::providers::gateway;
use paydesk_core::{order_no, services};
use proptest::prelude::*;
use std::collections::BTreeMap;

const AMOUNT_CASES: u32 = 30_000;
const AMOUNT_ROUND_TRIP_CASES: u32 = 10_000;
const FORM_CASES_PER_FORM: u32 = 6_000;
const NAME_CASES: u32 = 6_000;
const ORDER_NO_CASES: u32 = 5_000;
const URL_CASES: u32 = 10_000;
const REPLY_AMOUNT_CASES: u32 = 5_000;

/// Forms: jstpay 2, jeepay 1 (no deposits), juyouke 2, appkey 2, xxpay 2.
const FORMS: u32 = 9;
pub const TOTAL_CASES: u32 = AMOUNT_CASES
    + AMOUNT_ROUND_TRIP_CASES
    + FORM_CASES_PER_FORM * FORMS
    + NAME_CASES
    + ORDER_NO_CASES
    + URL_CASES
    + REPLY_AMOUNT_CASES;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Failures are reported with their input; no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text a person (or a paste) might produce, and worse.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,40}",
        3 => any::<String>(),
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{200b}-\\u{200f}\\u{2028}\\u{feff}]{1,6}",
        1 => "[😀-🙏🚀-🛿👨‍👩‍👧]{1,12}",
        2 => "[0-9 \\-]{0,32}",
        1 => "[<>&\"'/=a-z ]{0,40}",
        1 => (any::<char>(), 9_990usize..10_010).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

/// Amount text: mostly number-like, sometimes anything.
fn amount_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[+\\-]?[¥￥]?[0-9]{0,16}([.,][0-9]{0,5}){0,3}",
        2 => "[0-9]{1,3}(,[0-9]{3}){0,5}(\\.[0-9]{0,4})?",
        2 => any::<String>(),
        1 => hostile(),
        1 => (1i64..=MAX_FEN).prop_map(money::fen_to_yuan_2dp),
    ]
}

fn forms() -> Vec<FormSpec> {
    let mut v = Vec::new();
    for k in ProviderKind::ALL {
        let g = gateway(k);
        v.extend(g.payout_form());
        v.extend(g.deposit_form());
    }
    v
}

/// Values for a form: each field absent, one of its choices, its default, or
/// hostile text; sometimes a field id the form does not have.
fn form_input(form: &FormSpec) -> impl Strategy<Value = OrderInput> {
    let fields = form.fields.clone();
    (
        amount_text(),
        prop::option::of("[A-Za-z0-9_\\-]{0,40}|\\PC{0,8}"),
        prop::collection::vec(
            (0u8..5, hostile(), any::<prop::sample::Index>()),
            fields.len(),
        ),
        prop::option::weighted(0.05, "[a-z_]{1,12}"),
    )
        .prop_map(move |(amount, order_no, picks, unknown)| {
            let mut values = BTreeMap::new();
            for (f, (how, text, idx)) in fields.iter().zip(picks) {
                let v = match how {
                    0 => continue,
                    1 if !f.choices.is_empty() => {
                        f.choices[idx.index(f.choices.len())].value.clone()
                    }
                    2 => f.default.clone().unwrap_or(text),
                    _ => text,
                };
                values.insert(f.id.clone(), v);
            }
            if let Some(u) = unknown {
                values.insert(u, "x".into());
            }
            OrderInput {
                amount,
                order_no,
                values,
            }
        })
}

fn field_ok(form: &FormSpec, input: &OrderInput, field: &str) -> bool {
    form.field(field).is_some()
        || field == "amount"
        || field == "order_no"
        // validate() names an unknown id as the field to remove.
        || (input.values.contains_key(field) && form.field(field).is_none())
}

/// The services' order path without the store: validate, number, check.
fn validate_and_check(form: &FormSpec, input: &OrderInput) -> Result<(), String> {
    let (amount_fen, values) = form.validate(input).map_err(|e| e.field)?;
    let no = match input
        .order_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(t) => order_no::check("order_no", t, form.order_no.max_len.min(order_no::MAX_LEN))
            .map_err(|e| e.field)?,
        None => order_no::generate(form.kind, 1_700_000_000_000),
    };
    let params = OrderParams {
        kind: form.kind,
        order_no: no,
        amount_fen,
        values,
        provider_order_id: None,
        created_at_ms: 1_700_000_000_000,
    };
    gateway(form.provider).check(&params).map_err(|e| e.field)
}

proptest! {
    #![proptest_config(config(AMOUNT_CASES))]
    #[test]
    fn amount_parser_never_panics_and_names_the_field(text in amount_text()) {
        match money::parse_yuan("amount", &text) {
            Ok(fen) => prop_assert!(fen > 0 && fen <= MAX_FEN, "{text:?} -> {fen}"),
            Err(e) => {
                prop_assert_eq!(e.field, "amount");
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(AMOUNT_ROUND_TRIP_CASES))]
    #[test]
    fn every_amount_printed_reads_back_exactly(fen in 1i64..=MAX_FEN) {
        prop_assert_eq!(money::parse_yuan("amount", &money::fen_to_yuan_2dp(fen)), Ok(fen));
        prop_assert_eq!(money::parse_yuan("amount", &money::fen_to_yuan_compact(fen)), Ok(fen));
    }
}

proptest! {
    #![proptest_config(config(FORM_CASES_PER_FORM))]
    #[test]
    fn every_form_of_every_gateway_names_the_field_it_refuses(
        (i, input) in (0..FORMS as usize).prop_flat_map(|i| (Just(i), form_input(&forms()[i])))
    ) {
        let form = &forms()[i];
        if let Err(field) = validate_and_check(form, &input) {
            prop_assert!(
                field_ok(form, &input, &field),
                "{} {}: refused naming `{field}`, not a field of the form",
                form.provider, form.kind
            );
        }
    }
}

proptest! {
    #![proptest_config(config(NAME_CASES))]
    #[test]
    fn names_of_any_shape_are_accepted_or_refused_by_name(
        (k, name) in (0..ProviderKind::ALL.len(), hostile())
    ) {
        let kind = ProviderKind::ALL[k];
        let Some(form) = gateway(kind).payout_form() else { return Ok(()); };
        let Some(field) = form.fields.iter().find(|f| f.id == "payee_name") else { return Ok(()); };
        let mut values = BTreeMap::new();
        for f in &form.fields {
            if let Some(c) = f.choices.first() {
                values.insert(f.id.clone(), c.value.clone());
            }
        }
        values.insert(field.id.clone(), name.clone());
        let input = OrderInput { amount: "100".into(), order_no: None, values };
        match validate_and_check(&form, &input) {
            Ok(()) => {
                prop_assert!(!name.trim().chars().any(char::is_control), "control characters accepted");
                prop_assert!(field.max_len.is_none_or(|m| name.trim().chars().count() <= m));
            }
            Err(f) => prop_assert!(field_ok(&form, &input, &f), "{kind}: `{f}`"),
        }
        // The name alone (the form cut down to that field): control
        // characters are always refused, naming it.
        if name.trim().chars().any(char::is_control) {
            let only = FormSpec { fields: vec![field.clone()], ..form.clone() };
            prop_assert_eq!(
                only.validate(&OrderInput { amount: "100".into(), order_no: None,
                    values: [(field.id.clone(), name.clone())].into() })
                    .map(|_| ()).map_err(|e| e.field),
                Err::<(), String>("payee_name".into())
            );
        }
    }
}

proptest! {
    #![proptest_config(config(ORDER_NO_CASES))]
    #[test]
    fn order_numbers_are_checked_by_name(text in hostile(), max in 1usize..80) {
        match order_no::check("order_no", &text, max) {
            Ok(n) => prop_assert!(n.len() <= max && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')),
            Err(e) => prop_assert_eq!(e.field, "order_no"),
        }
    }
}

proptest! {
    #![proptest_config(config(URL_CASES))]
    #[test]
    fn gateway_urls_are_checked_by_name(
        url in prop_oneof![
            3 => "(https?|ftp|file|javascript|HTTP)://[a-z0-9.\\-:@\\[\\]]{0,30}(/[\\PC]{0,20})?([?#].{0,5})?",
            2 => hostile(),
            1 => "\\PC{0,10}://\\PC{0,20}",
        ]
    ) {
        match services::check_base_url(&url) {
            Ok(()) => {
                let u = url::Url::parse(url.trim()).unwrap();
                prop_assert!(matches!(u.scheme(), "http" | "https"));
                prop_assert!(u.query().is_none() && u.fragment().is_none());
            }
            Err(e) => prop_assert_eq!(e.field, "base_url"),
        }
    }
}

proptest! {
    #![proptest_config(config(REPLY_AMOUNT_CASES))]
    #[test]
    fn reply_amount_readers_never_panic(text in amount_text()) {
        // Any result is fine (a balance may be negative); no panic, no overflow.
        let _ = money::parse_reply_yuan(&text);
        let _ = money::parse_reply_fen(&text);
    }
}

#[test]
fn the_suite_runs_over_100k_cases() {
    assert_eq!(forms().len() as u32, FORMS);
    const _: () = assert!(TOTAL_CASES >= 100_000);
    // Both kinds of form are covered.
    for kind in [OrderKind::Payout, OrderKind::Deposit] {
        assert!(forms().iter().any(|f| f.kind == kind));
    }
}
