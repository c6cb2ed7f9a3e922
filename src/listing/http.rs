//! The request flow shared by `/api/v1/supplies` and `/api/v1/demands`. Each kind's handlers
//! (which carry the OpenAPI annotations) check what differs, such as who may publish and the
//! body, and hand over to these. Every answer carries the listing's `ETag`.

use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use diesel::Connection;
use uuid::Uuid;

use super::kind::{what, Listing};
use super::shown::{shown_json, with_organization};
use super::store::{self, ListingStore};
use crate::audit::{self, Entry};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::connections::idempotency;
use crate::db;
use crate::error::ApiError;
use crate::etag::{etag, not_modified};
use crate::quota;
use crate::state::AppState;
use crate::vocab::{AuditAction, AuditRecordType};

/// The audit log's record type of kind `L`.
fn record_type<L: Listing>() -> AuditRecordType {
    if L::KIND.noun == "demand" {
        AuditRecordType::Demand
    } else {
        AuditRecordType::Supply
    }
}

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
    let entry =
        Entry::by(caller, action, record_type::<L>(), after.id(), after.organization_id()).with_changes(changes);
    audit::record(conn, &entry)
}

/// `response` with the listing and its organisation's summary as JSON, and its `ETag`.
async fn with_etag<L: Listing>(
    state: &AppState,
    mut response: HttpResponseBuilder,
    listing: L,
) -> Result<HttpResponse, ApiError> {
    let tag = etag(listing.version());
    let shown = db::run(&state.pool, move |conn| with_organization(conn, listing)).await?;
    Ok(response.insert_header(tag).json(shown))
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

/// Inserts a checked listing for the caller's organisation and indexes it: 201 with `Location`
/// and `ETag`; 403 when the organisation's verification was rejected; 429 `quota_exceeded` when
/// it has created too many listings in the last hour or, for a listing created on the market,
/// has too many on the market ([`quota::check_new_listing`], counted under the organisation's
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
    let result = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            policy::require_writer(conn, &writer)?;
            let on_market = L::new_status(&new) == L::KIND.candidate;
            quota::check_new_listing(conn, &quotas, &writer, on_market)?;
            let listing = L::insert(conn, &new)?;
            let entry = Entry::by(
                &writer,
                AuditAction::ListingCreated,
                record_type::<L>(),
                listing.id(),
                listing.organization_id(),
            )
            .with_changes(audit::created(&listing));
            audit::record(conn, &entry)?;
            let body = shown_json(conn, &listing)?;
            if let Some(key) = &key {
                idempotency::store(conn, user_id, key, &hash, 201, &body)?;
            }
            Ok((listing, body))
        })
    })
    .await;
    match result {
        Ok((listing, body)) => {
            state.matcher.index(&listing);
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
    let shown = db::run(&state.pool, move |conn| with_organization(conn, listing)).await?;
    Ok(HttpResponse::Ok().insert_header(tag).json(shown))
}

/// Applies checked changes under `If-Match` (see [`store::update`]), the caller allowed by
/// [`policy::require_edit`] and [`policy::require_writer`] (a rejected organisation changes
/// nothing), and re-indexes the listing: 200 with the new `ETag`. A change that puts the listing
/// on the market (a draft published, a closed demand reopened) counts against the owner's
/// `open_listings` quota ([`quota::check_publication`], in the updating transaction).
pub async fn update<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
    expected_version: i32,
    changes: L::Changes,
) -> Result<HttpResponse, ApiError> {
    let quotas = state.quotas;
    let listing = db::run(&state.pool, move |conn| {
        policy::require_writer(conn, &caller)?;
        let publishing = L::changed_status(&changes) == Some(L::KIND.candidate);
        conn.transaction(|conn| {
            let mut before = None;
            let after = store::update(conn, id, expected_version, &changes, |conn, l: &L| {
                may_edit(&caller, l)?;
                if publishing && l.status() != L::KIND.candidate {
                    quota::check_publication(conn, &quotas, &caller, l.organization_id())?;
                }
                before = Some(serde_json::to_value(l).map_err(|e| ApiError::Internal(e.into()))?);
                Ok(())
            })?;
            if let Some(before) = before {
                record_change_json(conn, &caller, &before, &after)?;
            }
            Ok(after)
        })
    })
    .await?;
    state.matcher.index(&listing);
    with_etag(state, HttpResponse::Ok(), listing).await
}

/// Takes the listing off the market (see [`store::take_off_market`]), the caller allowed by
/// [`policy::require_edit`], and re-indexes it: 200 with the `ETag`.
pub async fn take_off_market<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
) -> Result<HttpResponse, ApiError> {
    let listing = db::run(&state.pool, move |conn| {
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
            Ok(after)
        })
    })
    .await?;
    state.matcher.index(&listing);
    with_etag(state, HttpResponse::Ok(), listing).await
}
