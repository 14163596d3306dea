//! One attempt to open a WebSocket: TCP, TLS for `wss://` (rustls, the
//! public roots plus an optional CA file), the handshake with the extra
//! headers.

use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::options::WebSocketOptions;

pub(super) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What every attempt of one source shares.
pub(super) struct Dialer {
    request: Request,
    connector: Connector,
    config: WebSocketConfig,
}

impl Dialer {
    /// Checks the URL, the headers and the CA file; the error says which is wrong.
    pub(super) fn new(options: &WebSocketOptions) -> Result<Self, String> {
        let url = &options.url;
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(format!("url {url:?} must start with ws:// or wss://"));
        }
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| format!("url {url:?}: {e}"))?;
        for (name, value) in &options.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("header name {name:?}: {e}"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| format!("header {name:?}: its value: {e}"))?;
            request.headers_mut().append(header, value);
        }
        let config = WebSocketConfig::default()
            .max_message_size(Some(options.max_message_size))
            .max_frame_size(Some(options.max_message_size));
        Ok(Self {
            request,
            connector: connector(options)?,
            config,
        })
    }

    /// Connects once; the error says why not.
    pub(super) async fn dial(&self) -> Result<Socket, String> {
        let request = clone_request(&self.request);
        let connector = Some(self.connector.clone());
        tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(self.config),
            true,
            connector,
        )
        .await
        .map(|(socket, _response)| socket)
        .map_err(|e| e.to_string())
    }
}

fn clone_request(request: &Request) -> Request {
    let mut copy = Request::new(());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// rustls (ring) with the public roots, and those of `ca_file`.
fn connector(options: &WebSocketOptions) -> Result<Connector, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &options.ca_file {
        let shown = path.display();
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("ca_file {shown}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("ca_file {shown}: {e}"))?;
        if certificates.is_empty() {
            return Err(format!("ca_file {shown} holds no PEM certificate"));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| format!("ca_file {shown}: {e}"))?;
        }
    }
    // ring builds with no C toolchain beyond cc (aws-lc-rs, rustls's
    // default, needs cmake); rustls deprecates its provider only for
    // lacking post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connector::Rustls(Arc::new(config)))
}
