//! What every request and response goes through: refusing cross-origin
//! writes and foreign host names, and the headers that keep pages to
//! this server.
//!
//! * A state-changing request (anything but GET, HEAD and OPTIONS) is
//!   refused with 403 when the browser says it comes from another site
//!   (`Sec-Fetch-Site` other than `same-origin` or `none`), or when its
//!   `Origin` is not this server's own `http://HOST`. Browsers send both
//!   on every cross-origin POST, so a page elsewhere cannot start runs or
//!   overwrite files; a client that is not a browser (curl, a test) sends
//!   neither and is let through, as it could reach the files anyway.
//!   (`https://HOST` counts as the server's own too: a TLS proxy in front
//!   that passes the host through.)
//! * On loopback (the default), a request must carry exactly one `Host`
//!   header, as text, naming a loopback name (`localhost`, `127.x.x.x`,
//!   `[::1]`) with at most a `:port` after it, which defeats DNS
//!   rebinding: a page whose own host name is made to resolve to
//!   127.0.0.1 still sends its own name. Anything after the name or the
//!   bracket (`[::1]evil.example`), bytes that are not text, and a
//!   missing `Host` (HTTP/1.0) are refused too. With `--allow-remote`
//!   (behind a reverse proxy) the host is the proxy's business.
//! * Every response carries a Content-Security-Policy that allows nothing
//!   from elsewhere: scripts only from this server (no inline script),
//!   inline styles (the report's), images only inline, fetches only to
//!   this server, no framing; plus `nosniff`, no referrer and no caching.
//!
//! The request body limit is set on the router
//! ([`crate::scenario::limits::MAX_REQUEST_BYTES`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// How strict the host check is.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Whether the server listens beyond loopback (then any `Host`).
    pub allow_remote: bool,
}

/// Why a request was refused, if it is.
pub fn refusal(policy: &Policy, method: &Method, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !policy.allow_remote
        && let Some(why) = foreign_host(headers)
    {
        return Some(why);
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if site != "same-origin" && site != "none" {
            return Some(format!(
                "cross-site request refused (Sec-Fetch-Site: {site})"
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        // `https://` when a TLS proxy in front passes the host through.
        let own = host.is_some_and(|h| {
            origin.strip_prefix("http://") == Some(h) || origin.strip_prefix("https://") == Some(h)
        });
        if !own {
            return Some(format!("cross-origin request refused (Origin: {origin})"));
        }
    }
    None
}

/// Why the request's `Host` is not one of this server's loopback names,
/// if it is not: there must be exactly one, it must be text, and it must
/// be a loopback name with at most a port after it.
fn foreign_host(headers: &HeaderMap) -> Option<String> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Some(
            "a request must carry exactly one `Host` header naming this server (localhost, 127.0.0.1 or [::1]); HTTP/1.0 without one is refused (see docs/serve.md)".to_owned(),
        );
    };
    let Ok(host) = host.to_str() else {
        return Some(
            "the `Host` header is not plain text; this server answers on loopback names only (see docs/serve.md)".to_owned(),
        );
    };
    (!loopback_host(host)).then(|| {
        format!(
            "host `{}` is not this server's: it answers on loopback names only (see docs/serve.md)",
            host.escape_debug()
        )
    })
}

/// Whether `host` is a loopback name (`localhost`, `127.x.x.x`, `[::1]`)
/// with at most a port (`:` and digits) after it, and nothing else.
pub fn loopback_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        // An IPv6 address: `[addr]` or `[addr]:port`.
        Some(rest) => {
            let Some((inside, after)) = rest.split_once(']') else {
                return false;
            };
            let port = match after {
                "" => None,
                _ => match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None => return false,
                },
            };
            let v6 = inside.parse::<std::net::Ipv6Addr>();
            if !v6.is_ok_and(|ip| ip.is_loopback()) {
                return false;
            }
            (None, port)
        }
        None => match host.split_once(':') {
            Some((name, port)) => (Some(name), Some(port)),
            None => (Some(host), None),
        },
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = name.is_none_or(|n| {
        n.eq_ignore_ascii_case("localhost")
            || n.parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    port_ok && name_ok
}

/// The middleware: refuses as [`refusal`] says, and adds the headers.
pub async fn guard(State(policy): State<Arc<Policy>>, request: Request, next: Next) -> Response {
    if let Some(message) = refusal(&policy, request.method(), request.headers()) {
        let mut response = (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({ "error": message })),
        )
            .into_response();
        add_headers(response.headers_mut());
        return response;
    }
    let mut response = next.run(request).await;
    add_headers(response.headers_mut());
    response
}

/// The headers every response carries.
pub(super) fn add_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn writes_from_elsewhere_are_refused() {
        let p = Policy {
            allow_remote: false,
        };
        let own = [
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ];
        assert_eq!(refusal(&p, &Method::POST, &headers(&own)), None);
        let evil = [
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ];
        assert!(refusal(&p, &Method::POST, &headers(&evil)).is_some());
        let site = [("host", "localhost:1"), ("sec-fetch-site", "cross-site")];
        assert!(refusal(&p, &Method::POST, &headers(&site)).is_some());
        assert_eq!(refusal(&p, &Method::GET, &headers(&site)), None);
        let rebound = [("host", "evil.example:8080")];
        assert!(refusal(&p, &Method::GET, &headers(&rebound)).is_some());
        let remote = Policy { allow_remote: true };
        assert_eq!(refusal(&remote, &Method::GET, &headers(&rebound)), None);
        // Behind a TLS proxy that passes the host through.
        let proxied = [
            ("host", "portsim.example.org"),
            ("origin", "https://portsim.example.org"),
        ];
        assert_eq!(refusal(&remote, &Method::POST, &headers(&proxied)), None);
        let other = [
            ("host", "portsim.example.org"),
            ("origin", "https://portsim.example.org.evil.example"),
        ];
        assert!(refusal(&remote, &Method::POST, &headers(&other)).is_some());
        assert!(
            loopback_host("[::1]:80") && loopback_host("127.0.0.2") && loopback_host("LOCALHOST:3")
        );
        assert!(
            loopback_host("[::1]") && loopback_host("localhost") && loopback_host("127.0.0.1:8080")
        );
        for foreign in [
            "10.0.0.1:80",
            "localhost.evil.example",
            "[::1]evil.example",
            "[::1]:80evil",
            "[::1]:",
            "[::1",
            "[127.0.0.1]",
            "[localhost]",
            "localhost:",
            "localhost:80:90",
            "localhost:x",
            "127.0.0.1:123456",
            "::1",
            "",
        ] {
            assert!(!loopback_host(foreign), "{foreign}");
        }
        // No Host, two Hosts, and a Host that is not text.
        let p = Policy {
            allow_remote: false,
        };
        assert!(
            refusal(&p, &Method::GET, &HeaderMap::new())
                .is_some_and(|m| m.contains("exactly one `Host`"))
        );
        let mut two = headers(&[("host", "localhost")]);
        two.append("host", HeaderValue::from_static("evil.example"));
        assert!(refusal(&p, &Method::GET, &two).is_some());
        let mut bytes = HeaderMap::new();
        bytes.insert("host", HeaderValue::from_bytes(b"local\xffhost").unwrap());
        assert!(refusal(&p, &Method::GET, &bytes).is_some_and(|m| m.contains("not plain text")));
    }
}
