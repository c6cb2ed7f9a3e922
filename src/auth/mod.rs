//! Authentication and authorisation: access tokens (JWT, HS256), refresh tokens, password
//! hashing (Argon2id), the [`Principal`] extractor, login throttling and the role [`policy`].
//! The model is written down in `docs/SECURITY.md`.

pub mod credentials;
pub mod extractor;
pub mod password;
pub mod policy;
pub mod principal;
pub mod throttle;
pub mod tokens;

pub use extractor::MaybePrincipal;
pub use principal::Principal;
