//! One member's chat in `relay`: it sends at the plan's pace until the window ends,
//! counts what comes back, and waits for what is still in flight.

use super::{Pace, Plan, Shared};
use crate::chat::{Composer, read_stamp};
use crate::eio::{self, Packet};
use crate::member::Member;
use crate::report::record_nanos;
use anyhow::Result;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::time::{Instant, MissedTickBehavior};

/// One member's counts.
#[derive(Debug, Default, Clone)]
pub(super) struct Tally {
    pub(super) sent: u64,
    pub(super) sent_in_window: u64,
    pub(super) from_partner: u64,
    pub(super) echoes: u64,
    pub(super) delivered_in_window: u64,
    pub(super) misroutes: u64,
    pub(super) out_of_order: u64,
    pub(super) partner_left: u64,
    pub(super) refused: BTreeMap<String, u64>,
    pub(super) error: Option<String>,
}

/// One member's chat: sends at its pace until the window ends, then waits for what is
/// still in flight. Answers the member (to be closed once everyone is done) and counts.
pub(super) async fn chat(
    mut member: Member,
    room: String,
    plan: Plan,
    shared: Arc<Shared>,
) -> (Option<Member>, Tally) {
    let mut chatter = Chatter::new(&member, &room, plan, shared);
    match chatter.run(&mut member).await {
        Ok(()) => (Some(member), chatter.tally),
        Err(error) => {
            chatter.tally.error = Some(format!("{error:#}"));
            chatter.publish_final_sent();
            (None, chatter.tally)
        }
    }
}

/// A member's sending and receiving state.
struct Chatter {
    me: u32,
    partner: u32,
    composer: Composer,
    plan: Plan,
    shared: Arc<Shared>,
    next_id: u64,
    expected_from_partner: u64,
    published: bool,
    pending_latencies: Vec<u64>,
    pending_lags: Vec<u64>,
    tally: Tally,
}

impl Chatter {
    fn new(member: &Member, room: &str, plan: Plan, shared: Arc<Shared>) -> Self {
        let me = u32::try_from(member.index).expect("member counts fit in u32");
        Self {
            me,
            partner: me ^ 1,
            composer: Composer::new(room, me, plan.size),
            plan,
            shared,
            next_id: 0,
            expected_from_partner: 0,
            published: false,
            pending_latencies: Vec::new(),
            pending_lags: Vec::new(),
            tally: Tally::default(),
        }
    }

    async fn run(&mut self, member: &mut Member) -> Result<()> {
        let plan = self.plan;
        tokio::time::sleep_until(plan.send_start).await;
        let mut ticker = match plan.pace {
            Pace::Closed(window) => {
                for _ in 0..window {
                    self.send(member, Instant::now()).await?;
                }
                member.flush().await?;
                None
            }
            Pace::Open(interval) => {
                // Stagger the clients evenly over one interval.
                let offset = interval.mul_f64(f64::from(self.me) / plan.clients as f64);
                let mut ticker = tokio::time::interval_at(plan.send_start + offset, interval);
                ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
                Some(ticker)
            }
        };
        loop {
            let sending = Instant::now() < plan.window_end;
            if !sending {
                self.publish_final_sent();
                if self.drained() {
                    return Ok(());
                }
            }
            tokio::select! {
                biased;
                // Open loop: a due send goes first and is written at once. Its stamp is
                // the moment it is written, so latency is the server's and the wire's;
                // how far the send fell behind its schedule is counted apart, as lag.
                scheduled = tick(&mut ticker), if sending && ticker.is_some() => {
                    let now = Instant::now();
                    if plan.in_window(now) {
                        self.pending_lags.push(self.plan.nanos(now).saturating_sub(self.plan.nanos(scheduled)));
                    }
                    self.send(member, now).await?;
                    member.flush().await?;
                }
                text = member.recv() => self.receive(member, &text?).await?,
                () = tokio::time::sleep_until(plan.window_end), if sending => {}
                () = tokio::time::sleep_until(plan.drain_end) => return Ok(()),
            }
            for _ in 0..64 {
                let Some(text) = member.try_recv().await? else {
                    break;
                };
                self.receive(member, &text).await?;
            }
            member.flush().await?;
            self.record_latencies();
        }
    }

    async fn send(&mut self, member: &mut Member, stamp: Instant) -> Result<()> {
        let frame = self.composer.frame(self.next_id, self.plan.nanos(stamp));
        self.next_id += 1;
        self.tally.sent += 1;
        if self.plan.in_window(Instant::now()) {
            self.tally.sent_in_window += 1;
        }
        member.feed(frame).await
    }

    async fn receive(&mut self, member: &mut Member, text: &str) -> Result<()> {
        let Packet::Event(event) = eio::parse(text)? else {
            return Ok(());
        };
        match event.name.as_ref() {
            "message" => {
                let Some(stamp) = event.first().and_then(|p| read_stamp(p.get())) else {
                    return Ok(()); // compat notices are plain strings
                };
                let now = Instant::now();
                let in_window = self.plan.in_window(now);
                if stamp.from == self.me {
                    self.tally.echoes += 1;
                    self.tally.delivered_in_window += u64::from(in_window);
                } else if stamp.from == self.partner {
                    self.tally.from_partner += 1;
                    if stamp.id != self.expected_from_partner {
                        self.tally.out_of_order += 1;
                    }
                    self.expected_from_partner = stamp.id + 1;
                    if in_window {
                        self.tally.delivered_in_window += 1;
                        let sent = stamp.t;
                        self.pending_latencies
                            .push(self.plan.nanos(now).saturating_sub(sent));
                    }
                    if matches!(self.plan.pace, Pace::Closed(_)) && now < self.plan.window_end {
                        self.send(member, now).await?;
                    }
                } else {
                    self.tally.misroutes += 1;
                }
            }
            "request_error" => {
                let code = event
                    .first()
                    .and_then(|p| serde_json::from_str::<serde_json::Value>(p.get()).ok())
                    .and_then(|v| v["code"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "unknown".to_owned());
                *self.tally.refused.entry(code).or_insert(0) += 1;
            }
            "partner_left" => self.tally.partner_left += 1,
            _ => {}
        }
        Ok(())
    }

    fn record_latencies(&mut self) {
        for (pending, histogram) in [
            (&mut self.pending_latencies, &self.shared.latencies),
            (&mut self.pending_lags, &self.shared.send_lags),
        ] {
            if pending.is_empty() {
                continue;
            }
            let mut histogram = histogram.lock().expect("no task panicked");
            for nanos in pending.drain(..) {
                record_nanos(&mut histogram, nanos);
            }
        }
    }

    fn publish_final_sent(&mut self) {
        if !self.published {
            self.shared.final_sent[self.me as usize].store(self.tally.sent, Ordering::Release);
            self.published = true;
        }
    }

    /// Everything this member and its partner sent has come back to it.
    fn drained(&self) -> bool {
        let partner_sent = self.shared.final_sent[self.partner as usize].load(Ordering::Acquire);
        partner_sent != u64::MAX
            && self.tally.from_partner >= partner_sent
            && self.tally.echoes >= self.tally.sent
    }
}

/// The next tick of an open-loop ticker (never completes without one).
async fn tick(ticker: &mut Option<tokio::time::Interval>) -> Instant {
    match ticker {
        Some(ticker) => ticker.tick().await,
        None => std::future::pending().await,
    }
}
