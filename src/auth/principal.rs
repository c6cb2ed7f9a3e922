//! Who is calling. A plain value that services and filters take; the HTTP extractor that makes
//! one from a bearer token lives in [`super::extractor`].

use std::net::IpAddr;

use uuid::Uuid;

use crate::vocab::{OrganizationKind, Role};

/// Who is calling: a user acting for one organisation with one role, from an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub org_kind: OrganizationKind,
    pub role: Role,
    /// The client's address (through trusted proxies only), set by the bearer-token extractor;
    /// the audit log records it. `None` outside a request.
    pub client: Option<IpAddr>,
}

impl Principal {
    /// True for department administrators.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Put in the request's extensions by the bearer-token extractor once a caller is
/// authenticated, so the access log names the user.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn(pub Uuid);
