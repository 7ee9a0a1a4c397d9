use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time, in Unix milliseconds.
///
/// Everything that checks a timestamp window takes a clock, so tests can pin time with
/// [`FixedClock`] instead of sleeping. Any `Fn() -> u64` closure is a clock too.
///
/// ```
/// use humanos_signing::{Clock, FixedClock};
/// assert_eq!(FixedClock(42).now_unix_ms(), 42);
/// let closure = || 7_u64;
/// assert_eq!(closure.now_unix_ms(), 7);
/// ```
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_unix_ms(&self) -> u64;
}

/// The system wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_ms(&self) -> u64 {
        // A clock set before 1970 is treated as the epoch rather than a panic.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that always answers the same instant, for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now_unix_ms(&self) -> u64 {
        self.0
    }
}

impl<F> Clock for F
where
    F: Fn() -> u64 + Send + Sync,
{
    fn now_unix_ms(&self) -> u64 {
        self()
    }
}
