//! Single use of a `jti`: what a profile asks the host's `ReplayStore` to remember.

/// `ReplayStore.markUsed(key, expires_at)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// `<scope> <jti>`, joined by one space: the scope (the client id for assertions, the
    /// token's `iss` for webhooks, the `jkt` for DPoP proofs) keeps one party's `jti` from
    /// blocking another's. A scope's `%` and spaces are written `%25` and `%20`, so the first
    /// space always ends the scope (else issuer `a b` with jti `c` and issuer `a` with jti
    /// `b c` would share a key); every other scope is written as it is.
    pub key: String,
    /// The first instant (seconds) at which the check that stored the key no longer accepts
    /// the token: a store may forget the key from then on, never before. Always a finite
    /// number: a bound that overflows (options such as `maxAge: 1e308`) is `f64::MAX`, which
    /// JSON can carry (infinity would reach `markUsed` as `null`).
    pub expires_at: f64,
    /// The instant (seconds) the check ran at, its "now" (`currentDate`, else the host clock):
    /// the clock `expires_at` is counted in. The in-memory `ReplayCache` without a `clock` of
    /// its own runs on it, so a key stored by a check at a `currentDate` in the past is still
    /// there for the next such check (on the host clock it would already have expired).
    pub checked_at: f64,
}

impl Replay {
    pub fn new(scope: &str, jti: &str, expires_at: f64, checked_at: f64) -> Replay {
        let mut key = String::with_capacity(scope.len() + 1 + jti.len());
        for c in scope.chars() {
            match c {
                '%' => key.push_str("%25"),
                ' ' => key.push_str("%20"),
                c => key.push(c),
            }
        }
        key.push(' ');
        key.push_str(jti);
        Replay { key, expires_at: expires_at.min(f64::MAX), checked_at }
    }
}

#[cfg(test)]
mod tests {
    use super::Replay;

    #[test]
    fn a_key_names_one_scope_and_one_jti() {
        let pieces = ["", " ", "a", "b", "a b", "%", "%20", "%25", "a%20b", "  ", "x y z", "\u{e9}"];
        let mut seen = std::collections::HashMap::new();
        for scope in pieces {
            for jti in pieces {
                let key = Replay::new(scope, jti, 0.0, 0.0).key;
                if let Some(other) = seen.insert(key.clone(), (scope, jti)) {
                    panic!("{other:?} and {:?} share the key {key:?}", (scope, jti));
                }
            }
        }
        // Scopes without '%' or a space are written as they are.
        assert_eq!(Replay::new("client-1", "j 1", 0.0, 0.0).key, "client-1 j 1");
        assert_eq!(Replay::new("https://issuer.example/t/1", "j", 0.0, 0.0).key, "https://issuer.example/t/1 j");
        assert_eq!(Replay::new("a b", "c", 0.0, 0.0).key, "a%20b c");
    }

    #[test]
    fn expires_at_is_always_finite() {
        assert_eq!(Replay::new("s", "j", f64::INFINITY, 0.0).expires_at, f64::MAX);
        assert_eq!(Replay::new("s", "j", 1_700_000_301.0, 0.0).expires_at, 1_700_000_301.0);
        assert_eq!(Replay::new("s", "j", f64::MAX, 0.0).expires_at, f64::MAX);
    }
}
