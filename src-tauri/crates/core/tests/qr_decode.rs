//! The QR code the app shows decodes back to the payUrl: the exact SVG markup
//! the UI inserts is rasterised (resvg) and read by a QR decoder (rqrr).

fn decode_svg(svg: &str) -> String {
    let tree =
        resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let data = pixmap.data();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| data[(y * w + x) * 4]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("the QR code decodes").1
}

#[test]
fn qr_svg_decodes_back_to_the_pay_url() {
    let urls = [
        "http://127.0.0.1:47651/jstpay/cashier/JSTD2026112200000002",
        "https://gw.example.com/pay/checkout?order=AK20240101001&amount=100.50",
        // A long signed juyouke H5 URL with percent-encoded Chinese.
        "http://api.juyouke.cc/getway/?app_id=JYKSANDBOX01&notify_url=http%3A%2F%2F127.0.0.1%3A9%2Fnotify&operator_id=OP001&out_trade_no=PDD2611220826448547M05D6Q9&payway=1&return_url=http%3A%2F%2F127.0.0.1%3A9%2Freturn&subject=%E6%B5%8B%E8%AF%95%E5%95%86%E5%93%81%20A&total_amount=10050&sign=616d738e539f3dcd2f3c0fd74e39c9b4",
    ];
    for url in urls {
        let svg = paydesk_core::qr::svg(url).expect("QR for a pay URL");
        assert!(svg.starts_with("<svg"));
        assert_eq!(decode_svg(&svg), url);
    }
}
