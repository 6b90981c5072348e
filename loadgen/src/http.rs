//! The one HTTP call the load needs: `POST /groups`. It is a plain HTTP/1.0 request
//! (the answer then ends with the connection, never chunked), so no HTTP client is needed.

use crate::target::Target;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Creates a group and answers its access code.
pub async fn create_group(target: &Target, name: &str, description: &str) -> Result<String> {
    let body = serde_json::json!({ "name": name, "description": description }).to_string();
    let request = format!(
        "POST /groups HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        target.authority,
        body.len()
    );
    let mut stream = TcpStream::connect(target.addr)
        .await
        .with_context(|| format!("connecting to {}", target.addr))?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let answer = String::from_utf8(answer).context("answer is not UTF-8")?;
    let (status, body) = split_response(&answer)?;
    if status != 201 {
        bail!("POST /groups answered {status}: {body}");
    }
    access_code(body)
}

/// Splits a raw HTTP response into its status code and body.
pub fn split_response(answer: &str) -> Result<(u16, &str)> {
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .context("HTTP answer without a header end")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .context("HTTP answer without a status")?;
    Ok((status, body))
}

/// Reads `access_code` out of a created group's JSON.
pub fn access_code(body: &str) -> Result<String> {
    #[derive(Deserialize)]
    struct Created {
        access_code: String,
    }
    let created: Created =
        serde_json::from_str(body).with_context(|| format!("unexpected group JSON: {body}"))?;
    Ok(created.access_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_created_group() {
        let answer = "HTTP/1.0 201 Created\r\ncontent-type: application/json\r\n\r\n\
                      {\"name\":\"load\",\"access_code\":\"abcde12345\",\"owner_token\":\"t\"}";
        let (status, body) = split_response(answer).unwrap();
        assert_eq!(status, 201);
        assert_eq!(access_code(body).unwrap(), "abcde12345");
    }

    #[test]
    fn rejects_broken_answers() {
        assert!(split_response("HTTP/1.0 201 Created\r\n").is_err());
        assert!(split_response("garbage\r\n\r\n").is_err());
        assert!(access_code("{}").is_err());
    }
}
