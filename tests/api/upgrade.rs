//! Websocket upgrades that the server cannot speak (RFC 6455 section 4.2.2).

use crate::helpers::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `request` on a fresh connection and returns the response head.
async fn raw_response_head(app: &TestApp, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(EVENT_TIMEOUT, stream.read(&mut byte))
            .await
            .expect("a response in time")
            .unwrap();
        assert_eq!(read, 1, "closed before a full response head: {head:?}");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap().to_ascii_lowercase()
}

fn upgrade_request(version: &str) -> String {
    format!(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n\
         Connection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: {version}\r\n\r\n"
    )
}

#[tokio::test]
async fn an_unsupported_websocket_version_gets_426_naming_version_13_and_13_upgrades() {
    let app = spawn_app().await;
    let head = raw_response_head(&app, &upgrade_request("8")).await;
    assert!(head.starts_with("http/1.1 426"), "{head}");
    assert!(head.contains("sec-websocket-version: 13\r\n"), "{head}");
    let head = raw_response_head(&app, &upgrade_request("13")).await;
    assert!(head.starts_with("http/1.1 101"), "{head}");
}
