//! What the HTTP surfaces (API, admin, pages, dashboard) share: the error they answer, the
//! request authentication and the admin guard.

pub(crate) mod auth;
pub(crate) mod error;
pub(crate) mod guard;
