//! Stops reading a connection while its client's own outgoing queue is full
//! (docs/protocol.md section 6, "Nothing lost"): a client that sends faster than it reads
//! is not read from until it drains, so TCP pushes back on it instead of its replies
//! piling up. The served socket waits at its gate (see `server::stream`); whoever finds
//! the client's queue full holds the gate shut until there is room again. A client given
//! up on (stuck) has its connection cut at the gate: no packet needs to fit in its full
//! queue for that.

use futures_util::task::AtomicWaker;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};

/// One connection's gate: open unless someone holds it. Cloning shares it.
#[derive(Clone, Default)]
pub struct ReadGate(Arc<Gate>);

#[derive(Default)]
struct Gate {
    /// How many [`ReadHold`]s keep it shut.
    holds: AtomicUsize,
    /// The connection's reader, waiting for it to open.
    reader: AtomicWaker,
    /// The connection's writer, waiting for room in the socket.
    writer: AtomicWaker,
    /// The connection was cut: it ends.
    cut: AtomicBool,
}

impl ReadGate {
    /// Shuts the gate until the returned hold (and every other) is dropped.
    #[must_use = "the gate opens again when the hold is dropped"]
    pub fn hold(&self) -> ReadHold {
        self.0.holds.fetch_add(1, Ordering::AcqRel);
        ReadHold(self.clone())
    }

    /// Cuts the connection for good: its reader sees its end, its writer an error.
    pub fn cut(&self) {
        self.0.cut.store(true, Ordering::Release);
        self.0.reader.wake();
        self.0.writer.wake();
    }

    /// Whether the connection was cut.
    pub fn is_cut(&self) -> bool {
        self.0.cut.load(Ordering::Acquire)
    }

    /// Remembers the connection's writer, which waits for room, to wake it if the
    /// connection is cut meanwhile.
    pub fn writer_waits(&self, cx: &mut Context<'_>) {
        self.0.writer.register(cx.waker());
    }

    /// Ready when the connection may be read (or was cut); otherwise its reader is woken
    /// once it may.
    pub fn poll_open(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_open() {
            return Poll::Ready(());
        }
        self.0.reader.register(cx.waker());
        // The last hold may have gone between the check and the registration.
        match self.is_open() {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    }

    fn is_open(&self) -> bool {
        self.0.holds.load(Ordering::Acquire) == 0 || self.is_cut()
    }
}

/// Keeps a [`ReadGate`] shut while it lives.
pub struct ReadHold(ReadGate);

impl Drop for ReadHold {
    fn drop(&mut self) {
        if self.0.0.holds.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.0.reader.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::task::{Wake, Waker};

    #[derive(Default)]
    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_gate_opens_and_wakes_its_reader_when_the_last_hold_goes() {
        let gate = ReadGate::default();
        let woken = Arc::new(Flag::default());
        let waker = Waker::from(woken.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(gate.poll_open(&mut cx).is_ready());

        let first = gate.hold();
        let second = gate.hold();
        assert!(gate.poll_open(&mut cx).is_pending());
        drop(first);
        assert!(!woken.0.load(Ordering::SeqCst), "one hold is left");
        assert!(gate.poll_open(&mut cx).is_pending());
        drop(second);
        assert!(woken.0.load(Ordering::SeqCst));
        assert!(gate.poll_open(&mut cx).is_ready());
    }

    #[test]
    fn a_cut_wakes_the_reader_and_the_writer_even_while_held() {
        let gate = ReadGate::default();
        let (reader, writer) = (Arc::new(Flag::default()), Arc::new(Flag::default()));
        let reader_waker = Waker::from(reader.clone());
        let writer_waker = Waker::from(writer.clone());
        let _held = gate.hold();
        assert!(
            gate.poll_open(&mut Context::from_waker(&reader_waker))
                .is_pending()
        );
        gate.writer_waits(&mut Context::from_waker(&writer_waker));
        gate.cut();
        assert!(reader.0.load(Ordering::SeqCst) && writer.0.load(Ordering::SeqCst));
        assert!(gate.is_cut());
        assert!(
            gate.poll_open(&mut Context::from_waker(&reader_waker))
                .is_ready()
        );
    }
}
