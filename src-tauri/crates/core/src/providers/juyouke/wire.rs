//! juyouke on the wire: endpoints, and replies read as received (the
//! `result_response` object with each value's exact text, and its `sign`).

use super::sign::{write_json_string, write_member_name};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

pub const PATH_H5: &str = "/getway/";
pub const PATH_APP: &str = "/getway/app";
pub const PATH_CODEPAY: &str = "/api/codepay/";
pub const PATH_QUERY: &str = "/api/query/";
pub const PATH_SETTLE: &str = "/api/settle/";
pub const PATH_SETTLE_QUERY: &str = "/api/settlequery/";
pub const PATH_BALANCE: &str = "/api/balance_query/";

pub const RESULT_OK: &str = "10000";

/// `result_response` of a reply as received: value texts for reading, and the
/// canonical JSON its signature covers.
#[derive(Debug, Clone)]
pub struct ReplyObject {
    /// A string value decoded; any other value as its raw text (`100.50`).
    /// `null` values are left out.
    pub values: BTreeMap<String, String>,
    /// Canonical JSON over the raw values (not yet lower-cased).
    pub canonical: String,
}

impl ReplyObject {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|s| s.as_str())
    }

    /// A value that is present and not blank.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|s| !s.is_empty())
    }
}

/// Reads the `result_response` object from its raw JSON text.
pub fn read_reply_object(raw: &str) -> Result<ReplyObject, String> {
    let map: BTreeMap<String, Box<RawValue>> = serde_json::from_str(raw)
        .map_err(|e| format!("result_response is not a JSON object: {e}"))?;
    let mut values = BTreeMap::new();
    let mut canonical = String::from("{");
    for (i, (k, v)) in map.iter().enumerate() {
        write_member_name(&mut canonical, i, k);
        let text = v.get().trim();
        if text.starts_with('"') {
            let s: String = serde_json::from_str(text).map_err(|e| format!("{k}: {e}"))?;
            write_json_string(&mut canonical, &s);
            values.insert(k.clone(), s);
        } else {
            // Numbers (and anything else) keep their exact characters.
            canonical.push_str(text);
            if text != "null" {
                values.insert(k.clone(), text.to_string());
            }
        }
    }
    canonical.push('}');
    Ok(ReplyObject { values, canonical })
}

/// The reply envelope `{"result_response": {...}, "sign": "..."}`, read but not
/// yet trusted.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub object: ReplyObject,
    pub sign: String,
}

pub fn read_envelope(body: &str) -> Result<Envelope, String> {
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        result_response: &'a RawValue,
        #[serde(default)]
        sign: Option<String>,
    }
    let raw: Raw = serde_json::from_str(body.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("not a juyouke reply: {e}"))?;
    let object = read_reply_object(raw.result_response.get())?;
    Ok(Envelope {
        object,
        sign: raw.sign.unwrap_or_default(),
    })
}
