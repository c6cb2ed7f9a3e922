//! Every route of the API, declared once. Each handler carries its method and path
//! (`#[get("/supplies/{id}")]`) beside its `#[utoipa::path]` description; [`configure`] mounts the
//! handlers, and the OpenAPI document ([`document`]) and the `Allow` table of 405 answers
//! ([`route_table`]) are derived from that same declaration, so no list of paths is kept by hand.
//!
//! This is the top of the import graph: it imports the features, nothing imports it but
//! [`crate::app`].

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::extract::RouteTable;
use crate::spec::{self, BEARER};
use crate::{
    accounts, audit, challenges, commissions, connections, contracts, demands, docs, exchange, fairs, health,
    industries, matches, members, metrics, notifications, organizations, payments, regions, reviews, search, stats,
    subscriptions, supplies, vocabularies,
};

/// Mounts every route. The handlers' own attributes give each one's method and path.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::http::scrape)
        .service(docs::docs_page)
        .service(docs::docs_script)
        .service(
            scope::scope("/api/v1")
                .service(docs::api_document)
                .service(industries::handlers::list)
                .service(vocabularies::handlers::list)
                .service(regions::handlers::list_regions)
                .service(accounts::handlers::register)
                .service(accounts::handlers::login)
                .service(accounts::handlers::request_password_reset)
                .service(accounts::handlers::confirm_password_reset)
                .service(accounts::handlers::verify_email)
                .service(accounts::handlers::resend_email_verification)
                .service(accounts::handlers::refresh)
                .service(accounts::handlers::logout)
                .service(accounts::handlers::me)
                .service(accounts::handlers::change_password)
                .service(organizations::handlers::list)
                .service(organizations::handlers::create)
                .service(organizations::handlers::lookup)
                .service(organizations::handlers::get)
                .service(organizations::handlers::verify)
                .service(supplies::handlers::list)
                .service(supplies::handlers::create)
                .service(supplies::handlers::get)
                .service(supplies::handlers::update)
                .service(supplies::handlers::archive)
                .service(supplies::handlers::review)
                .service(supplies::handlers::renew)
                .service(supplies::handlers::confirm)
                .service(matches::handlers::for_supply)
                .service(exchange::handlers::create_import)
                .service(exchange::handlers::get_import)
                .service(exchange::handlers::get_import_report)
                .service(exchange::handlers::export_supplies)
                .service(exchange::handlers::export_demands)
                .service(demands::handlers::list)
                .service(demands::handlers::create)
                .service(demands::handlers::get)
                .service(demands::handlers::update)
                .service(demands::handlers::withdraw)
                .service(demands::handlers::review)
                .service(demands::handlers::renew)
                .service(demands::handlers::confirm)
                .service(reviews::handlers::queue)
                .service(matches::handlers::for_demand)
                .service(matches::handlers::preview)
                .service(search::handlers::suggest)
                .service(connections::handlers::list)
                .service(connections::handlers::open)
                .service(connections::handlers::export_csv)
                .service(connections::handlers::get)
                .service(connections::handlers::move_to)
                .service(contracts::handlers::list)
                .service(contracts::handlers::get)
                .service(contracts::handlers::propose)
                .service(contracts::handlers::confirm)
                .service(contracts::handlers::dispute)
                .service(contracts::handlers::review)
                .service(contracts::handlers::register)
                .service(contracts::handlers::move_to)
                .service(payments::handlers::list)
                .service(payments::handlers::add)
                .service(payments::handlers::receive)
                .service(payments::handlers::confirm)
                .service(commissions::handlers::create)
                .service(commissions::handlers::list)
                .service(commissions::handlers::statement_csv)
                .service(commissions::handlers::statement)
                .service(stats::handlers::listings)
                .service(stats::handlers::connections)
                .service(stats::handlers::contracts)
                .service(fairs::handlers::stats)
                .service(fairs::handlers::create)
                .service(fairs::handlers::list)
                .service(fairs::handlers::get)
                .service(fairs::handlers::move_to)
                .service(fairs::handlers::register)
                .service(fairs::handlers::registrations)
                .service(fairs::handlers::check_in)
                .service(fairs::handlers::propose)
                .service(fairs::handlers::list_pairs)
                .service(fairs::handlers::mark_interest)
                .service(fairs::handlers::record_intent)
                .service(fairs::handlers::meetings)
                .service(fairs::handlers::schedule_meeting)
                .service(fairs::handlers::move_meeting)
                .service(fairs::handlers::add_roadshow)
                .service(fairs::handlers::roadshows)
                .service(fairs::handlers::event_report)
                .service(audit::handlers::list)
                .service(members::handlers::invite)
                .service(members::handlers::invitations)
                .service(members::handlers::revoke)
                .service(members::handlers::accept)
                .service(members::handlers::list)
                .service(members::handlers::change_role)
                .service(members::handlers::deactivate)
                .service(subscriptions::handlers::create)
                .service(subscriptions::handlers::list)
                .service(subscriptions::handlers::get)
                .service(subscriptions::handlers::replace)
                .service(subscriptions::handlers::remove)
                .service(subscriptions::handlers::supply_setting)
                .service(subscriptions::handlers::set_supply_setting)
                .service(subscriptions::handlers::demand_setting)
                .service(subscriptions::handlers::set_demand_setting)
                .service(notifications::handlers::list)
                .service(notifications::handlers::unread_count)
                .service(notifications::handlers::mark_all_read)
                .service(notifications::handlers::mark_read)
                .service(notifications::handlers::get_preferences)
                .service(notifications::handlers::set_preferences)
                .service(notifications::handlers::create_webhook)
                .service(notifications::handlers::list_webhooks)
                .service(notifications::handlers::update_webhook)
                .service(notifications::handlers::delete_webhook)
                .service(notifications::handlers::webhook_deliveries)
                .service(stats::report_handlers::value_views)
                .service(stats::report_handlers::report_xlsx)
                .service(challenges::handlers::list)
                .service(challenges::handlers::create)
                .service(challenges::handlers::get)
                .service(challenges::handlers::move_to)
                .service(challenges::handlers::suggested)
                .service(challenges::handlers::list_applications)
                .service(challenges::handlers::apply)
                .service(challenges::handlers::get_application)
                .service(challenges::handlers::withdraw)
                .service(challenges::handlers::declare_conflict)
                .service(challenges::handlers::score)
                .service(challenges::handlers::appoint)
                .service(challenges::handlers::evaluation_of)
                .service(challenges::handlers::award)
                .service(challenges::handlers::result)
                .service(challenges::handlers::stats),
        );
}

/// What the route declarations cannot say: the title and description, the shared components,
/// the bearer scheme and the tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "techmatch",
        description = "REST API of a regional science and technology achievement supply–demand matching platform \
(科技成果供需对接平台): universities and institutes publish technology achievements (supplies), enterprises post \
technology needs (demands), the service ranks one side for the other with an explanation of every match, and logs each \
connection (对接) from first contact to signed contract.\n\nConventions (errors, pagination, concurrency, \
idempotency) are described in docs/API.md. Every failure is an RFC 9457 problem (`application/problem+json`) with a \
stable `code`; invalid fields are listed in `errors`, each with its path (`field`), a `code` of `FieldError` and the \
code's parameters.\n\nLanguage: problem titles, details and field messages are in Chinese (`zh-CN`, the default) \
or English, by the request's `Accept-Language` (q-values honoured; the first `zh` or `en` range wins); every problem \
says which in `Content-Language`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This server: the paths below start with `/api/v1`.")),
    components(
        schemas(
            spec::Problem,
            crate::error::FieldError,
            spec::IndustryCode,
            spec::IndustryOrGroupCode,
            spec::IndustryList,
            spec::IndustryOrGroupList,
            spec::TransferModeList,
            spec::Keyword,
            crate::stats::handlers::Period,
            crate::csv_export::CsvHeaders,
            crate::notifications::webhooks::WebhookPayload
        ),
        responses(
            spec::BadRequest,
            spec::Unauthorized,
            spec::Forbidden,
            spec::NotFound,
            spec::PayloadTooLarge,
            spec::UnsupportedMediaType,
            spec::ValidationFailed,
            spec::TooManyRequests,
            spec::ServiceUnavailable,
            spec::HashingUnavailable,
            spec::PasswordChangesLimited
        ),
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Liveness and readiness probes, Prometheus metrics."),
        (name = "docs", description = "This document and its human-readable rendering."),
        (name = "industries", description = "The industry taxonomy: 六新六特六优 plus the +N frontier fields."),
        (name = "vocabularies", description = "Every controlled vocabulary with its Chinese and English labels."),
        (name = "regions", description = "The region vocabulary: GB/T 2260 administrative division codes with Chinese and English names."),
        (name = "accounts", description = "Registration, sign-in, token rotation and the caller's account."),
        (name = "organizations", description = "Universities, institutes, enterprises, agencies and departments."),
        (name = "supplies", description = "Technology achievements offered for transfer (科技成果)."),
        (name = "demands", description = "Technology needs posted by enterprises (技术需求)."),
        (name = "reviews", description = "The department's review (审核) of listings before they go on the market."),
        (name = "search", description = "Completions for the search box (the lists take `q`)."),
        (name = "matches", description = "Ranked, scored and explained pairings of demands and supplies."),
        (name = "connections", description = "Tracked connections (对接) with an append-only outcome log."),
        (name = "contracts", description = "Technology contracts (技术合同) both sides confirm, their review and registration."),
        (name = "commissions", description = "Commission policies for agencies and brokers, and their statements."),
        (name = "events", description = "Matchmaking events (对接会 / 路演): registration, proposed pairs, meetings, roadshows, intents and the report."),
        (name = "stats", description = "Statistics for the science and technology department (admins)."),
        (name = "audit", description = "The append-only audit log: who did what to which record, and when."),
        (name = "challenges", description = "揭榜挂帅 challenges: applications, the review panel's scores, the award and its public result."),
        (name = "members", description = "An organisation's members: invitations, organisation roles, deactivation."),
        (name = "subscriptions", description = "Saved searches (订阅) and listings' new-match notifications."),
        (name = "notifications", description = "The inbox, notification settings (e-mail per kind, digests) and an organisation's signed webhooks."),
    ),
)]
struct ApiDoc;

/// Adds what the derive cannot express: the bearer (JWT) security scheme.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login` or `POST /api/v1/auth/refresh` \
(HS256 JWT, 15 minutes by default).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI 3.1 document of the API, derived from [`configure`]. It is committed as
/// `openapi/openapi.json` (a test fails when the two differ) and served at
/// `GET /api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(configure).split_for_parts();
    vocabularies::model::label_schemas(&mut document);
    public_operations(&mut document);
    document
}

/// `security: []` on every operation that declares no security: it is public, and says so
/// (generators and linters otherwise cannot tell it from one that forgot to declare its scheme).
fn public_operations(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            operation.security.get_or_insert_with(Vec::new);
        }
    }
}

/// The document as committed and served: pretty-printed JSON with a final newline, with the
/// `webhooks` member ([`notifications::webhook_doc`], appended to the object's text: utoipa 5 has
/// no such member, and going through `serde_json::Value` would reorder every object), after the
/// passes of [`spec::normal`] (models by reference, free-form objects, extensions in order).
pub fn document_json(document: &utoipa::openapi::OpenApi) -> serde_json::Result<String> {
    let json = document.to_json()?;
    let body = json.trim_end().strip_suffix('}').unwrap_or(&json);
    let webhooks = serde_json::to_string(&notifications::webhook_doc::webhooks())?;
    spec::normal::normalise(&format!("{body},\"webhooks\":{webhooks}}}"))
}

/// The methods of every path of the document, for the `Allow` header of a 405.
pub fn route_table(document: &utoipa::openapi::OpenApi) -> RouteTable {
    RouteTable::new(document.paths.paths.iter().map(|(path, item)| {
        // HEAD is answered on every GET route (`middleware::head_as_get`); the document keeps
        // to GET, as HEAD follows from it (RFC 9110 §9.3.2).
        let methods = [
            ("GET", item.get.is_some()),
            ("HEAD", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        (path.as_str(), methods.into_iter().filter_map(|(name, present)| present.then_some(name)).collect())
    }))
}
