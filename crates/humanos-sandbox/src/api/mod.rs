//! The Humanos API handlers (every callable endpoint of the reference).

pub(crate) mod actions;
pub(crate) mod approval;
pub(crate) mod common;
pub(crate) mod credentials;
pub(crate) mod did;
pub(crate) mod intelligence;
pub(crate) mod requests;
pub(crate) mod users;
