//! The join QR code, as SVG.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Encodes `url` at error-correction level M (reliable from a projector) as SVG.
pub fn qr_svg(url: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_an_svg() {
        let svg = qr_svg("http://192.168.1.20:7070/").expect("qr");
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("</svg>"));
    }
}
