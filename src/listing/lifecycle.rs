//! The listing lifecycle as pure rules (docs/API.md, **Listing lifecycle**): where each status
//! stands ([`Phase`]), which status an owner's request leads to, where a submission lands
//! (on the market, in review, or expired when its date has passed) and when a listing expires.
//! No database and no clock here: callers pass "now" from [`crate::clock::Clock`].
//!
//! ```text
//! draft ──submit──▶ pending_review ──approve──▶ on the market ──expiry──▶ expired
//!   ▲  (verified: straight to the market)  │                ▲  │ confirm        │ renew
//!   │                 request_changes ◀────┤ reject         │  └─(validity restarts)
//!   └──── changes_requested ──submit──▶ ...│──▶ rejected     └──────────────────┘
//! ```

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::kind::Kind;
use crate::config::LifecycleConfig;
use crate::vocab::{ListingKind, Vocabulary};

/// Where a status stands, in the same words for both kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Draft,
    PendingReview,
    ChangesRequested,
    Rejected,
    /// Published (supply) or open (demand): public and a match candidate.
    OnMarket,
    /// A demand's `closed`: public, not a candidate.
    Closed,
    Expired,
    /// Archived (supply) or withdrawn (demand).
    OffMarket,
}

impl<S: Vocabulary> Kind<S> {
    /// The phase of `status`.
    pub fn phase(&self, status: S) -> Phase {
        if status == self.candidate {
            Phase::OnMarket
        } else if status == self.pending_review {
            Phase::PendingReview
        } else if status == self.changes_requested {
            Phase::ChangesRequested
        } else if status == self.rejected {
            Phase::Rejected
        } else if status == self.expired {
            Phase::Expired
        } else if status == self.off_market {
            Phase::OffMarket
        } else if Some(status) == self.closed {
            Phase::Closed
        } else {
            Phase::Draft
        }
    }
}

/// The lifecycle settings (`TECHMATCH_VERIFIED_PUBLISH_DIRECTLY`, `…_VALIDITY_DAYS`,
/// `TECHMATCH_EXPIRY_REMINDER_DAYS`, `TECHMATCH_REQUIRE_EMAIL_VERIFICATION`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// Verified organisations' listings skip review.
    pub verified_publish_directly: bool,
    /// How long a supply stays on the market.
    pub supply_validity: Duration,
    /// How long a demand without a deadline stays on the market.
    pub demand_validity: Duration,
    /// Days before expiry at which reminders are queued, largest first, without duplicates.
    pub reminder_days: Vec<i32>,
    /// Days without a move after which an open connection is stale.
    pub connection_stale_days: i32,
    /// Users put listings on the market and open connections only once their e-mail is verified.
    pub require_email_verification: bool,
}

impl From<&LifecycleConfig> for Lifecycle {
    fn from(config: &LifecycleConfig) -> Self {
        let mut reminder_days: Vec<i32> =
            config.expiry_reminder_days.iter().filter_map(|d| i32::try_from(*d).ok()).collect();
        reminder_days.sort_unstable_by(|a, b| b.cmp(a));
        reminder_days.dedup();
        Self {
            verified_publish_directly: config.verified_publish_directly,
            supply_validity: Duration::days(i64::from(config.supply_validity_days)),
            demand_validity: Duration::days(i64::from(config.demand_validity_days)),
            reminder_days,
            connection_stale_days: i32::try_from(config.connection_stale_days).unwrap_or(14),
            require_email_verification: config.require_email_verification,
        }
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::from(&LifecycleConfig::default())
    }
}

/// China's offset from UTC (no daylight saving): deadlines are days in China.
const CHINA_OFFSET_HOURS: i64 = 8;

/// The end of deadline day `day` in China (UTC+8): the next day's 00:00 there.
pub fn end_of_day_in_china(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    next.and_time(NaiveTime::MIN).and_utc() - Duration::hours(CHINA_OFFSET_HOURS)
}

impl Lifecycle {
    /// Whether a listing of an organisation with this verification skips review (admins acting
    /// for the department always do).
    pub fn publishes_directly(&self, verified: bool, admin: bool) -> bool {
        admin || (verified && self.verified_publish_directly)
    }

    /// When a listing of `kind` put on the market at `now` expires: the end of its deadline day
    /// in China when it has a deadline, otherwise `now` plus the kind's validity.
    pub fn expiry(&self, kind: ListingKind, deadline: Option<NaiveDate>, now: DateTime<Utc>) -> DateTime<Utc> {
        match (kind, deadline) {
            (_, Some(day)) => end_of_day_in_china(day),
            (ListingKind::Supply, None) => now + self.supply_validity,
            (ListingKind::Demand, None) => now + self.demand_validity,
        }
    }
}

/// Where a listing goes when it is put forward for the market at `now`, expiring at
/// `expires_at`: `expired` when that has passed (a demand whose deadline is over is never on the
/// market), else straight onto the market when `direct`, else into review.
pub fn entry<S: Vocabulary>(kind: &Kind<S>, direct: bool, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> S {
    if expires_at <= now {
        kind.expired
    } else if direct {
        kind.candidate
    } else {
        kind.pending_review
    }
}

/// What the status an owner asks for (a body's `status`) leads to from `current` (`None`: a
/// listing being created).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<S> {
    /// Nothing changes.
    Stay,
    /// A plain move to this status.
    Move(S),
    /// A submission: [`entry`] decides (market, review or expired).
    Submit,
}

/// A move the lifecycle does not allow: from where, to what, and what the body may ask for here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused<S> {
    pub from: S,
    pub to: S,
    pub allowed: Vec<S>,
}

/// What asking for `requested` does from `current` (see docs/API.md for the table). The
/// off-market and rejected statuses refuse every change before this is asked.
pub fn request<S: Vocabulary>(kind: &Kind<S>, current: Option<S>, requested: S) -> Result<Request<S>, Refused<S>> {
    let wants = kind.phase(requested);
    let Some(current) = current else {
        return match wants {
            Phase::Draft => Ok(Request::Move(kind.draft)),
            Phase::OnMarket => Ok(Request::Submit),
            _ => Err(Refused { from: kind.draft, to: requested, allowed: vec![kind.draft, kind.candidate] }),
        };
    };
    let from = kind.phase(current);
    if requested == current {
        return Ok(Request::Stay);
    }
    let closed: Vec<S> = kind.closed.into_iter().collect();
    let allowed: Vec<S> = match from {
        Phase::Draft | Phase::ChangesRequested | Phase::Closed => vec![kind.draft, kind.candidate],
        Phase::PendingReview => vec![kind.draft, kind.candidate],
        Phase::OnMarket => [vec![kind.draft, kind.candidate], closed].concat(),
        Phase::Expired => vec![kind.draft],
        Phase::Rejected | Phase::OffMarket => Vec::new(),
    };
    let allowed: Vec<S> = allowed.into_iter().filter(|s| *s != current).collect();
    if !allowed.contains(&requested) {
        let mut listed = allowed;
        listed.push(current);
        listed.sort_by_key(|s| kind_order(kind, *s));
        listed.dedup();
        return Err(Refused { from: current, to: requested, allowed: listed });
    }
    Ok(match (from, wants) {
        // Taking a submission back, or a listing off the market, into the drafts.
        (_, Phase::Draft) => Request::Move(kind.draft),
        // Already submitted: it stays in the queue.
        (Phase::PendingReview, Phase::OnMarket) => Request::Stay,
        (_, Phase::OnMarket) => Request::Submit,
        (_, _) => Request::Move(requested),
    })
}

/// A stable order of a kind's statuses (their declaration order), for messages.
fn kind_order<S: Vocabulary>(_kind: &Kind<S>, status: S) -> usize {
    S::ALL.iter().position(|s| *s == status).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demands::model::Demand;
    use crate::listing::Listing;
    use crate::supplies::model::Supply;
    use crate::vocab::{DemandStatus as D, SupplyStatus as S};

    #[test]
    fn every_status_has_its_phase() {
        let k = Supply::KIND;
        let phases: Vec<Phase> = S::ALL.iter().map(|s| k.phase(*s)).collect();
        use Phase::*;
        assert_eq!(phases, [Draft, PendingReview, ChangesRequested, Rejected, OnMarket, Expired, OffMarket]);
        let k = Demand::KIND;
        let phases: Vec<Phase> = D::ALL.iter().map(|s| k.phase(*s)).collect();
        assert_eq!(phases, [Draft, PendingReview, ChangesRequested, Rejected, OnMarket, Closed, Expired, OffMarket]);
    }

    #[test]
    fn creating_asks_for_a_draft_or_a_submission() {
        let k = Supply::KIND;
        assert_eq!(request(&k, None, S::Draft), Ok(Request::Move(S::Draft)));
        assert_eq!(request(&k, None, S::Published), Ok(Request::Submit));
        let k = Demand::KIND;
        assert_eq!(request(&k, None, D::Open), Ok(Request::Submit));
        let refused = request(&k, None, D::Closed).unwrap_err();
        assert_eq!(refused.allowed, [D::Draft, D::Open]);
    }

    #[test]
    fn owners_submit_take_back_and_close() {
        let k = Demand::KIND;
        assert_eq!(request(&k, Some(D::Draft), D::Open), Ok(Request::Submit));
        assert_eq!(request(&k, Some(D::ChangesRequested), D::Open), Ok(Request::Submit));
        assert_eq!(request(&k, Some(D::PendingReview), D::Open), Ok(Request::Stay), "already in the queue");
        assert_eq!(request(&k, Some(D::PendingReview), D::Draft), Ok(Request::Move(D::Draft)));
        assert_eq!(request(&k, Some(D::Open), D::Closed), Ok(Request::Move(D::Closed)));
        assert_eq!(request(&k, Some(D::Closed), D::Open), Ok(Request::Submit), "reopening is a submission");
        assert_eq!(request(&k, Some(D::Open), D::Open), Ok(Request::Stay));
        assert_eq!(request(&k, Some(D::Expired), D::Draft), Ok(Request::Move(D::Draft)));
    }

    #[test]
    fn illegal_moves_say_what_is_allowed() {
        let k = Demand::KIND;
        let refused = request(&k, Some(D::Expired), D::Open).unwrap_err();
        assert_eq!((refused.from, refused.to), (D::Expired, D::Open));
        assert_eq!(refused.allowed, [D::Draft, D::Expired], "renewal has its own endpoint");
        let refused = request(&k, Some(D::Draft), D::Closed).unwrap_err();
        assert_eq!(refused.allowed, [D::Draft, D::Open]);
        assert!(request(&k, Some(D::PendingReview), D::Closed).is_err());
        let k = Supply::KIND;
        assert_eq!(request(&k, Some(S::Rejected), S::Published).unwrap_err().allowed, [S::Rejected]);
    }

    #[test]
    fn a_submission_lands_by_verification_and_date() {
        let now = Utc::now();
        let (k, later, earlier) = (Supply::KIND, now + Duration::days(1), now - Duration::seconds(1));
        assert_eq!(entry(&k, true, later, now), S::Published);
        assert_eq!(entry(&k, false, later, now), S::PendingReview);
        assert_eq!(entry(&k, true, earlier, now), S::Expired, "a past deadline is never on the market");
        assert_eq!(entry(&k, false, now, now), S::Expired);
        let l = Lifecycle::default();
        assert!(l.publishes_directly(true, false) && !l.publishes_directly(false, false));
        assert!(l.publishes_directly(false, true), "admins act for the department");
        let l = Lifecycle { verified_publish_directly: false, ..Lifecycle::default() };
        assert!(!l.publishes_directly(true, false));
    }

    #[test]
    fn expiry_is_the_deadline_in_china_or_the_validity() {
        let l = Lifecycle::default();
        let now = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(l.expiry(ListingKind::Supply, None, now), now + Duration::days(365));
        assert_eq!(l.expiry(ListingKind::Demand, None, now), now + Duration::days(180));
        let day = NaiveDate::from_ymd_opt(2027, 6, 30).unwrap();
        let end = l.expiry(ListingKind::Demand, Some(day), now);
        assert_eq!(end.to_rfc3339(), "2027-06-30T16:00:00+00:00", "midnight after 30 June in Beijing");
        assert_eq!(l.reminder_days, [7, 1]);
    }
}
