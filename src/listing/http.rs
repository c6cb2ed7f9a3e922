//! The request flow shared by `/api/v1/supplies` and `/api/v1/demands`. Each kind's handlers
//! (which carry the OpenAPI annotations) check what differs, such as who may publish and the
//! body, and hand over to these. Every answer carries the listing's `ETag`.

use actix_web::{HttpResponse, HttpResponseBuilder};
use uuid::Uuid;

use super::kind::{what, Listing};
use super::store::{self, ListingStore};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::db;
use crate::error::ApiError;
use crate::etag::etag;
use crate::state::AppState;

/// `response` with the listing as JSON and its `ETag`.
fn with_etag<L: Listing>(mut response: HttpResponseBuilder, listing: &L) -> HttpResponse {
    response.insert_header(etag(listing.version())).json(listing)
}

/// 404 when the caller cannot see the listing, 403 when they can but may not change it.
fn may_edit<L: Listing>(caller: &Principal, listing: &L) -> Result<(), ApiError> {
    policy::require_edit(caller, listing.organization_id(), listing.is_public(), what::<L>(listing.id()))
}

/// Inserts a checked listing for the caller's organisation and indexes it: 201 with `Location`
/// and `ETag`; 403 when the organisation's verification was rejected.
pub async fn create<L: ListingStore>(
    state: &AppState,
    caller: &Principal,
    new: L::New,
) -> Result<HttpResponse, ApiError> {
    let writer = caller.clone();
    let listing = db::run(&state.pool, move |conn| {
        policy::require_writer(conn, &writer)?;
        L::insert(conn, &new)
    })
    .await?;
    state.matcher.index(&listing);
    let mut response = HttpResponse::Created();
    response.insert_header(("Location", format!("{}/{}", L::KIND.path, listing.id())));
    Ok(with_etag(response, &listing))
}

/// The listing with its `ETag`; 404 when absent or private to another organisation.
pub async fn get<L: ListingStore>(
    state: &AppState,
    caller: Option<&Principal>,
    id: Uuid,
) -> Result<HttpResponse, ApiError> {
    let listing = db::run(&state.pool, move |conn| L::get(conn, id)).await?;
    policy::require_read(caller, listing.organization_id(), listing.is_public(), what::<L>(id))?;
    Ok(with_etag(HttpResponse::Ok(), &listing))
}

/// Applies checked changes under `If-Match` (see [`store::update`]), the caller allowed by
/// [`policy::require_edit`] and [`policy::require_writer`] (a rejected organisation changes
/// nothing), and re-indexes the listing: 200 with the new `ETag`.
pub async fn update<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
    expected_version: i32,
    changes: L::Changes,
) -> Result<HttpResponse, ApiError> {
    let listing = db::run(&state.pool, move |conn| {
        policy::require_writer(conn, &caller)?;
        store::update(conn, id, expected_version, &changes, |l: &L| may_edit(&caller, l))
    })
    .await?;
    state.matcher.index(&listing);
    Ok(with_etag(HttpResponse::Ok(), &listing))
}

/// Takes the listing off the market (see [`store::take_off_market`]), the caller allowed by
/// [`policy::require_edit`], and re-indexes it: 200 with the `ETag`.
pub async fn take_off_market<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
) -> Result<HttpResponse, ApiError> {
    let listing =
        db::run(&state.pool, move |conn| store::take_off_market(conn, id, |l: &L| may_edit(&caller, l))).await?;
    state.matcher.index(&listing);
    Ok(with_etag(HttpResponse::Ok(), &listing))
}
