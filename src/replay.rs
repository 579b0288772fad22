//! Single use of a `jti`: what a profile asks the host's `ReplayStore` to remember.

/// `ReplayStore.markUsed(key, expires_at)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// `<scope> <jti>`, joined by one space: the scope (the client id for assertions, the
    /// token's `iss` for webhooks, the `jkt` for DPoP proofs) keeps one party's `jti` from
    /// blocking another's.
    pub key: String,
    /// The first instant (seconds) at which the check that stored the key no longer accepts
    /// the token: a store may forget the key from then on, never before.
    pub expires_at: f64,
}

impl Replay {
    pub fn new(scope: &str, jti: &str, expires_at: f64) -> Replay {
        Replay { key: format!("{scope} {jti}"), expires_at }
    }
}
