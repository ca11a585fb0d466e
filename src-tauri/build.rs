fn main() {
    // Reads tauri.conf.json beside Cargo.toml and embeds it in the desktop build.
    #[cfg(feature = "desktop")]
    tauri_build::build();
}
