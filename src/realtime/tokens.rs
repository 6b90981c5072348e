//! One node's resume tokens: each live token names its member's [`Identity`] in memory
//! (the Redis backend keeps them in Redis instead, for every node).

use super::Presence;
use super::context::Identity;
use crate::domain::ResumeToken;
use dashmap::DashMap;
use std::sync::Arc;

/// The live resume tokens of this node's resumable members; a token is in here once.
pub struct Tokens<P: Presence> {
    by_token: DashMap<ResumeToken, Arc<Identity<P>>>,
}

impl<P: Presence> Default for Tokens<P> {
    fn default() -> Self {
        Self {
            by_token: DashMap::new(),
        }
    }
}

impl<P: Presence> Tokens<P> {
    /// Hands `identity` a fresh token; her previous one is dead.
    pub fn issue(&self, identity: &Arc<Identity<P>>) -> ResumeToken {
        let token = ResumeToken::generate(&mut rand::rng());
        if let Some(old) = identity.token.lock().replace(token.clone()) {
            self.by_token.remove(&old);
        }
        self.by_token.insert(token.clone(), identity.clone());
        token
    }

    /// The member `token` names; the token is used up.
    pub fn redeem(&self, token: &str) -> Option<Arc<Identity<P>>> {
        let (used, identity) = self.by_token.remove(token)?;
        let mut current = identity.token.lock();
        if current.as_ref() == Some(&used) {
            *current = None;
        }
        drop(current);
        Some(identity)
    }

    /// Her token dies with her place.
    pub fn revoke(&self, identity: &Identity<P>) {
        if let Some(token) = identity.token.lock().take() {
            self.by_token.remove(&token);
        }
    }
}
