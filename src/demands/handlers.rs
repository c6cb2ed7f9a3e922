//! `/api/v1/demands`: create, get, list, update (If-Match), withdraw — the endpoints every kind of
//! listing has ([`crate::listing::endpoints`]). Access rules come from [`crate::auth::policy`].

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{DemandInput, DemandListParams, DemandPatch};
use super::model::Demand;
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
    kind: Demand, input: DemandInput, patch: DemandPatch, params: DemandListParams,
    publisher: policy::require_demand_publisher, tag: "demands",
    paths: { collection: "/demands", item: "/demands/{id}", off_market: "/demands/{id}/withdraw" },
    create: { id: "create_demand", summary: "Post a demand.",
        detail: "201 with the demand, `Location` and `ETag`; owned by the caller's organisation. `open` (the default) \
submits it: on the market at once for a verified organisation, `pending_review` otherwise (docs/API.md, Listing \
lifecycle). The owner's answers carry its `completeness` report and last `review`.",
        created: "The new demand, owned by the caller's organisation.",
        location: "`/api/v1/demands/{id}`",
        conflict: "`conflict`: a demand with the same `source_url` and title exists." },
    get: { id: "get_demand", summary: "Get a demand.",
        detail: "With its `ETag`; 404 for another organisation's private demand.", found: "The demand." },
    list: { id: "list_demands", summary: "List demands.", page: "A page of demands: newest first, by relevance with `q`, or in the order of `sort`." },
    update: { id: "update_demand", summary: "Update a demand.", changed: "The changed demand.",
        conflict: "`withdrawn`: the demand is off the market and cannot change; `conflict`: another demand has the \
same `source_url` and title." },
    off_market: { fn: withdraw, id: "withdraw_demand", summary: "Withdraw a demand.",
        detail: "The enterprise takes its need back (idempotent).",
        taken: "The withdrawn demand (unchanged when it already was)." },
    lifecycle: {
        review: { path: "/demands/{id}/review", id: "review_demand" },
        renew: { path: "/demands/{id}/renew", id: "renew_demand" },
        confirm: { path: "/demands/{id}/confirm", id: "confirm_demand" } },
    id: "Demand id.",
}
