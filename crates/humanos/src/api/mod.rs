//! The endpoint groups, named as in the official SDK.
//!
//! Every method takes its required inputs as arguments, using the models crate's types (path
//! parameters as `&str`, bodies as `*Dto`, query filters as `*Query`: pass `*Query::new()` for
//! no filter), and returns a [`Call`](crate::Call) to await, optionally after per-call overrides
//! (`.api_version(..)`, `.timeout(..)`, `.retry(..)`, `.idempotency_key(..)`).

mod actions;
mod approval;
mod credentials;
mod did;
mod intelligence;
mod requests;
mod users;

pub use actions::ActionsHandler;
pub use approval::ApprovalHandler;
pub use credentials::{CredentialsHandler, EvidenceFile, Verdict};
pub use did::DidHandler;
pub use intelligence::IntelligenceHandler;
pub use requests::RequestsHandler;
pub use users::UsersHandler;

/// Implements the handler boilerplate: a borrowed client and a `new`.
macro_rules! handler {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'c> {
            client: &'c crate::HumanosClient,
        }

        impl<'c> $name<'c> {
            pub(crate) fn new(client: &'c crate::HumanosClient) -> Self {
                Self { client }
            }
        }
    };
}
pub(crate) use handler;
