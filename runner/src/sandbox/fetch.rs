//! The fetch binding: applies a runtime's [`FetchPolicy`] to each `fetch()` the sandbox makes
//! and performs allowed requests with reqwest (HTTP/1.1 and HTTPS through rustls + ring).

use std::sync::Arc;
use std::sync::Once;

use reqwest::Url;

use super::ext::FetchRequest;
use super::ext::FetchResponse;
use super::ext::HostError;
use super::options::FetchPolicy;
use super::options::HostFetchRequest;

/// Performs the sandbox's fetches under one policy.
pub(crate) struct Fetcher {
    policy: FetchPolicy,
    allowed: Arc<Vec<String>>,
    follow: Option<reqwest::Client>,
    manual: Option<reqwest::Client>,
    /// For [`FetchPolicy::Virtual`]: the policy for other origins.
    fallback: Option<Box<Fetcher>>,
}

impl Fetcher {
    /// Builds the HTTP clients an allow-list needs; deny-all and handler policies need none.
    pub(crate) fn new(policy: FetchPolicy) -> Result<Self, String> {
        let fallback = match &policy {
            FetchPolicy::Virtual { origins, fallback } => {
                for (o, _) in origins {
                    normalize_origin(o)
                        .ok_or_else(|| format!("`{o}` is not an origin such as http://app.test"))?;
                }
                Some(Box::new(Fetcher::new((**fallback).clone())?))
            }
            _ => None,
        };
        let allowed: Arc<Vec<String>> = Arc::new(match &policy {
            FetchPolicy::AllowOrigins(origins) => origins
                .iter()
                .map(|o| {
                    normalize_origin(o).ok_or_else(|| {
                        format!("`{o}` is not an origin such as http://127.0.0.1:8080")
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        });
        let (follow, manual) = if matches!(policy, FetchPolicy::AllowOrigins(_)) {
            install_crypto_provider();
            let allowed_for_redirects = allowed.clone();
            let follow = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                    let origin = attempt.url().origin().ascii_serialization();
                    if attempt.previous().len() >= 20 {
                        attempt.error("too many redirects (20)")
                    } else if allowed_for_redirects.contains(&origin) {
                        attempt.follow()
                    } else {
                        attempt.error(format!(
                            "redirect to {origin} is not allowed by the fetch policy"
                        ))
                    }
                }))
                .build()
                .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
            let manual = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
            (Some(follow), Some(manual))
        } else {
            (None, None)
        };
        Ok(Self {
            policy,
            allowed,
            follow,
            manual,
            fallback,
        })
    }

    /// Answers one `fetch()`.
    pub(crate) async fn fetch(&self, req: FetchRequest) -> Result<FetchResponse, HostError> {
        let url = Url::parse(&req.url)
            .map_err(|e| HostError::Type(format!("invalid URL `{}`: {e}", req.url)))?;
        let origin = url.origin().ascii_serialization();
        match &self.policy {
            FetchPolicy::DenyAll => Err(denied(&origin, "the host allows no network access")),
            FetchPolicy::Handler(handler) => {
                let res = handler(HostFetchRequest {
                    url: req.url.clone(),
                    method: req.method,
                    headers: req.headers,
                    body: req.body,
                })
                .await
                .map_err(HostError::Type)?;
                Ok(FetchResponse {
                    status: res.status,
                    status_text: reason(res.status),
                    url: req.url,
                    headers: res.headers,
                    body: res.body,
                    redirected: false,
                })
            }
            FetchPolicy::Virtual { origins, .. } => {
                let handler = origins
                    .iter()
                    .find(|(o, _)| normalize_origin(o).as_deref() == Some(origin.as_str()))
                    .map(|(_, h)| h.clone());
                match (handler, &self.fallback) {
                    (Some(handler), _) => fetch_virtual(&handler, req).await,
                    (None, Some(fallback)) => Box::pin(fallback.fetch(req)).await,
                    (None, None) => Err(denied(&origin, "the host allows no network access")),
                }
            }
            FetchPolicy::AllowOrigins(_) => {
                if !matches!(url.scheme(), "http" | "https") || !self.allowed.contains(&origin) {
                    return Err(denied(&origin, "it is not in the allow-list"));
                }
                self.send(url, req).await
            }
        }
    }

    async fn send(&self, url: Url, req: FetchRequest) -> Result<FetchResponse, HostError> {
        let client = if req.redirect == "follow" {
            &self.follow
        } else {
            &self.manual
        };
        let Some(client) = client else {
            return Err(HostError::Type("fetch failed: no HTTP client".into()));
        };
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| HostError::Type(format!("'{}' is not a valid HTTP method", req.method)))?;
        let mut builder = client.request(method, url.clone());
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        let res = builder.send().await.map_err(|e| {
            let mut msg = format!("fetch failed for {url}: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            HostError::Type(msg)
        })?;
        let status = res.status();
        if req.redirect == "error" && status.is_redirection() {
            return Err(HostError::Type(format!(
                "fetch failed for {url}: redirect mode is 'error' and the server redirected"
            )));
        }
        let final_url = res.url().to_string();
        let headers = super::header_pairs(res.headers());
        let body = res
            .bytes()
            .await
            .map_err(|e| HostError::Type(format!("fetch failed reading the body of {url}: {e}")))?;
        Ok(FetchResponse {
            status: status.as_u16(),
            status_text: status.canonical_reason().unwrap_or("").to_string(),
            redirected: final_url != url.as_str(),
            url: final_url,
            headers,
            body: body.to_vec(),
        })
    }
}

/// A fetch answered by a host handler; redirects within the handler's origin are followed
/// (as a `GET`, as browsers do after 301/302/303) unless the request says otherwise.
async fn fetch_virtual(
    handler: &super::options::FetchHandler,
    req: FetchRequest,
) -> Result<FetchResponse, HostError> {
    let start = req.url.clone();
    let mut url = req.url.clone();
    let mut method = req.method.clone();
    let mut body = req.body.clone();
    for _ in 0..20 {
        let res = handler(HostFetchRequest {
            url: url.clone(),
            method: method.clone(),
            headers: req.headers.clone(),
            body: body.clone(),
        })
        .await
        .map_err(HostError::Type)?;
        let location = res
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone());
        let redirect = (300..400).contains(&res.status) && res.status != 304;
        if redirect && req.redirect == "error" {
            return Err(HostError::Type(format!(
                "fetch failed for {url}: redirect mode is 'error' and the server redirected"
            )));
        }
        let next = location
            .filter(|_| redirect && req.redirect == "follow")
            .and_then(|l| Url::parse(&url).ok()?.join(&l).ok())
            .filter(|next| Url::parse(&url).is_ok_and(|cur| cur.origin() == next.origin()));
        match next {
            Some(next) => {
                if res.status != 307 && res.status != 308 {
                    method = "GET".into();
                    body = None;
                }
                url = next.to_string();
            }
            None => {
                return Ok(FetchResponse {
                    status: res.status,
                    status_text: reason(res.status),
                    redirected: url != start,
                    url,
                    headers: res.headers,
                    body: res.body,
                });
            }
        }
    }
    Err(HostError::Type(format!(
        "fetch failed for {start}: too many redirects (20)"
    )))
}

fn denied(origin: &str, why: &str) -> HostError {
    HostError::Type(format!(
        "fetch is not allowed for origin {origin}: {why}. Allow it with `--allow-net {origin}` (or FetchPolicy::AllowOrigins in the library)"
    ))
}

fn reason(status: u16) -> String {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_string()
}

/// `http://Host:80/x` → `http://host`; `None` for anything that is not an http(s) origin.
pub(crate) fn normalize_origin(origin: &str) -> Option<String> {
    let url = Url::parse(origin).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another part of the process may have installed one already; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_normalise() {
        assert_eq!(
            normalize_origin("http://LOCALHOST:80/x").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(
            normalize_origin("https://a.b:8443").as_deref(),
            Some("https://a.b:8443")
        );
        assert_eq!(normalize_origin("file:///etc"), None);
        assert_eq!(normalize_origin("nonsense"), None);
    }
}
