//! QR codes for payUrls, rendered in Rust (SVG for the app, text for the CLI).

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

pub fn terminal(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    Some(code.render::<unicode::Dense1x2>().quiet_zone(true).build())
}
