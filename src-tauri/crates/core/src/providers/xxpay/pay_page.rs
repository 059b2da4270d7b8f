//! An xxpay `POST;` pay URL: its page must be opened by a form POST, so the
//! desktop app writes this small page and opens it in the browser.

/// Splits a `POST;https://host/path?a=1&b=2` pay URL into the form action and
/// its fields, which must be sent by a form POST (not a QR code). `None` for
/// an ordinary URL. `%XX` escapes are decoded; `+` is kept as `+`, because the
/// document warns the URL is not to be URL-decoded (raw base64 values keep
/// their `+`).
pub fn post_form_target(pay_url: &str) -> Option<(String, Vec<(String, String)>)> {
    let t = pay_url.trim();
    let rest = t
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("POST;"))
        .map(|_| t[5..].trim())?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (action, query) = rest.split_once('?').unwrap_or((rest, ""));
    let lower = action.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://"))
        || action.len() <= "https://".len()
    {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let fields = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    Some((action.to_string(), fields))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page that posts `fields` to `action` as soon as it loads (with a button
/// in case scripts are off).
pub fn post_form_page(action: &str, fields: &[(String, String)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(k),
                html_escape(v)
            )
        })
        .collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>PayDesk</title></head><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{}<button type=\"submit\">继续支付 / Continue to payment</button></form></body></html>",
        html_escape(action),
        inputs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_form_target_splits_action_and_fields() {
        assert_eq!(
            post_form_target("POST;https://host/path?a=1&b=2"),
            Some((
                "https://host/path".to_string(),
                vec![
                    ("a".to_string(), "1".to_string()),
                    ("b".to_string(), "2".to_string())
                ]
            ))
        );
        assert_eq!(
            post_form_target("POST;https://host/path"),
            Some(("https://host/path".to_string(), vec![]))
        );
        let (action, fields) = post_form_target(
            " post; http://h:8080/bank?orderId=P1&name=%E5%BC%A0%E4%B8%89&sign=ab+c/=&&empty=#frag",
        )
        .unwrap();
        assert_eq!(action, "http://h:8080/bank");
        assert_eq!(
            fields,
            vec![
                ("orderId".to_string(), "P1".to_string()),
                ("name".to_string(), "张三".to_string()),
                ("sign".to_string(), "ab+c/=".to_string()),
                ("empty".to_string(), "".to_string()),
            ]
        );
        assert_eq!(post_form_target("https://host/path?a=1"), None);
        assert_eq!(post_form_target("POST;javascript:alert(1)"), None);
        assert_eq!(post_form_target("POST;"), None);
        assert_eq!(post_form_target("POS"), None);
    }

    #[test]
    fn post_form_page_escapes_values() {
        let page = post_form_page("http://gw/pay?x=1", &[("a\"".into(), "<script>".into())]);
        assert!(page.contains("name=\"a&quot;\""));
        assert!(page.contains("value=\"&lt;script&gt;\""));
        assert!(!page.contains("<script>"));
    }
}
