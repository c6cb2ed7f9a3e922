//! What a signed access token is checked against: the user as stored now. A token is refused
//! (401 `invalid_token`) when its user no longer exists, has been deactivated, now has another
//! role or organisation, or changed their password after the token was issued.
//!
//! The check runs on every authenticated request, in the extractor. Admin tokens are looked up
//! every time (an admin action is refused at once); other users' state is remembered for
//! `TECHMATCH_AUTH_CACHE_TTL_MS` (5 s by default) per instance, so a change reaches every
//! replica within that time. A password change made through this instance forgets the entry at
//! once. The lookup takes a pooled connection only for its one query, off the async executor.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::principal::Principal;
use crate::db::schema::{organizations, users};
use crate::db::{self, PgPool};
use crate::error::ApiError;
use crate::vocab::{OrganizationKind, Role};

/// Entries kept before expired ones are purged.
const PURGE_ABOVE_ENTRIES: usize = 10_000;

/// A user's standing as stored: what a token's claims must still agree with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub organization_id: Uuid,
    pub org_kind: OrganizationKind,
    pub role: Role,
    /// When the password was last changed (`None`: never since the account was created).
    pub password_changed_at: Option<DateTime<Utc>>,
    /// Whether an operator has deactivated the account.
    pub deactivated: bool,
}

impl Credentials {
    /// The principal a token issued now for `user_id` names.
    pub fn principal(&self, user_id: Uuid) -> Principal {
        Principal {
            user_id,
            organization_id: self.organization_id,
            org_kind: self.org_kind,
            role: self.role,
            client: None,
        }
    }
}

type Row = (Uuid, OrganizationKind, Role, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The standing of user `user_id`, `None` when there is no such user.
pub fn load(conn: &mut PgConnection, user_id: Uuid) -> Result<Option<Credentials>, ApiError> {
    let row: Option<Row> = users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(user_id))
        .select((
            users::organization_id,
            organizations::kind,
            users::role,
            users::password_changed_at,
            users::deactivated_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(organization_id, org_kind, role, password_changed_at, deactivated_at)| Credentials {
        organization_id,
        org_kind,
        role,
        password_changed_at,
        deactivated: deactivated_at.is_some(),
    }))
}

/// The least `iat` (whole seconds) a token must carry to postdate a password change at
/// `changed_at`: the second after the change's own second begins. A token issued earlier in
/// the same second as the change cannot be told apart from one issued later by its `iat`
/// alone, so both fall on the refused side, and tokens issued after a change carry this
/// value at least (see [`super::tokens::TokenService::issue_access`]).
pub fn earliest_valid_iat(changed_at: DateTime<Utc>) -> i64 {
    let secs = changed_at.timestamp();
    if changed_at.timestamp_subsec_nanos() == 0 {
        secs
    } else {
        secs + 1
    }
}

/// Why a token for `principal` issued at `iat` no longer stands, or `None` when it does.
pub fn refusal(principal: &Principal, iat: i64, stored: Option<&Credentials>) -> Option<&'static str> {
    let Some(stored) = stored else { return Some("the token's user no longer exists") };
    if stored.deactivated {
        return Some("the account is deactivated");
    }
    if stored.role != principal.role
        || stored.organization_id != principal.organization_id
        || stored.org_kind != principal.org_kind
    {
        return Some("the account's role or organisation has changed; sign in again");
    }
    if stored.password_changed_at.is_some_and(|at| iat < earliest_valid_iat(at)) {
        return Some("the password was changed after this token was issued; sign in again");
    }
    None
}

/// The per-instance memory of users' standing (see the module documentation).
pub struct CredentialCache {
    ttl: Duration,
    entries: Mutex<HashMap<Uuid, (Instant, Option<Credentials>)>>,
}

impl CredentialCache {
    /// Remembers each user's standing for `ttl` (zero: looks it up on every request).
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, (Instant, Option<Credentials>)>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached(&self, user_id: Uuid) -> Option<Option<Credentials>> {
        let entries = self.entries();
        let (at, stored) = entries.get(&user_id)?;
        (at.elapsed() < self.ttl).then(|| stored.clone())
    }

    fn remember(&self, user_id: Uuid, stored: Option<Credentials>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= PURGE_ABOVE_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= PURGE_ABOVE_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(user_id, (Instant::now(), stored));
    }

    /// Forgets what is remembered of `user_id` (after a change to the account on this instance).
    pub fn forget(&self, user_id: Uuid) {
        self.entries().remove(&user_id);
    }

    /// 401 `invalid_token` unless the token of `principal`, issued at `iat`, still stands.
    /// Admin tokens are always checked against the database.
    pub async fn check(&self, pool: &PgPool, principal: &Principal, iat: i64) -> Result<(), ApiError> {
        let remembered = if principal.is_admin() { None } else { self.cached(principal.user_id) };
        let stored = match remembered {
            Some(stored) => stored,
            None => {
                let user_id = principal.user_id;
                let stored = db::run(pool, move |conn| load(conn, user_id)).await?;
                self.remember(user_id, stored.clone());
                stored
            }
        };
        match refusal(principal, iat, stored.as_ref()) {
            None => Ok(()),
            Some(reason) => {
                tracing::info!(user_id = %principal.user_id, reason, "access token refused");
                Err(ApiError::invalid_token(reason))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn standing(p: &Principal) -> Credentials {
        Credentials {
            organization_id: p.organization_id,
            org_kind: p.org_kind,
            role: p.role,
            password_changed_at: None,
            deactivated: false,
        }
    }

    #[test]
    fn a_token_stands_only_while_its_user_does() {
        let p = Principal {
            user_id: Uuid::new_v4(),
            organization_id: Uuid::new_v4(),
            org_kind: OrganizationKind::Enterprise,
            role: Role::Member,
            client: None,
        };
        let ok = standing(&p);
        assert_eq!(refusal(&p, 100, Some(&ok)), None);
        assert!(refusal(&p, 100, None).is_some());
        assert!(refusal(&p, 100, Some(&Credentials { deactivated: true, ..ok.clone() })).is_some());
        assert!(refusal(&p, 100, Some(&Credentials { role: Role::Admin, ..ok.clone() })).is_some());
        assert!(refusal(&p, 100, Some(&Credentials { organization_id: Uuid::new_v4(), ..ok.clone() })).is_some());

        // A change at 100.5 s: tokens of second 100 (before or after it) are refused, 101 stands.
        let changed = Utc.timestamp_opt(100, 500_000_000).unwrap();
        let after = Credentials { password_changed_at: Some(changed), ..ok.clone() };
        assert!(refusal(&p, 99, Some(&after)).is_some());
        assert!(refusal(&p, 100, Some(&after)).is_some());
        assert_eq!(refusal(&p, 101, Some(&after)), None);
        assert_eq!(earliest_valid_iat(changed), 101);
        // A change exactly on a second's boundary: tokens of that second postdate it.
        assert_eq!(earliest_valid_iat(Utc.timestamp_opt(100, 0).unwrap()), 100);
    }
}
