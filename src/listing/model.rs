//! The columns every kind of listing has, declared once for the three shapes each kind stores
//! them in: the record as stored and returned, the checked row to insert, and the checked
//! changes of a PATCH. Each kind's `model.rs` invokes [`listing_model!`] with its own columns.

/// Defines a kind's stored record (`Serialize`, `Queryable`, `Selectable`, `ToSchema`), its
/// insert row (`Insertable`) and its changes (`AsChangeset`, `None` leaves a column alone).
/// The shared columns are: id, `organization_id`, title, the free text `body` (`summary`,
/// `description`), keywords, industries, then the kind's `own` columns (their attributes go on
/// the stored record only; in the changes each is wrapped in `Option`), then region, the
/// application scenario, status, `source_url`, extra, version, the timestamps and the lifecycle's
/// `expires_at` and `submitted_at`. Invoke it where the table module named by
/// `table` is in scope.
macro_rules! listing_model {
    (
        $(#[$stored_meta:meta])*
        stored: $stored:ident,
        new: $new:ident,
        changes: $changes:ident,
        table: $table:ident,
        status: $status:ty,
        owner: { $(#[$owner_meta:meta])* },
        body: $body:ident,
        own: { $( $(#[$own_meta:meta])* $own:ident: $own_ty:ty ),* $(,)? },
        status_values: { $(#[$status_meta:meta])* },
        extra: { $(#[$extra_meta:meta])* } $(,)?
    ) => {
        $(#[$stored_meta])*
        #[derive(Debug, Clone, serde::Serialize, diesel::Queryable, diesel::Selectable, utoipa::ToSchema)]
        #[diesel(table_name = $table)]
        pub struct $stored {
            pub id: uuid::Uuid,
            $(#[$owner_meta])*
            pub organization_id: uuid::Uuid,
            pub title: String,
            pub $body: String,
            pub keywords: Vec<String>,
            /// Industry codes (see `GET /api/v1/industries`).
            #[schema(value_type = Vec<$crate::spec::IndustryCode>)]
            pub industries: Vec<String>,
            $( $(#[$own_meta])* pub $own: $own_ty, )*
            /// The region as written (a name, an alias or a code; free text on imported rows).
            pub region: Option<String>,
            /// The GB/T 2260 code `region` names (see `GET /api/v1/regions`); `null` when it names
            /// none (imported free text) or there is no region.
            #[schema(pattern = "^[0-9]{6}$", example = "640104")]
            pub region_code: Option<String>,
            /// Where the technology is (or is to be) applied: the scenario a buyer pictures.
            pub application_scenario: Option<String>,
            $(#[$status_meta])*
            pub status: $status,
            pub source_url: Option<String>,
            $(#[$extra_meta])*
            #[schema(value_type = Object)]
            pub extra: serde_json::Value,
            /// Bumped by every change; sent as the `ETag`.
            #[schema(minimum = 1)]
            pub version: i32,
            pub created_at: chrono::DateTime<chrono::Utc>,
            pub updated_at: chrono::DateTime<chrono::Utc>,
            /// When the listing leaves the market unless its owner confirms it is still available
            /// (`POST …/confirm`); after it, the owner renews it (`POST …/renew`).
            pub expires_at: chrono::DateTime<chrono::Utc>,
            /// When its current review began (`null` when it never waited for one).
            pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
        }

        /// A checked listing ready to insert.
        #[derive(Debug, Clone, diesel::Insertable)]
        #[diesel(table_name = $table)]
        pub struct $new {
            pub organization_id: uuid::Uuid,
            pub title: String,
            pub $body: String,
            pub keywords: Vec<String>,
            pub industries: Vec<String>,
            $( pub $own: $own_ty, )*
            pub region: Option<String>,
            pub region_code: Option<String>,
            pub application_scenario: Option<String>,
            pub status: $status,
            pub source_url: Option<String>,
            pub extra: serde_json::Value,
            pub expires_at: chrono::DateTime<chrono::Utc>,
            pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
        }

        /// Checked changes of a PATCH; `None` leaves a column alone, `Some(None)` clears it.
        #[derive(Debug, Default, diesel::AsChangeset)]
        #[diesel(table_name = $table)]
        pub struct $changes {
            pub title: Option<String>,
            pub $body: Option<String>,
            pub keywords: Option<Vec<String>>,
            pub industries: Option<Vec<String>>,
            $( pub $own: Option<$own_ty>, )*
            pub region: Option<Option<String>>,
            pub region_code: Option<Option<String>>,
            pub application_scenario: Option<Option<String>>,
            pub status: Option<$status>,
            pub source_url: Option<Option<String>>,
            pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
            pub submitted_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
        }

        impl $changes {
            /// Whether the changes touch what review judged: the title, the free text, keywords,
            /// industries or the application scenario.
            pub fn touches_reviewed_text(&self) -> bool {
                self.title.is_some()
                    || self.$body.is_some()
                    || self.keywords.is_some()
                    || self.industries.is_some()
                    || self.application_scenario.is_some()
            }
        }
    };
}

pub(crate) use listing_model;
