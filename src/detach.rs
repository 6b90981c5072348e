//! Copies a request's URI and header values out of hyper's read buffer.
//!
//! hyper parses a request head without copying: the URI and every header value are
//! slices of the connection's read buffer, and they keep that whole buffer (up to
//! 8 KiB, see `HTTP_READ_BUFFER` in `server`) alive for as long as they live. Socket.IO
//! keeps each socket's request head for the socket's whole life, so without a copy every
//! idle websocket holds a read buffer it will never use again. The copy costs a few
//! hundred bytes once per request.

use axum::http::{HeaderMap, HeaderValue, Request, Uri};

/// Answers `request` with its URI and header values in allocations of their own.
pub fn detach_from_read_buffer<B>(request: Request<B>) -> Request<B> {
    let (mut head, body) = request.into_parts();
    head.uri = copy_uri(&head.uri);
    head.headers = copy_headers(&head.headers);
    Request::from_parts(head, body)
}

// What parsed once parses again; should a copy ever be refused, the original is kept
// (it only costs the buffer), never a panic.

fn copy_uri(uri: &Uri) -> Uri {
    Uri::try_from(uri.to_string()).unwrap_or_else(|_| uri.clone())
}

fn copy_headers(headers: &HeaderMap) -> HeaderMap {
    let mut copy = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let owned = match HeaderValue::from_bytes(value.as_bytes()) {
            Ok(mut owned) => {
                owned.set_sensitive(value.is_sensitive());
                owned
            }
            Err(_) => value.clone(),
        };
        copy.append(name.clone(), owned);
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    /// A request whose URI and header values are slices of one shared buffer, the way
    /// hyper builds them.
    fn request_sharing(buffer: &Bytes) -> Request<()> {
        let text = std::str::from_utf8(buffer).unwrap();
        let uri_end = text.find(' ').unwrap();
        let value_start = uri_end + 1;
        let uri = Uri::from_maybe_shared(buffer.slice(..uri_end)).unwrap();
        let mut request = Request::builder().uri(uri).body(()).unwrap();
        for name in ["host", "cookie", "cookie"] {
            let value = HeaderValue::from_maybe_shared(buffer.slice(value_start..)).unwrap();
            request.headers_mut().append(name, value);
        }
        request
    }

    fn points_into(buffer: &Bytes, bytes: &[u8]) -> bool {
        let range = buffer.as_ptr_range();
        range.contains(&bytes.as_ptr())
    }

    #[test]
    fn nothing_points_into_the_read_buffer_afterwards() {
        let buffer = Bytes::from_static(b"/socket.io/?EIO=4&transport=websocket example.org");
        let request = request_sharing(&buffer);
        assert!(points_into(&buffer, request.uri().path().as_bytes()));

        let detached = detach_from_read_buffer(request);
        assert!(!points_into(&buffer, detached.uri().path().as_bytes()));
        for value in detached.headers().values() {
            assert!(!points_into(&buffer, value.as_bytes()));
        }
    }

    #[test]
    fn uri_and_headers_are_unchanged() {
        let buffer = Bytes::from_static(b"/socket.io/?EIO=3&transport=polling a=1; b=2");
        let request = request_sharing(&buffer);
        let (uri, headers) = (request.uri().clone(), request.headers().clone());

        let detached = detach_from_read_buffer(request);
        assert_eq!(detached.uri(), &uri);
        assert_eq!(detached.headers(), &headers);
        assert_eq!(detached.headers().get_all("cookie").iter().count(), 2);
    }

    #[test]
    fn sensitive_values_stay_sensitive() {
        let mut request = Request::new(());
        let mut token = HeaderValue::from_static("Bearer secret");
        token.set_sensitive(true);
        request.headers_mut().insert("authorization", token);

        let detached = detach_from_read_buffer(request);
        assert!(detached.headers()["authorization"].is_sensitive());
    }
}
