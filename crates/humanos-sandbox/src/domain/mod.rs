//! The sandbox's domain: what deciding, issuing, presenting, verifying, revoking and emitting
//! a webhook do to the stored records, independent of the HTTP surfaces above it. Every
//! operation takes the [`Context`](crate::context::Context) and answers a
//! [`DomainError`](error::DomainError) on failure; `http::error` maps those to the service's
//! answers.

pub(crate) mod actions;
pub(crate) mod credentials;
pub(crate) mod decision;
pub(crate) mod entities;
pub(crate) mod error;
pub(crate) mod load;
pub(crate) mod mandate;
pub(crate) mod webhooks;
