//! QR codes for payUrls, rendered in Rust (SVG for the app, text for the CLI).

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // Inline markup for the UI: drop the XML declaration, keep the <svg> element.
    Some(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

pub fn terminal(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    Some(code.render::<unicode::Dense1x2>().quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn svg_is_inline_markup() {
        let s = super::svg("http://127.0.0.1/pay?x=1").unwrap();
        assert!(s.starts_with("<svg"), "{}", &s[..40]);
        assert!(super::terminal("x").is_some());
    }
}
