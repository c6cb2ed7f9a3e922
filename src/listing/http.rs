//! The request flow shared by `/api/v1/supplies` and `/api/v1/demands`. Each kind's handlers
//! (which carry the OpenAPI annotations) check what differs, such as who may publish and the
//! body, and hand over to these. Every answer carries the listing's `ETag`; the owner's members
//! and admins also get its completeness report and last review decision ([`view::Detail`]).
//! The lifecycle ([`lifecycle`]) decides the status a create or an update lands in, with "now"
//! from the state's clock.

use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use super::events;
use super::expiry;
use super::kind::{what, Listing};
use super::lifecycle::{self, Lifecycle, Refused, Request};
use super::review::{self, Decision};
use super::shown::Shown;
use super::store::{self, ListingStore};
use super::view::{self, Detail};
use crate::accounts::verification;
use crate::audit::{self, Entry};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::connections::idempotency;
use crate::db;
use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::etag::{etag, not_modified};
use crate::quota;
use crate::state::AppState;
use crate::vocab::{AuditAction, Vocabulary};

/// Records `caller`'s change of a listing from `before` (as JSON) to `after` in the audit log:
/// `listing_status_changed` when the status moved, `listing_updated` otherwise.
fn record_change_json<L: Listing>(
    conn: &mut diesel::PgConnection,
    caller: &Principal,
    before: &serde_json::Value,
    after: &L,
) -> Result<(), ApiError> {
    let changes = audit::changes(before, after);
    let action =
        if changes.get("status").is_some() { AuditAction::ListingStatusChanged } else { AuditAction::ListingUpdated };
    let entry = Entry::by(caller, action, events::audit_record_type::<L>(), after.id(), after.organization_id())
        .with_changes(changes);
    audit::record(conn, &entry)
}

/// `response` with the listing (as `caller` sees it, with its organisation's summary) as JSON and
/// its `ETag`.
fn with_etag<L: Listing>(mut response: HttpResponseBuilder, detail: &Detail<Shown<L>>) -> HttpResponse {
    response.insert_header(etag(detail.listing.listing.version())).json(detail)
}

/// 409 `illegal_transition` for a status the body asked for that the lifecycle does not allow.
fn illegal<S: Vocabulary>(refused: Refused<S>) -> ApiError {
    let detail = format!("a listing that is `{}` cannot be made `{}`", refused.from, refused.to);
    ApiError::illegal_transition(refused.from, refused.to, refused.allowed, detail)
}

/// Which statuses count against `open_listings`: on the market or waiting for review.
fn heads_for_market<L: Listing>(status: L::Status) -> bool {
    status == L::KIND.candidate || status == L::KIND.pending_review
}

/// Where a new listing lands: its status, expiry and the start of its review.
type Placement<S> = (S, DateTime<Utc>, Option<DateTime<Utc>>);

/// Where a new listing lands, by the status its body asked for (`draft` or the market status),
/// at `now`: its status, expiry and review start. A submission goes on the market when the
/// organisation publishes directly, into review otherwise, and is `expired` when its deadline
/// has passed. 422 on `status` for anything else.
fn placement<L: ListingStore>(
    conn: &mut PgConnection,
    caller: &Principal,
    new: &L::New,
    now: DateTime<Utc>,
    settings: &Lifecycle,
) -> Result<Placement<L::Status>, ApiError> {
    let kind = L::KIND;
    let expires_at = settings.expiry(kind.kind, L::new_deadline(new), now);
    match lifecycle::request(&kind, None, L::new_status(new)) {
        Ok(Request::Submit) => {
            let verified = expiry::is_verified(conn, caller.organization_id)?;
            let direct = settings.publishes_directly(verified, caller.is_admin());
            let status = lifecycle::entry(&kind, direct, expires_at, now);
            Ok((status, expires_at, (status == kind.pending_review).then_some(now)))
        }
        Ok(Request::Move(status)) => Ok((status, expires_at, None)),
        Ok(Request::Stay) => Ok((kind.draft, expires_at, None)),
        Err(refused) => Err(ApiError::invalid_field(
            FieldError::new("status", FieldCode::InvalidValue)
                .with("allowed", vec![kind.draft.to_string(), kind.candidate.to_string()])
                .says(
                    format!("新建时状态只能是 `{}` 或 `{}`，不能是 `{}`", kind.draft, kind.candidate, refused.to),
                    format!(
                        "a new {} is created `{}` or `{}`, not `{}`",
                        kind.noun, kind.draft, kind.candidate, refused.to
                    ),
                ),
        )),
    }
}

/// What the lifecycle makes of a PATCH of `current` at `now`: the status it lands in (a
/// submission as in [`placement`]), a new expiry when the deadline changed or a submission
/// restarts it, and the review start. A change to the reviewed text (title, text, keywords,
/// industries, scenario) of a listing on the market whose organisation goes through review sends
/// it back to review: what the department approved is what the market sees. A listing whose new
/// expiry has passed leaves the market. Checks `open_listings` when it heads for the market.
fn settle_update<L: ListingStore>(
    conn: &mut PgConnection,
    caller: &Principal,
    current: &L,
    changes: &mut L::Changes,
    now: DateTime<Utc>,
    settings: &Lifecycle,
    quotas: &quota::Quotas,
) -> Result<(), ApiError> {
    let kind = L::KIND;
    let from = current.status();
    let deadline = L::changed_deadline(changes);
    let mut expires_at = deadline.map(|d| settings.expiry(kind.kind, d, now));
    let effective_deadline = deadline.unwrap_or(current.deadline());
    let direct = settings.publishes_directly(expiry::is_verified(conn, current.organization_id())?, caller.is_admin());
    let mut status = from;
    if let Some(requested) = L::changed_status(changes) {
        match lifecycle::request(&kind, Some(from), requested).map_err(illegal)? {
            Request::Stay => {}
            Request::Move(to) => status = to,
            Request::Submit => {
                let until = settings.expiry(kind.kind, effective_deadline, now);
                expires_at = Some(until);
                status = lifecycle::entry(&kind, direct, until, now);
            }
        }
    }
    if status == kind.candidate && from == kind.candidate && !direct && L::touches_reviewed_text(changes) {
        status = kind.pending_review;
    }
    if status == kind.candidate && expires_at.is_some_and(|until| until <= now) {
        status = kind.expired;
    }
    if heads_for_market::<L>(status) && !heads_for_market::<L>(from) {
        verification::require_verified_email(conn, caller, settings.require_email_verification)?;
        quota::check_publication(conn, quotas, caller, current.organization_id())?;
    }
    let submitted_at = (status == kind.pending_review && from != kind.pending_review).then_some(Some(now));
    L::settle(changes, (status != from).then_some(status), expires_at, submitted_at);
    Ok(())
}

/// 404 when the caller cannot see the listing, 403 when they can but may not change it.
fn may_edit<L: Listing>(caller: &Principal, listing: &L) -> Result<(), ApiError> {
    policy::require_edit(caller, listing.organization_id(), listing.is_public(), what::<L>(listing.id()))
}

/// The `Idempotency-Key` of a create request with the hash of its path and body
/// ([`idempotency`], shared with `POST /connections`): a retry with the same key and body gets
/// the first response again instead of a second listing.
pub struct Replay {
    key: Option<String>,
    hash: String,
}

impl Replay {
    /// The key of `req` (400 `invalid_idempotency_key` when malformed) and the hash of `body`
    /// sent to `path` (the path is hashed too, so a key reused on another endpoint is refused).
    pub fn of<T: serde::Serialize>(req: &HttpRequest, path: &str, body: &T) -> Result<Self, ApiError> {
        Ok(Self { key: idempotency::key(req)?, hash: idempotency::request_hash(&(path, body)) })
    }
}

/// 201 with the stored or new listing's JSON, its `Location` and `ETag`.
fn created<L: Listing>(body: &serde_json::Value) -> HttpResponse {
    let mut response = HttpResponse::Created();
    if let Some(id) = body.get("id").and_then(|v| v.as_str()) {
        response.insert_header(("Location", format!("{}/{id}", L::KIND.path)));
    }
    if let Some(version) = body.get("version").and_then(|v| v.as_i64()).and_then(|v| i32::try_from(v).ok()) {
        response.insert_header(etag(version));
    }
    response.json(body)
}

/// The stored first response to this user's key, if any (422 when the key came with another body).
async fn replayed<L: Listing>(
    state: &AppState,
    user_id: Uuid,
    replay: &Replay,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some(key) = replay.key.clone() else { return Ok(None) };
    let Some(stored) = db::run(&state.pool, move |conn| idempotency::lookup(conn, user_id, &key)).await? else {
        return Ok(None);
    };
    let (_, body) = stored.replay(&replay.hash)?;
    Ok(Some(created::<L>(&body)))
}

/// Inserts a checked listing for the caller's organisation (in the status [`placement`] decides)
/// and indexes it: 201 with `Location` and `ETag`; 403 when the organisation's verification was
/// rejected; 403 `email_unverified` for a submission by a user whose e-mail is not verified
/// ([`verification::require_verified_email`]); 429 `quota_exceeded` when it has created too many listings in the last hour or, for
/// a listing submitted, has too many on the market or in review ([`quota::check_new_listing`], counted under the organisation's
/// lock in the inserting transaction). With an `Idempotency-Key` the response is stored in the
/// inserting transaction and a retry gets it again (a replay is not counted again).
pub async fn create<L: ListingStore>(
    state: &AppState,
    caller: &Principal,
    new: L::New,
    replay: Replay,
) -> Result<HttpResponse, ApiError> {
    if let Some(response) = replayed::<L>(state, caller.user_id, &replay).await? {
        return Ok(response);
    }
    let (writer, user_id) = (caller.clone(), caller.user_id);
    let (key, hash) = (replay.key.clone(), replay.hash.clone());
    let quotas = state.quotas;
    let (now, settings) = (state.clock.now(), state.lifecycle.clone());
    let mut new = new;
    let result = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            policy::require_writer(conn, &writer)?;
            let (status, expires_at, submitted_at) = placement::<L>(conn, &writer, &new, now, &settings)?;
            if heads_for_market::<L>(status) {
                verification::require_verified_email(conn, &writer, settings.require_email_verification)?;
            }
            quota::check_new_listing(conn, &quotas, &writer, heads_for_market::<L>(status))?;
            L::place(&mut new, status, expires_at, submitted_at);
            let listing = L::insert(conn, &new)?;
            let entry = Entry::by(
                &writer,
                AuditAction::ListingCreated,
                events::audit_record_type::<L>(),
                listing.id(),
                listing.organization_id(),
            )
            .with_changes(audit::created(&listing));
            audit::record(conn, &entry)?;
            let listing = view::detail(conn, listing, Some(&writer))?;
            let body = serde_json::to_value(&listing).map_err(|e| ApiError::Internal(e.into()))?;
            if let Some(key) = &key {
                idempotency::store(conn, user_id, key, &hash, 201, &body)?;
            }
            Ok((listing, body))
        })
    })
    .await;
    match result {
        Ok((listing, body)) => {
            state.matcher.index(&listing.listing.listing);
            Ok(created::<L>(&body))
        }
        // A concurrent request with the same key stored its response first (and may have taken
        // the last slot of a quota): answer as it did.
        Err(e @ (ApiError::Conflict { .. } | ApiError::TooManyWith { .. })) => {
            match replayed::<L>(state, user_id, &replay).await? {
                Some(response) => Ok(response),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// The listing with its organisation's summary and its `ETag`; 304 when `If-None-Match` names
/// the current version; 404 when absent or private to another organisation.
pub async fn get<L: ListingStore>(
    state: &AppState,
    caller: Option<&Principal>,
    id: Uuid,
    req: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let listing = db::run(&state.pool, move |conn| L::get(conn, id)).await?;
    policy::require_read(caller, listing.organization_id(), listing.is_public(), what::<L>(id))?;
    let tag = etag(listing.version());
    if not_modified(req, &tag.1) {
        return Ok(HttpResponse::NotModified().insert_header(tag).finish());
    }
    let reader = caller.cloned();
    let detail = db::run(&state.pool, move |conn| view::detail(conn, listing, reader.as_ref())).await?;
    Ok(with_etag(HttpResponse::Ok(), &detail))
}

/// Applies checked changes under `If-Match` (see [`store::update`]), the caller allowed by
/// [`policy::require_edit`] and [`policy::require_writer`] (a rejected organisation changes
/// nothing), the status decided by the lifecycle ([`settle_update`]: a requested `published` or
/// `open` is a submission; 409 `illegal_transition` for a move it does not allow), and re-indexes
/// the listing: 200 with the new `ETag`. A change that heads for the market counts against the
/// owner's `open_listings` quota ([`quota::check_publication`], in the updating transaction).
pub async fn update<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
    expected_version: i32,
    changes: L::Changes,
) -> Result<HttpResponse, ApiError> {
    let quotas = state.quotas;
    let (now, settings) = (state.clock.now(), state.lifecycle.clone());
    let detail = db::run(&state.pool, move |conn| {
        policy::require_writer(conn, &caller)?;
        conn.transaction(|conn| {
            let mut before = None;
            let after = store::update(
                conn,
                id,
                expected_version,
                changes,
                |_, l: &L| {
                    may_edit(&caller, l)?;
                    before = Some(serde_json::to_value(l).map_err(|e| ApiError::Internal(e.into()))?);
                    Ok(())
                },
                |conn, l, changes| settle_update(conn, &caller, l, changes, now, &settings, &quotas),
            )?;
            if let Some(before) = before {
                record_change_json(conn, &caller, &before, &after)?;
            }
            view::detail(conn, after, Some(&caller))
        })
    })
    .await?;
    state.matcher.index(&detail.listing.listing);
    Ok(with_etag(HttpResponse::Ok(), &detail))
}

/// Takes the listing off the market (see [`store::take_off_market`]), the caller allowed by
/// [`policy::require_edit`], and re-indexes it: 200 with the `ETag`.
pub async fn take_off_market<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
) -> Result<HttpResponse, ApiError> {
    let detail = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut before = None;
            let after = store::take_off_market(conn, id, |l: &L| {
                may_edit(&caller, l)?;
                before = (l.status() != L::KIND.off_market)
                    .then(|| serde_json::to_value(l).map_err(|e| ApiError::Internal(e.into())))
                    .transpose()?;
                Ok(())
            })?;
            if let Some(before) = before {
                record_change_json(conn, &caller, &before, &after)?;
            }
            view::detail(conn, after, Some(&caller))
        })
    })
    .await?;
    state.matcher.index(&detail.listing.listing);
    Ok(with_etag(HttpResponse::Ok(), &detail))
}

/// Decides on a pending listing ([`review::decide`]) as the admin `caller` and re-indexes it:
/// 200 with the listing and its `ETag`.
pub async fn decide<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
    decision: Decision,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    let (now, settings) = (state.clock.now(), state.lifecycle.clone());
    let detail = db::run(&state.pool, move |conn| {
        let listing = review::decide::<L>(conn, &caller, id, &decision, now, &settings)?;
        view::detail(conn, listing, Some(&caller))
    })
    .await?;
    state.matcher.index(&detail.listing.listing);
    Ok(with_etag(HttpResponse::Ok(), &detail))
}

/// Renews an expired listing ([`expiry::renew`]) and re-indexes it: 200 with its `ETag`.
pub async fn renew<L: ListingStore>(state: &AppState, caller: Principal, id: Uuid) -> Result<HttpResponse, ApiError> {
    let (now, settings, quotas) = (state.clock.now(), state.lifecycle.clone(), state.quotas);
    let detail = db::run(&state.pool, move |conn| {
        let listing = expiry::renew::<L>(conn, &caller, id, now, &settings, &quotas)?;
        view::detail(conn, listing, Some(&caller))
    })
    .await?;
    state.matcher.index(&detail.listing.listing);
    Ok(with_etag(HttpResponse::Ok(), &detail))
}

/// Confirms a listing on the market is still available ([`expiry::confirm`]): 200 with its `ETag`.
pub async fn confirm<L: ListingStore>(state: &AppState, caller: Principal, id: Uuid) -> Result<HttpResponse, ApiError> {
    let (now, settings) = (state.clock.now(), state.lifecycle.clone());
    let detail = db::run(&state.pool, move |conn| {
        let listing = expiry::confirm::<L>(conn, &caller, id, now, &settings)?;
        view::detail(conn, listing, Some(&caller))
    })
    .await?;
    state.matcher.index(&detail.listing.listing);
    Ok(with_etag(HttpResponse::Ok(), &detail))
}
