//! The endpoints every kind of listing has — create, get, list, update (If-Match), take off the
//! market, and the lifecycle's review decision, renewal and confirmation — written once. Each kind's `handlers.rs` invokes [`listing_endpoints!`] with its
//! types, paths, operation ids and the words of its documentation; the request flow itself is in
//! [`super::http`].

/// Defines `create`, `get`, `list`, `update`, the take-off-market handler, `review`, `renew` and
/// `confirm` of one kind of listing, each with its route and `#[utoipa::path]` description. Invoke it in a module where
/// the kind implements [`super::search::Searchable`] and `get`, `patch`, `post` are actix-web's route macros
/// (utoipa reads the method and path from them by name).
macro_rules! listing_endpoints {
    (
        kind: $kind:ident, input: $input:ident, patch: $patch:ident, params: $params:ident,
        publisher: $publisher:path, tag: $tag:tt,
        paths: { collection: $collection:tt, item: $item:tt, off_market: $off_path:tt },
        create: { id: $create_id:tt, summary: $create_summary:tt, detail: $create_detail:tt, created: $created:tt,
            location: $location:tt, conflict: $create_conflict:tt },
        get: { id: $get_id:tt, summary: $get_summary:tt, detail: $get_detail:tt, found: $found:tt },
        list: { id: $list_id:tt, summary: $list_summary:tt, page: $page:tt },
        update: { id: $update_id:tt, summary: $update_summary:tt, changed: $changed:tt, conflict: $update_conflict:tt },
        off_market: { fn: $off_fn:ident, id: $off_id:tt, summary: $off_summary:tt, detail: $off_detail:tt,
            taken: $taken:tt },
        lifecycle: {
            review: { path: $review_path:tt, id: $review_id:tt },
            renew: { path: $renew_path:tt, id: $renew_id:tt },
            confirm: { path: $confirm_path:tt, id: $confirm_id:tt } },
        id: $id_description:tt $(,)?
    ) => {
        #[doc = $create_summary]
        ///
        #[doc = $create_detail]
        #[doc = "Counts against the organisation's `listings_per_hour` quota and, when created on the market, its \
`open_listings` quota (429 `quota_exceeded`; admins have none)."]
        #[utoipa::path(operation_id = $create_id, tag = $tag,
            security(("bearer" = [])), request_body = $input,
            params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$",
                description = "1–200 visible ASCII characters, unique per request of this user: a retry with the \
same key and body returns the first response.")),
            responses(
            (status = 201, description = $created, body = Detail<listing::Shown<$kind>>,
                headers(("Location" = String, description = $location),
                    ("ETag" = String, description = "The version, e.g. `\"1\"`."))),
            (status = 409, description = $create_conflict, body = oa::Problem, content_type = "application/problem+json"),
            (status = 422, description = "`validation_failed` (fields are invalid, each listed in `errors`) or \
`idempotency_key_reused` (the key was used with another body).", body = oa::Problem,
                content_type = "application/problem+json"),
            oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::TooManyRequests))]
        #[post($collection)]
        #[tracing::instrument(skip(state, req, body))]
        pub async fn create(
            state: web::Data<AppState>,
            caller: Principal,
            req: HttpRequest,
            body: crate::extract::Json<$input>,
        ) -> Result<HttpResponse, ApiError> {
            $publisher(&caller)?;
            let input = body.into_inner();
            let replay = listing::http::Replay::of(&req, $collection, &input)?;
            let new = input.parse(caller.organization_id, state.taxonomy)?;
            listing::http::create::<$kind>(&state, &caller, new, replay).await
        }

        #[doc = $get_summary]
        ///
        #[doc = $get_detail]
        #[utoipa::path(operation_id = $get_id, tag = $tag,
            security((), ("bearer" = [])),
            params(("id" = Uuid, Path, description = $id_description)), responses(
            (status = 200, description = $found, body = Detail<listing::Shown<$kind>>,
                headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
            (status = 304, description = "`If-None-Match` names the current version: nothing changed since.",
                headers(("ETag" = String, description = "The version."))),
            oa::Std, oa::Unauthorized, oa::NotFound))]
        #[get($item)]
        #[tracing::instrument(skip(state, req))]
        pub async fn get(
            state: web::Data<AppState>,
            caller: MaybePrincipal,
            req: HttpRequest,
            id: web::Path<Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            listing::http::get::<$kind>(&state, caller.0.as_ref(), id.into_inner(), &req).await
        }

        #[doc = $list_summary]
        #[utoipa::path(operation_id = $list_id, tag = $tag,
            security((), ("bearer" = [])),
            params($params), responses(
            (status = 200, description = $page, body = FoundPage<listing::Shown<$kind>>),
            oa::Std, oa::Unauthorized))]
        #[get($collection)]
        #[tracing::instrument(skip(state))]
        pub async fn list(
            state: web::Data<AppState>,
            caller: MaybePrincipal,
            params: crate::extract::Query<$params>,
        ) -> Result<web::Json<FoundPage<listing::Shown<$kind>>>, ApiError> {
            let page = PageRequest::parse(params.page, params.per_page)?;
            let filter = params.filter(caller.0.as_ref(), state.taxonomy, state.clock.now())?;
            Ok(web::Json(listing::search::list::<$kind>(&state, filter, page).await?))
        }

        #[doc = $update_summary]
        ///
        #[doc = "With `If-Match: \"<version>\"`; 412 when stale, 428 without it. Putting the listing on the market \
(published, open) counts against the organisation's `open_listings` quota (429 `quota_exceeded`)."]
        #[utoipa::path(operation_id = $update_id, tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = $id_description),
                ("If-Match" = String, Header, pattern = "^\"[1-9][0-9]{0,8}\"$",
                description = "The `ETag` of the version being edited, e.g. `\"3\"`.")),
            request_body = $patch, responses(
            (status = 200, description = $changed, body = Detail<listing::Shown<$kind>>,
                headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
            (status = 409, description = concat!($update_conflict, "; `rejected`: review rejected it, it cannot change; \
`illegal_transition`: the lifecycle does not allow the status asked for from the current one (`from`, `to`, `allowed`)."),
                body = oa::Problem, content_type = "application/problem+json"),
            (status = 412, description = "`version_mismatch`: `If-Match` is stale; nothing changed.", body = oa::Problem,
                content_type = "application/problem+json"),
            (status = 428, description = "`if_match_required`: send `If-Match`.", body = oa::Problem,
                content_type = "application/problem+json"),
            oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed,
            oa::TooManyRequests))]
        #[patch($item)]
        #[tracing::instrument(skip(state, req, body))]
        pub async fn update(
            state: web::Data<AppState>,
            caller: Principal,
            req: HttpRequest,
            id: web::Path<Uuid>,
            body: crate::extract::Json<$patch>,
        ) -> Result<HttpResponse, ApiError> {
            let id = id.into_inner();
            let version = expected_version(&req)?;
            let changes = body.into_inner().parse(state.taxonomy)?;
            listing::http::update::<$kind>(&state, caller, id, version, changes).await
        }

        #[doc = $off_summary]
        ///
        #[doc = $off_detail]
        #[utoipa::path(operation_id = $off_id, tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = $id_description)), responses(
            (status = 200, description = $taken, body = Detail<listing::Shown<$kind>>,
                headers(("ETag" = String, description = "The new version."))),
            oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
        #[post($off_path)]
        #[tracing::instrument(skip(state))]
        pub async fn $off_fn(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            listing::http::take_off_market::<$kind>(&state, caller, id.into_inner()).await
        }

        /// Decide on a listing pending review (admins).
        ///
        /// `approve` puts it on the market (its validity starts now), `reject` refuses it for good,
        /// `request_changes` sends it back to its owner (`changes_requested`). Rejecting and requesting
        /// changes need a `reason` code; the `note` is shown to the owner. The owner's organisation is
        /// notified (outbox).
        #[utoipa::path(operation_id = $review_id, tag = "reviews",
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = $id_description)),
            request_body = ReviewInput, responses(
            (status = 200, description = "The listing after the decision.", body = Detail<listing::Shown<$kind>>,
                headers(("ETag" = String, description = "The new version."))),
            (status = 409, description = "`not_pending_review`: the listing is not pending review; `current_status` \
gives its status.", body = oa::Problem, content_type = "application/problem+json"),
            oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
        #[post($review_path)]
        #[tracing::instrument(skip(state, body))]
        pub async fn review(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
            body: crate::extract::Json<ReviewInput>,
        ) -> Result<HttpResponse, ApiError> {
            policy::require_admin(&caller)?;
            let decision = body.into_inner().parse()?;
            listing::http::decide::<$kind>(&state, caller, id.into_inner(), decision).await
        }

        /// Renew an expired listing.
        ///
        /// Its validity restarts from now; it goes back on the market when the organisation publishes
        /// directly (verified), into review (`pending_review`) otherwise. A demand whose deadline has
        /// passed needs a later deadline first (422 on `deadline`). Counts against the `open_listings`
        /// quota.
        #[utoipa::path(operation_id = $renew_id, tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = $id_description)), responses(
            (status = 200, description = "The renewed listing.", body = Detail<listing::Shown<$kind>>,
                headers(("ETag" = String, description = "The new version."))),
            (status = 409, description = "`illegal_transition`: only an expired listing is renewed (`from`, `to`, \
`allowed`).", body = oa::Problem, content_type = "application/problem+json"),
            oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed, oa::TooManyRequests))]
        #[post($renew_path)]
        #[tracing::instrument(skip(state))]
        pub async fn renew(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            listing::http::renew::<$kind>(&state, caller, id.into_inner()).await
        }

        /// Confirm a listing is still available.
        ///
        /// Restarts its validity from now (a demand with a deadline keeps its deadline) and so its
        /// expiry reminders.
        #[utoipa::path(operation_id = $confirm_id, tag = $tag,
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = $id_description)), responses(
            (status = 200, description = "The listing with its new `expires_at`.", body = Detail<listing::Shown<$kind>>,
                headers(("ETag" = String, description = "The new version."))),
            (status = 409, description = "`illegal_transition`: only a listing on the market is confirmed (an \
expired one is renewed).", body = oa::Problem, content_type = "application/problem+json"),
            oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
        #[post($confirm_path)]
        #[tracing::instrument(skip(state))]
        pub async fn confirm(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            listing::http::confirm::<$kind>(&state, caller, id.into_inner()).await
        }
    };
}

pub(crate) use listing_endpoints;
