//! Each function checks one behaviour of a fresh, empty store.

use circle::domain::{AccessCode, Description, Group, GroupName, OwnerToken, Prompts, Rules};
use circle::store::{Counted, Counts, GroupStore, StoreError};
use time::{Duration, OffsetDateTime};

fn group(code: &str, created_at: OffsetDateTime, lifetime: Duration) -> Group {
    Group {
        access_code: AccessCode::parse(code).unwrap(),
        name: GroupName::parse("Book club").unwrap(),
        description: Description::parse("We read\ntogether").unwrap(),
        rules: Rules::parse("[\"be kind\"]").unwrap(),
        prompts: Prompts::default(),
        created_at,
        expires_at: created_at + lifetime,
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

pub async fn a_stored_group_is_found_by_its_code(store: &dyn GroupStore) {
    let created = group("ab12cd34ef", now(), Duration::hours(1));
    let owner = OwnerToken::generate(&mut rand::rng());
    store.insert(&created, &owner.hash()).await.unwrap();
    let found = store
        .find(&AccessCode::parse("AB12CD34EF").unwrap(), now())
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.group, created);
    assert!(found.owner.matches(owner.expose()));
    let unknown = AccessCode::parse("zzzzzzzzzz").unwrap();
    assert!(store.find(&unknown, now()).await.unwrap().is_none());
}

pub async fn prompts_are_stored_and_returned_in_order(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let with = Group {
        prompts: Prompts::parse(
            ["Tea or coffee?", "Où as-tu grandi ? 🌍", "\"Quoted\""].into_iter(),
        )
        .unwrap(),
        ..group("aaaaaaaaaa", now(), Duration::hours(1))
    };
    let without = group("bbbbbbbbbb", now(), Duration::hours(1));
    for g in [&with, &without] {
        store.insert(g, &owner).await.unwrap();
        let found = store.find(&g.access_code, now()).await.unwrap().unwrap();
        assert_eq!(found.group.prompts, g.prompts);
    }
    assert_eq!(store.list(now()).await.unwrap(), vec![with, without]);
}

pub async fn a_taken_code_is_refused(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let first = group("ab12cd34ef", now(), Duration::hours(1));
    store.insert(&first, &owner).await.unwrap();
    let again = store.insert(&first, &owner).await;
    assert!(matches!(again, Err(StoreError::CodeTaken)));
}

pub async fn an_expired_group_is_absent_before_it_is_deleted(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let start = now();
    let short = group("ab12cd34ef", start, Duration::seconds(10));
    store.insert(&short, &owner).await.unwrap();
    let later = start + Duration::seconds(10);
    assert!(
        store
            .find(&short.access_code, later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list(later).await.unwrap().is_empty());
    assert!(
        store
            .find(&short.access_code, start)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn the_list_holds_live_groups_oldest_first(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let start = now();
    let older = group(
        "aaaaaaaaaa",
        start - Duration::minutes(5),
        Duration::hours(1),
    );
    let newer = group("bbbbbbbbbb", start, Duration::hours(1));
    let expired = group("cccccccccc", start - Duration::hours(2), Duration::hours(1));
    for g in [&newer, &expired, &older] {
        store.insert(g, &owner).await.unwrap();
    }
    assert_eq!(store.list(start).await.unwrap(), vec![older, newer]);
}

pub async fn a_deleted_group_is_gone(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let g = group("ab12cd34ef", now(), Duration::hours(1));
    store.insert(&g, &owner).await.unwrap();
    assert!(store.delete(&g.access_code).await.unwrap());
    assert!(!store.delete(&g.access_code).await.unwrap());
    assert!(store.find(&g.access_code, now()).await.unwrap().is_none());
}

pub async fn deleting_expired_groups_keeps_live_ones(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let start = now();
    let live = group("aaaaaaaaaa", start, Duration::hours(1));
    let gone = group("bbbbbbbbbb", start - Duration::hours(2), Duration::hours(1));
    store.insert(&live, &owner).await.unwrap();
    store.insert(&gone, &owner).await.unwrap();
    assert_eq!(store.delete_expired(start).await.unwrap(), 1);
    assert_eq!(store.delete_expired(start).await.unwrap(), 0);
    assert!(
        store
            .find(&live.access_code, start)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn counts_add_up_per_group_and_go_with_it(store: &dyn GroupStore) {
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    let (g, other) = (
        group("aaaaaaaaaa", now(), Duration::hours(1)),
        group("bbbbbbbbbb", now(), Duration::hours(1)),
    );
    store.insert(&g, &owner).await.unwrap();
    store.insert(&other, &owner).await.unwrap();
    assert_eq!(
        store.counts(&g.access_code).await.unwrap(),
        Counts::default()
    );

    let mut batch = Counts::of(Counted::Pairing, 2);
    batch.add(Counts::of(Counted::Report, 1));
    store.add_counts(&g.access_code, batch).await.unwrap();
    let removal = Counts::of(Counted::Removal, 1);
    store.add_counts(&g.access_code, removal).await.unwrap();
    store
        .add_counts(&g.access_code, Counts::of(Counted::Pairing, 1))
        .await
        .unwrap();
    let expected = Counts {
        pairs_formed: 3,
        reports: 1,
        removed: 1,
    };
    assert_eq!(store.counts(&g.access_code).await.unwrap(), expected);
    assert_eq!(
        store.counts(&other.access_code).await.unwrap(),
        Counts::default(),
        "another group's counts do not move"
    );

    store.delete(&g.access_code).await.unwrap();
    assert_eq!(
        store.counts(&g.access_code).await.unwrap(),
        Counts::default(),
        "the counts went with the group"
    );
}

pub async fn counts_of_an_unknown_group_are_not_kept(store: &dyn GroupStore) {
    let unknown = AccessCode::parse("zzzzzzzzzz").unwrap();
    store
        .add_counts(&unknown, Counts::of(Counted::Report, 1))
        .await
        .unwrap();
    assert_eq!(store.counts(&unknown).await.unwrap(), Counts::default());
}

pub async fn a_reachable_store_answers_ping(store: &dyn GroupStore) {
    store.ping().await.unwrap();
}

/// Generates one `#[tokio::test]` per contract function for a backend, given an async
/// expression that builds a fresh store and a guard to keep, or `None` to skip.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:expr) => {
        $crate::contract_tests!(@each $fresh;
            a_stored_group_is_found_by_its_code,
            prompts_are_stored_and_returned_in_order,
            a_taken_code_is_refused,
            an_expired_group_is_absent_before_it_is_deleted,
            the_list_holds_live_groups_oldest_first,
            a_deleted_group_is_gone,
            deleting_expired_groups_keeps_live_ones,
            counts_add_up_per_group_and_go_with_it,
            counts_of_an_unknown_group_are_not_kept,
            a_reachable_store_answers_ping,
        );
    };
    (@each $fresh:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some((store, _guard)) = $fresh.await else {
                return;
            };
            $crate::contract::$name(&*store).await;
        }
    )*};
}
