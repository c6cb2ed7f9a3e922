//! The facts the shared listing code needs about each kind of listing ([`Kind`], [`Head`],
//! [`Listing`]). The lowest module of `listing`: its siblings import it, it imports none of them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::completeness::Facts;
use crate::error::ErrorCode;
use crate::vocab::{ListingKind, Vocabulary};
use matching::{Document, Side};

/// The words and statuses that tell one kind of listing from the other; `S` is the kind's
/// status vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct Kind<S: 'static> {
    /// The noun in messages, e.g. `supply` (as in 404 `supply <id>`).
    pub noun: &'static str,
    /// The collection's path, e.g. `/api/v1/supplies`.
    pub path: &'static str,
    /// The status that takes a listing off the market, e.g. `archived`.
    pub off_market: S,
    /// The 409 `code` when an off-market listing is changed, named like the status (`archived`).
    pub off_market_code: ErrorCode,
    /// The endpoint (below `{path}/{id}/`) and verb that take a listing off the market, e.g. `archive`.
    pub off_market_action: &'static str,
    /// The 409 detail when an off-market listing is changed.
    pub off_market_detail: &'static str,
    /// The statuses everyone may see, e.g. `published`; the others are private to the owning
    /// organisation (and admins).
    pub public: &'static [S],
    /// The status of match candidates, e.g. `published`.
    pub candidate: S,
    /// The matching engine's side for this kind.
    pub side: Side,
    /// The kind's name in events, the review queue and notifications.
    pub kind: ListingKind,
    /// The private status a listing is written in.
    pub draft: S,
    /// Submitted, waiting for review.
    pub pending_review: S,
    /// Sent back by review for changes.
    pub changes_requested: S,
    /// Refused by review.
    pub rejected: S,
    /// Past its expiry.
    pub expired: S,
    /// A public status off the candidates that the owner may set on a listing on the market
    /// (a demand's `closed`), if the kind has one.
    pub closed: Option<S>,
}

/// The columns every listing has that the shared code reads.
#[derive(Debug, Clone, Copy)]
pub struct Head<S> {
    /// The listing's id.
    pub id: Uuid,
    /// The owning organisation.
    pub organization_id: Uuid,
    /// The version, bumped by every change.
    pub version: i32,
    /// The status.
    pub status: S,
    /// When it leaves the market.
    pub expires_at: DateTime<Utc>,
    /// When its current review began.
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A stored listing (a supply or a demand) as the shared code sees it.
pub trait Listing: Serialize + Send + Sized + 'static {
    /// The kind's status vocabulary.
    type Status: Vocabulary;

    /// What tells this kind from the other.
    const KIND: Kind<Self::Status>;

    /// The columns the shared code reads.
    fn head(&self) -> Head<Self::Status>;
    /// The matching engine's document of the listing.
    fn document(&self) -> Document;
    /// What its completeness report checks, but for the organisation's contact.
    fn facts(&self) -> Facts;
    /// The last day the listing stands, when it says so itself (a demand's deadline).
    fn deadline(&self) -> Option<NaiveDate> {
        None
    }
    /// The title, for notifications.
    fn title(&self) -> &str;
    /// The GB/T 2260 code of its region, when it has one the vocabulary knows.
    fn region_code(&self) -> Option<&str>;

    /// The listing's id.
    fn id(&self) -> Uuid {
        self.head().id
    }

    /// The owning organisation.
    fn organization_id(&self) -> Uuid {
        self.head().organization_id
    }

    /// The version, bumped by every change and sent as the `ETag`.
    fn version(&self) -> i32 {
        self.head().version
    }

    /// The status.
    fn status(&self) -> Self::Status {
        self.head().status
    }

    /// When it leaves the market.
    fn expires_at(&self) -> DateTime<Utc> {
        self.head().expires_at
    }

    /// When its current review began.
    fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.head().submitted_at
    }

    /// Whether everyone may see the listing (in one of the [`Kind::public`] statuses).
    fn is_public(&self) -> bool {
        Self::KIND.public.contains(&self.status())
    }

    /// Whether the listing is a match candidate (in status [`Kind::candidate`]).
    fn is_candidate(&self) -> bool {
        self.status() == Self::KIND.candidate
    }
}

/// The 404 detail of a listing of kind `L`, e.g. `supply <id>`, made when needed (see
/// [`crate::db::FoundExtension`]).
pub fn what<L: Listing>(id: Uuid) -> impl FnOnce() -> String {
    move || format!("{} {id}", L::KIND.noun)
}
