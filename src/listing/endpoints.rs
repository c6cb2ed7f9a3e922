//! The five endpoints every kind of listing has — create, get, list, update (If-Match) and take
//! off the market — written once. Each kind's `handlers.rs` invokes [`listing_endpoints!`] with its
//! types, paths, operation ids and the words of its documentation; the request flow itself is in
//! [`super::http`].

/// Defines `create`, `get`, `list`, `update` and the take-off-market handler of one kind of
/// listing, each with its route and `#[utoipa::path]` description. Invoke it in a module where
/// `super::repo::list` lists the kind and `get`, `patch`, `post` are actix-web's route macros
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
            (status = 201, description = $created, body = listing::Shown<$kind>,
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
            body: web::Json<$input>,
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
            (status = 200, description = $found, body = listing::Shown<$kind>,
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
            (status = 200, description = $page, body = Page<listing::Shown<$kind>>),
            oa::Std, oa::Unauthorized))]
        #[get($collection)]
        #[tracing::instrument(skip(state))]
        pub async fn list(
            state: web::Data<AppState>,
            caller: MaybePrincipal,
            params: web::Query<$params>,
        ) -> Result<web::Json<Page<listing::Shown<$kind>>>, ApiError> {
            let page = PageRequest::parse(params.page, params.per_page)?;
            let filter = params.filter(caller.0.as_ref(), state.taxonomy)?;
            let (items, total) = db::run(&state.pool, move |conn| {
                let (items, total) = super::repo::list(conn, &filter, page)?;
                Ok((listing::with_organizations(conn, items)?, total))
            })
            .await?;
            Ok(web::Json(Page::new(items, page, total)))
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
            (status = 200, description = $changed, body = listing::Shown<$kind>,
                headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
            (status = 409, description = $update_conflict, body = oa::Problem, content_type = "application/problem+json"),
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
            body: web::Json<$patch>,
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
            (status = 200, description = $taken, body = listing::Shown<$kind>,
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
    };
}

pub(crate) use listing_endpoints;
