//! A resumable member's kept events (docs/protocol.md section 6): numbered in order, the
//! recent ones kept so that a resume can replay what a dead connection swallowed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much a journal keeps: events of the last `window`, at most `events` of them and
/// `bytes` in all.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// The resume window: how long events are kept while she is connected.
    pub window: Duration,
    /// At most this many events.
    pub events: usize,
    /// At most this many bytes of event data.
    pub bytes: usize,
}

/// Anything a journal can keep: it only needs the size.
pub trait Weighed {
    /// The bytes it counts against [`Bounds::bytes`].
    fn size(&self) -> usize;
}

struct Kept<F> {
    seq: u64,
    frame: Arc<F>,
    at: Instant,
}

/// One member's numbered events; `F` is the frame as sent (shared, never copied).
pub struct Journal<F> {
    bounds: Bounds,
    /// The last `seq` given out (0 before the first event).
    last: u64,
    kept: VecDeque<Kept<F>>,
    bytes: usize,
}

/// What a resume gets back: the kept events after the client's `last_seq`, and whether
/// some after it were no longer kept.
pub struct Replay<F> {
    /// The events to send again, in order, each with its `seq`.
    pub events: Vec<(u64, Arc<F>)>,
    /// Some events after `last_seq` were dropped before the resume.
    pub gap: bool,
}

impl<F: Weighed> Journal<F> {
    /// An empty journal: the first event gets `seq` 1.
    pub fn new(bounds: Bounds) -> Self {
        Self {
            bounds,
            last: 0,
            kept: VecDeque::new(),
            bytes: 0,
        }
    }

    /// Numbers and keeps `frame` for a member who is connected: the oldest events, and
    /// any older than the window, make room. Returns its `seq`.
    pub fn keep(&mut self, frame: Arc<F>, now: Instant) -> u64 {
        while let Some(oldest) = self.kept.front()
            && now.duration_since(oldest.at) > self.bounds.window
        {
            self.drop_oldest();
        }
        while !self.kept.is_empty() && !self.fits(frame.size()) {
            self.drop_oldest();
        }
        self.push(frame, now)
    }

    /// Numbers and keeps `frame` for a member who is away: nothing is dropped for it, so it
    /// is refused (`None`) when the journal is full.
    pub fn hold(&mut self, frame: Arc<F>, now: Instant) -> Option<u64> {
        self.fits(frame.size()).then(|| self.push(frame, now))
    }

    /// The kept events after `last_seq`, and whether any after it are no longer kept.
    pub fn since(&self, last_seq: u64) -> Replay<F> {
        let first_kept = self.kept.front().map_or(self.last + 1, |k| k.seq);
        Replay {
            events: self
                .kept
                .iter()
                .filter(|k| k.seq > last_seq)
                .map(|k| (k.seq, k.frame.clone()))
                .collect(),
            gap: last_seq < self.last && first_kept > last_seq + 1,
        }
    }

    fn fits(&self, size: usize) -> bool {
        self.kept.len() < self.bounds.events && self.bytes + size <= self.bounds.bytes
    }

    fn push(&mut self, frame: Arc<F>, at: Instant) -> u64 {
        self.last += 1;
        self.bytes += frame.size();
        self.kept.push_back(Kept {
            seq: self.last,
            frame,
            at,
        });
        self.last
    }

    fn drop_oldest(&mut self) {
        if let Some(oldest) = self.kept.pop_front() {
            self.bytes -= oldest.frame.size();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Weighed for &'static str {
        fn size(&self) -> usize {
            self.len()
        }
    }

    fn bounds(events: usize, bytes: usize) -> Bounds {
        Bounds {
            window: Duration::from_secs(30),
            events,
            bytes,
        }
    }

    fn seqs(replay: &Replay<&'static str>) -> Vec<u64> {
        replay.events.iter().map(|(seq, _)| *seq).collect()
    }

    #[test]
    fn events_are_numbered_from_one_and_replayed_after_the_last_seen() {
        let mut journal = Journal::new(bounds(10, 1000));
        let now = Instant::now();
        for frame in ["a", "b", "c"] {
            journal.keep(Arc::new(frame), now);
        }
        let replay = journal.since(1);
        assert_eq!(seqs(&replay), vec![2, 3]);
        assert_eq!(*replay.events[0].1, "b");
        assert!(!replay.gap);
        assert!(journal.since(3).events.is_empty());
    }

    #[test]
    fn a_full_journal_drops_its_oldest_while_connected_and_reports_the_gap() {
        let mut journal = Journal::new(bounds(2, 1000));
        let now = Instant::now();
        for frame in ["a", "b", "c"] {
            journal.keep(Arc::new(frame), now);
        }
        let replay = journal.since(0);
        assert_eq!(seqs(&replay), vec![2, 3]);
        assert!(replay.gap, "event 1 is gone");
        assert!(!journal.since(1).gap, "everything after 1 is kept");
    }

    #[test]
    fn the_byte_bound_counts_too() {
        let mut journal = Journal::new(bounds(10, 4));
        let now = Instant::now();
        journal.keep(Arc::new("aaa"), now);
        journal.keep(Arc::new("bb"), now);
        assert_eq!(seqs(&journal.since(0)), vec![2]);
        assert_eq!(journal.hold(Arc::new("ccc"), now), None);
        assert_eq!(journal.hold(Arc::new("cc"), now), Some(3));
    }

    #[test]
    fn events_older_than_the_window_go_when_the_next_comes() {
        let mut journal = Journal::new(bounds(10, 1000));
        let start = Instant::now();
        journal.keep(Arc::new("old"), start);
        journal.keep(Arc::new("new"), start + Duration::from_secs(31));
        assert_eq!(seqs(&journal.since(0)), vec![2]);
    }

    #[test]
    fn an_away_member_s_journal_refuses_instead_of_dropping() {
        let mut journal = Journal::new(bounds(2, 1000));
        let now = Instant::now();
        assert_eq!(journal.hold(Arc::new("a"), now), Some(1));
        assert_eq!(journal.hold(Arc::new("b"), now), Some(2));
        assert_eq!(journal.hold(Arc::new("c"), now), None);
        assert_eq!(seqs(&journal.since(0)), vec![1, 2]);
        assert!(!journal.since(0).gap);
    }
}
