//! Embeds every file under `ui/` into the binary, so a new page module needs no table entry,
//! and builds the phone page once per language, here, rather than at every start: the
//! language's strings put into the page, the page trimmed and gzip-compressed. The
//! presenter's remote is built per language the same way (small enough to go uncompressed).

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
    phone_pages(&out_dir);
    remote_pages(&out_dir);
}

/// The phone page's languages: code (as in `assets/lang/<code>.json`) and name in that language,
/// in the order the phone's menu lists them. The first is the fallback.
const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("pl", "Polski"),
];

/// `participant-<code>.html` and `.html.gz` in `OUT_DIR` for each language, and
/// `phone_pages.rs`, the table that includes them.
fn phone_pages(out_dir: &Path) {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets");
    let page_path = assets.join("participant.html");
    println!("cargo:rerun-if-changed={}", page_path.display());
    println!("cargo:rerun-if-changed={}", assets.join("lang").display());
    let page = read(&page_path);
    let page = trim_page(&page);
    let menu: Vec<[&str; 2]> = LANGUAGES.iter().map(|(code, name)| [*code, *name]).collect();
    let mut table = String::from(
        "/// The phone page per language: (code, name, the page, the page gzip-compressed).\n\
         pub const PHONE_PAGES: &[(&str, &str, &str, &[u8])] = &[\n",
    );
    for (code, name) in LANGUAGES {
        let strings = language_table(&assets.join("lang").join(format!("{code}.json")));
        let localised =
            localise(&page, code, &serde_json::json!({ "lang": code, "languages": menu, "strings": strings }));
        let mut compressed = Vec::new();
        let options = zopfli::Options::default();
        if let Err(error) = zopfli::compress(options, zopfli::Format::Gzip, localised.as_bytes(), &mut compressed) {
            panic!("cannot compress the phone page: {error}");
        }
        let plain_out = out_dir.join(format!("participant-{code}.html"));
        let gzip_out = out_dir.join(format!("participant-{code}.html.gz"));
        write(&plain_out, localised.as_bytes());
        write(&gzip_out, &compressed);
        table.push_str(&format!(
            "    ({code:?}, {name:?}, include_str!({:?}), include_bytes!({:?})),\n",
            plain_out.display().to_string(),
            gzip_out.display().to_string()
        ));
    }
    table.push_str("];\n");
    write(&out_dir.join("phone_pages.rs"), table.as_bytes());
}

/// `remote-<code>.html` in `OUT_DIR` for each language, and `remote_pages.rs`, the table
/// that includes them, in [`LANGUAGES`]' order. Every table must have English's keys.
fn remote_pages(out_dir: &Path) {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets");
    let page_path = assets.join("remote.html");
    let tables = assets.join("lang").join("remote");
    println!("cargo:rerun-if-changed={}", page_path.display());
    println!("cargo:rerun-if-changed={}", tables.display());
    let page = read(&page_path);
    let keys = |table: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = table.as_object().map(|words| words.keys().cloned().collect()).unwrap_or_default();
        keys.sort();
        keys
    };
    let mut english: Option<Vec<String>> = None;
    let mut table = String::from(
        "/// The remote's page per language: (code, the page).\npub const REMOTE_PAGES: &[(&str, &str)] = &[\n",
    );
    for (code, _) in LANGUAGES {
        let table_path = tables.join(format!("{code}.json"));
        let words = language_table(&table_path);
        let own = keys(&words);
        if own.is_empty() || words.as_object().is_some_and(|w| w.values().any(|v| !v.is_string())) {
            panic!("{} must hold one object: key to text", table_path.display());
        }
        match &english {
            None => english = Some(own),
            Some(reference) if *reference != own => {
                let missing: Vec<&String> = reference.iter().filter(|key| !own.contains(key)).collect();
                let extra: Vec<&String> = own.iter().filter(|key| !reference.contains(key)).collect();
                panic!("{} differs from en.json: missing {missing:?}, not in English {extra:?}", table_path.display());
            }
            Some(_) => {}
        }
        let localised = localise(&page, code, &words);
        let out = out_dir.join(format!("remote-{code}.html"));
        write(&out, localised.as_bytes());
        table.push_str(&format!("    ({code:?}, include_str!({:?})),\n", out.display().to_string()));
    }
    table.push_str("];\n");
    write(&out_dir.join("remote_pages.rs"), table.as_bytes());
}

/// A language's table (`assets/lang/…json`): one JSON object, watched for changes.
fn language_table(path: &Path) -> serde_json::Value {
    println!("cargo:rerun-if-changed={}", path.display());
    let table: serde_json::Value = serde_json::from_str(&read(path))
        .unwrap_or_else(|error| panic!("{} is not valid JSON: {error}", path.display()));
    if !table.is_object() {
        panic!("{} must hold one object: string key to text", path.display());
    }
    table
}

/// `page` in language `code`: its `{{lang}}` and `{{i18n}}` (the words, as JSON in a script) filled in.
fn localise(page: &str, code: &str, words: &serde_json::Value) -> String {
    // Inside a <script> element a `</` could close it early; JSON reads `<\/` as `</`.
    let i18n = words.to_string().replace("</", "<\\/");
    page.replace("{{lang}}", code).replace("{{i18n}}", &i18n)
}

/// The page without what only its readers need: indentation and whole-line `//`
/// comments. Every byte counts towards the 14 KiB of TCP's first round trip.
fn trim_page(page: &str) -> String {
    let mut trimmed = String::with_capacity(page.len());
    for line in page.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("// ") || line == "//" {
            continue;
        }
        trimmed.push_str(line);
        trimmed.push('\n');
    }
    trimmed
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) {
    if let Err(error) = std::fs::write(path, bytes) {
        panic!("cannot write {}: {error}", path.display());
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
