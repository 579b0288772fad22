//! The unit tests' deterministic generator (xorshift64), so that a failure reproduces.

/// Successive values of xorshift64 from `seed`.
pub(crate) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// [`xorshift`] reduced below `n` on each call.
pub(crate) fn below(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut next = xorshift(seed);
    move |n| next() % n
}
