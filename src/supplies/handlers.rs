//! `/api/v1/supplies`: create, get, list, update (If-Match), archive — the endpoints every kind of
//! listing has ([`crate::listing::endpoints`]). Access rules come from [`crate::auth::policy`].

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{SupplyInput, SupplyListParams, SupplyPatch};
use super::model::Supply;
use crate::auth::{policy, MaybePrincipal, Principal};
use crate::error::ApiError;
use crate::etag::expected_version;
use crate::found::FoundPage;
use crate::listing::review::ReviewInput;
use crate::listing::view::Detail;
use crate::listing::{self, endpoints::listing_endpoints};
use crate::pagination::PageRequest;
use crate::spec as oa;
use crate::state::AppState;

listing_endpoints! {
    kind: Supply, input: SupplyInput, patch: SupplyPatch, params: SupplyListParams,
    publisher: policy::require_supply_publisher, tag: "supplies",
    paths: { collection: "/supplies", item: "/supplies/{id}", off_market: "/supplies/{id}/archive" },
    create: { id: "create_supply", summary: "Create a supply.",
        detail: "201 with the supply, `Location` and `ETag`; owned by the caller's organisation. `published` (the default) \
submits it: on the market at once for a verified organisation, `pending_review` otherwise (docs/API.md, Listing \
lifecycle). The owner's answers carry its `completeness` report and last `review`.",
        created: "The new supply, owned by the caller's organisation.",
        location: "`/api/v1/supplies/{id}`",
        conflict: "`conflict`: a supply with the same `source_url` and title exists." },
    get: { id: "get_supply", summary: "Get a supply.",
        detail: "With its `ETag`; 404 for another organisation's private supply.", found: "The supply." },
    list: { id: "list_supplies", summary: "List supplies.", page: "A page of supplies: newest first, by relevance with `q`, or in the order of `sort`." },
    update: { id: "update_supply", summary: "Update a supply.", changed: "The changed supply.",
        conflict: "`archived`: the supply is off the market and cannot change; `conflict`: another supply has the \
same `source_url` and title." },
    off_market: { fn: archive, id: "archive_supply", summary: "Archive a supply.",
        detail: "Takes the supply off the market (idempotent).",
        taken: "The archived supply (unchanged when it already was)." },
    lifecycle: {
        review: { path: "/supplies/{id}/review", id: "review_supply" },
        renew: { path: "/supplies/{id}/renew", id: "renew_supply" },
        confirm: { path: "/supplies/{id}/confirm", id: "confirm_supply" } },
    id: "Supply id.",
}
