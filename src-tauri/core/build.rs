//! Embeds every file under `ui/` into the binary, so a new page module needs no table entry,
//! and compresses the phone page once, here, rather than at every start.

use std::path::{Path, PathBuf};

fn main() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    // A folder here means: rebuild when anything below it changes.
    println!("cargo:rerun-if-changed={}", ui.display());
    let mut files = Vec::new();
    collect(&ui, &ui, &mut files);
    files.sort();
    let mut table = String::from(
        "/// Every file under `ui/`: (path below `ui/`, contents).\npub const UI_FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in files {
        table.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    table.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    let out = out_dir.join("ui_files.rs");
    if let Err(error) = std::fs::write(&out, table) {
        panic!("cannot write {}: {error}", out.display());
    }
    compress_phone_page(&out_dir);
}

/// `participant.html.gz` in `OUT_DIR`: the phone page as most phones are sent it.
fn compress_phone_page(out_dir: &Path) {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/participant.html");
    println!("cargo:rerun-if-changed={}", page.display());
    let plain = std::fs::read(&page).unwrap_or_else(|error| panic!("cannot read {}: {error}", page.display()));
    let mut compressed = Vec::new();
    if let Err(error) = zopfli::compress(zopfli::Options::default(), zopfli::Format::Gzip, &plain[..], &mut compressed)
    {
        panic!("cannot compress the phone page: {error}");
    }
    let out = out_dir.join("participant.html.gz");
    if let Err(error) = std::fs::write(&out, compressed) {
        panic!("cannot write {}: {error}", out.display());
    }
}

fn collect(root: &Path, folder: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative.to_string_lossy().replace('\\', "/");
            let canonical = std::fs::canonicalize(&path).unwrap_or(path);
            files.push((name, canonical));
        }
    }
}
