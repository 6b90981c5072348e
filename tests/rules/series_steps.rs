//! A series' steps on Redis are applied once (docs/protocol.md section 8): each step
//! compares the stored series with the one it was planned from, so a second driver with
//! the same plan (or an old one) changes nothing; and one node at a time drives a series,
//! the one holding its lease (`Keys::series` names the `:lease` suffix).

use crate::executors::{Executor, choice, group, redis_nodes};
use circle::domain::{MemberId, RoomId};
use circle::matchmaking::rounds::RoundPlan;
use circle::matchmaking::{RoundDraws, Whereabouts};
use circle::realtime::rounds::AlreadyRunning;
use circle::series::{RoundSettings, Series, Step};

fn settings() -> RoundSettings {
    RoundSettings::new(60, 10, 3).unwrap()
}

#[tokio::test]
async fn a_step_is_applied_once_however_many_drivers_try_it() {
    let (a, b, _prefix) = redis_nodes().await;
    let g = group(0);
    let [x, y] = ["x", "y"].map(MemberId::from_wire);
    a.join(&x, &g, &choice("r1", 0)).await;
    b.join(&y, &g, &choice("r2", 0)).await;
    let plan = RoundPlan {
        pairs: vec![(x.clone(), y.clone())],
        byes: vec![],
    };
    let draws = RoundDraws {
        rooms: vec![RoomId::from_wire("s1")],
        choices: vec![choice("w1", 0), choice("w2", 0)],
    };
    let first = Series::start(settings(), 0);
    let started = a.rules.start_round(&g, None, &first, &plan, &draws);
    assert!(started.await.unwrap().unwrap().is_some());
    let again = b.rules.start_round(&g, None, &first, &plan, &draws);
    assert_eq!(again.await.unwrap().err(), Some(AlreadyRunning));

    let warned = first.advance(Step::Warn { round: 1 }, 0);
    let warn = Step::Warn { round: 1 };
    let (one, two) = tokio::join!(
        a.rules.end_round(&g, &first, &warned, warn),
        b.rules.end_round(&g, &first, &warned, warn)
    );
    let applied = [one.unwrap().is_some(), two.unwrap().is_some()];
    assert_eq!(
        applied.iter().filter(|done| **done).count(),
        1,
        "{applied:?}"
    );

    // A round start planned from the series before the warning is not applied.
    let second = first.advance(Step::Start { round: 2 }, 0);
    let moved = RoundDraws {
        rooms: vec![RoomId::from_wire("s2")],
        ..draws
    };
    let stale = b
        .rules
        .start_round(&g, Some(&first), &second, &plan, &moved);
    assert!(stale.await.unwrap().unwrap().is_none());
    assert_eq!(
        a.whereabouts(&x).await,
        Whereabouts::Room(RoomId::from_wire("s1")),
        "nobody moved"
    );
    let stored = a.rules.series(&g.access_code).await.unwrap();
    assert_eq!(stored, Some(warned));
}

#[tokio::test]
async fn the_node_that_starts_a_series_drives_it_until_its_lease_lapses_then_another_does() {
    let (a, b, _prefix) = redis_nodes().await;
    let g = group(0);
    let plan = RoundPlan {
        pairs: vec![],
        byes: vec![],
    };
    let draws = RoundDraws {
        rooms: vec![],
        choices: vec![],
    };
    let first = Series::start(settings(), 0);
    let started = a.rules.start_round(&g, None, &first, &plan, &draws);
    assert!(started.await.unwrap().unwrap().is_some());
    let driven = |node: &crate::executors::Node| {
        let rules = node.rules.clone();
        async move {
            let driven = rules.driven().await.unwrap();
            let keys = rules.keys();
            driven
                .iter()
                .map(|d| (d.series.clone(), keys.cipher().open(&d.sealed_code)))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        driven(&a).await,
        [(first.clone(), Some(g.access_code.clone()))]
    );
    assert_eq!(driven(&b).await, [], "a renews its lease");
    assert_eq!(driven(&a).await.len(), 1);

    // Its node died: the lease lapses (as after the member TTL).
    let keys = a.rules.keys();
    let lease = format!("{}:lease", keys.series(&keys.fingerprint(&g.access_code)));
    redis::cmd("DEL")
        .arg(lease)
        .query_async::<usize>(&mut a.rules.connection())
        .await
        .unwrap();
    assert_eq!(
        driven(&b).await,
        [(first.clone(), Some(g.access_code.clone()))]
    );
    assert_eq!(driven(&a).await, [], "b holds it now");

    let step = Step::Finish { round: 1 };
    let finished = first.advance(step, 0);
    let done = b.rules.end_round(&g, &first, &finished, step);
    assert!(done.await.unwrap().is_some());
    assert_eq!(driven(&b).await, [], "a finished series has no driver");
}
