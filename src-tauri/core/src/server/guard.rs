//! Upgrade checks: `Host` must be an address of ours, `Origin` must be that same host.

use axum::http::{header, HeaderMap};

/// Why an upgrade was refused (sent as a 403 body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("missing or malformed Host header")]
    BadHost,
    #[error("Host must be an IP address or localhost with port {0}")]
    ForeignHost(u16),
    #[error("missing Origin header")]
    MissingOrigin,
    #[error("Origin does not match Host")]
    ForeignOrigin,
}

/// Accepts a request only when `Host` names this listener by address (or
/// `localhost`) and port: a DNS name, as a rebinding page would send, is refused.
pub fn our_host(headers: &HeaderMap, port: u16) -> Result<(), Refusal> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).ok_or(Refusal::BadHost)?;
    if is_our_host(&host.trim().to_ascii_lowercase(), port) {
        Ok(())
    } else {
        Err(Refusal::ForeignHost(port))
    }
}

/// Accepts a WebSocket upgrade only from a page this listener served.
///
/// A DNS name in `Host` is refused, which defeats DNS rebinding: a hostile page
/// on the internet cannot make a browser talk to us under its own name.
pub fn same_origin(headers: &HeaderMap, port: u16) -> Result<(), Refusal> {
    our_host(headers, port)?;
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).ok_or(Refusal::BadHost)?;
    let host = host.trim().to_ascii_lowercase();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).ok_or(Refusal::MissingOrigin)?;
    let origin = origin.trim().to_ascii_lowercase();
    if origin.strip_prefix("http://") == Some(host.as_str()) {
        Ok(())
    } else {
        Err(Refusal::ForeignOrigin)
    }
}

fn is_our_host(host: &str, port: u16) -> bool {
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    if host_port.parse::<u16>().ok() != Some(port) {
        return false;
    }
    if name == "localhost" {
        return true;
    }
    let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    name.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut map = HeaderMap::new();
        if let Some(host) = host {
            map.insert(header::HOST, HeaderValue::from_str(host).expect("host"));
        }
        if let Some(origin) = origin {
            map.insert(header::ORIGIN, HeaderValue::from_str(origin).expect("origin"));
        }
        map
    }

    #[test]
    fn accepts_pages_we_served() {
        assert_eq!(same_origin(&headers(Some("192.168.1.20:7070"), Some("http://192.168.1.20:7070")), 7070), Ok(()));
        assert_eq!(same_origin(&headers(Some("localhost:7070"), Some("http://localhost:7070")), 7070), Ok(()));
        assert_eq!(same_origin(&headers(Some("[::1]:7070"), Some("http://[::1]:7070")), 7070), Ok(()));
    }

    #[test]
    fn refuses_everything_else() {
        let cases = [
            (None, Some("http://1.2.3.4:7070"), Refusal::BadHost),
            (Some("evil.example:7070"), Some("http://evil.example:7070"), Refusal::ForeignHost(7070)),
            (Some("10.0.0.1:8080"), Some("http://10.0.0.1:8080"), Refusal::ForeignHost(7070)),
            (Some("10.0.0.1"), Some("http://10.0.0.1"), Refusal::ForeignHost(7070)),
            (Some("10.0.0.1:7070"), None, Refusal::MissingOrigin),
            (Some("10.0.0.1:7070"), Some("null"), Refusal::ForeignOrigin),
            (Some("10.0.0.1:7070"), Some("http://10.0.0.1:7071"), Refusal::ForeignOrigin),
            (Some("10.0.0.1:7070"), Some("http://10.0.0.1:7070.evil.example"), Refusal::ForeignOrigin),
            (Some("10.0.0.1:7070"), Some("https://10.0.0.1:7070"), Refusal::ForeignOrigin),
            (Some("10.0.0.1:7070"), Some("http://evil.example"), Refusal::ForeignOrigin),
        ];
        for (host, origin, expected) in cases {
            assert_eq!(same_origin(&headers(host, origin), 7070), Err(expected), "{host:?} {origin:?}");
        }
    }
}
