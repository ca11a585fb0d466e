//! Slide PDFs made by hand, for the PDF-deck tests and benchmark: a title, a
//! coloured band and lines of text per page, in the standard Helvetica font.

/// A PDF of `pages` landscape slides (16:9). `protected`: with a password the
/// tests do not know (a standard security handler whose empty password fails).
pub fn slides(pages: usize, protected: bool) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    // 1: catalog, 2: page tree, 3: font; then a page and its content per slide.
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..pages).map(|n| format!("{} 0 R", 4 + 2 * n)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into());
    for n in 0..pages {
        let content = format!(
            "0.18 0.37 0.82 rg 0 470 960 70 re f\n\
             BT /F1 44 Tf 1 1 1 rg 40 490 Td (Slide {} of {pages}) Tj ET\n\
             BT /F1 26 Tf 0.1 0.1 0.1 rg 40 400 Td (What we learned this quarter) Tj ET\n\
             BT /F1 22 Tf 0.1 0.1 0.1 rg 60 340 Td (- Fewer meetings, longer focus) Tj 0 -40 Td (- Ship on Thursdays) Tj \
             0 -40 Td (- Ask the room, not the loudest voice) Tj ET\n\
             0.9 0.5 0.1 rg 760 60 160 160 re f\n",
            n + 1
        );
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * n
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let encrypt = objects.len() + 1;
    if protected {
        let filler = "A5".repeat(32);
        objects.push(format!("<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <{filler}> /U <{filler}> >>"));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (at, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", at + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let protection = if protected {
        format!(" /Encrypt {encrypt} 0 R /ID [<{id}> <{id}>]", id = "0123456789ABCDEF0123456789ABCDEF")
    } else {
        String::new()
    };
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R{protection} >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}
