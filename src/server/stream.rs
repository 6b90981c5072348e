//! A served connection's socket, with what must live exactly as long as it: its place
//! under the connection cap, the clock its reads are reported to, and the gate that stops
//! its reads while its client's queue is full. After a websocket upgrade the socket moves
//! into the websocket, and all of them go with it.

use super::request_clock::RequestClock;
use crate::read_gate::ReadGate;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

/// A TCP stream that reports received bytes to its [`RequestClock`], is read only while
/// its [`ReadGate`] is open, and holds its connection permit.
pub(super) struct ServedStream {
    stream: TcpStream,
    clock: Arc<RequestClock>,
    gate: ReadGate,
    _permit: OwnedSemaphorePermit,
}

impl ServedStream {
    pub(super) fn new(
        stream: TcpStream,
        clock: Arc<RequestClock>,
        gate: ReadGate,
        permit: OwnedSemaphorePermit,
    ) -> Self {
        Self {
            stream,
            clock,
            gate,
            _permit: permit,
        }
    }
}

impl AsyncRead for ServedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.gate.poll_open(cx).is_pending() {
            return Poll::Pending;
        }
        if self.gate.is_cut() {
            return Poll::Ready(Ok(())); // the end of the stream
        }
        let filled = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > filled {
            self.clock.bytes_received();
        }
        polled
    }
}

impl ServedStream {
    /// A write to a cut connection fails; one that waits for room is woken by a cut too.
    fn after_write(
        &self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        if written.is_pending() {
            self.gate.writer_waits(cx);
        }
        if self.gate.is_cut() {
            let cut = io::Error::new(io::ErrorKind::ConnectionAborted, "connection cut");
            return Poll::Ready(Err(cut));
        }
        written
    }
}

impl AsyncWrite for ServedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.after_write(cx, written)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.after_write(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
