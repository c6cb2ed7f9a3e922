//! The challenge lifecycle as pure rules: which moves exist and who may make them. No database
//! and no clock: callers pass "now" from [`crate::clock::Clock`].
//!
//! ```text
//! draft ──submit──▶ screening ──approve (admin)──▶ open ──window ends (scheduler)──▶ closed
//!   ▲                  │ return (admin)                                               │ (admin)
//!   └──────────────────┘                                   awarded ◀──award── evaluating
//!                                                          no_award ◀─────────┘
//! any status before awarded / no_award ──▶ cancelled (the owner before publication, admins always)
//! ```

use chrono::{DateTime, Utc};

use crate::vocab::ChallengeStatus::{self, *};

/// Who asks for a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member of the challenge's organisation (the demand's enterprise).
    Owner,
    /// A department admin.
    Admin,
    /// The scheduler, when the window ends.
    Scheduler,
}

/// The statuses a challenge in `from` may move to, by anyone.
pub fn allowed_moves(from: ChallengeStatus) -> &'static [ChallengeStatus] {
    match from {
        Draft => &[Screening, Cancelled],
        Screening => &[Open, Draft, Cancelled],
        Open => &[Closed, Cancelled],
        Closed => &[Evaluating, Cancelled],
        Evaluating => &[Awarded, NoAward, Cancelled],
        Awarded | NoAward | Cancelled => &[],
    }
}

/// Whether `actor` may make the move `from` → `to` (when the lifecycle allows it at all): the
/// owner submits a draft and cancels before publication; the scheduler closes an open challenge;
/// admins make every move.
pub fn may(actor: Actor, from: ChallengeStatus, to: ChallengeStatus) -> bool {
    match actor {
        Actor::Admin => true,
        Actor::Owner => matches!((from, to), (Draft, Screening) | (Draft | Screening, Cancelled)),
        Actor::Scheduler => (from, to) == (Open, Closed),
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 409 `illegal_transition`: the lifecycle has no such move; `allowed` are those it has.
    Illegal { allowed: Vec<ChallengeStatus> },
    /// 403: the move exists but not for this actor.
    NotYours,
}

/// Checks the move `from` → `to` by `actor`.
pub fn check(actor: Actor, from: ChallengeStatus, to: ChallengeStatus) -> Result<(), Refusal> {
    let allowed = allowed_moves(from);
    if !allowed.contains(&to) {
        return Err(Refusal::Illegal { allowed: allowed.to_vec() });
    }
    if !may(actor, from, to) {
        return Err(Refusal::NotYours);
    }
    Ok(())
}

/// The moves `actor` may ask for through the status endpoint (`awarded` comes with the award).
pub fn moves_for(actor: Actor, from: ChallengeStatus) -> Vec<ChallengeStatus> {
    allowed_moves(from).iter().copied().filter(|&to| to != Awarded && may(actor, from, to)).collect()
}

/// Whether a challenge in `status` with this window takes applications at `now`.
pub fn accepts_applications(
    status: ChallengeStatus,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    status == Open && opens_at <= now && now < closes_at
}

/// Whether an application may still be withdrawn: until the window closes.
pub fn may_withdraw(status: ChallengeStatus, closes_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == Open && now < closes_at
}

/// Whether a challenge in `status` is shown to everyone (published once, and not a draft).
pub fn is_public(status: ChallengeStatus, opened: bool) -> bool {
    matches!(status, Open | Closed | Evaluating | Awarded | NoAward) || (status == Cancelled && opened)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn every_status_reaches_an_end() {
        for &s in ChallengeStatus::ALL {
            let mut at = s;
            for _ in 0..10 {
                match allowed_moves(at).iter().find(|&&to| to != Draft && to != Cancelled) {
                    Some(&next) => at = next,
                    None => break,
                }
            }
            assert!(allowed_moves(at).is_empty() || at == Evaluating, "{s} stops at {at}");
        }
        assert!(allowed_moves(Awarded).is_empty() && allowed_moves(NoAward).is_empty());
        assert!(allowed_moves(Cancelled).is_empty());
    }

    #[test]
    fn the_owner_submits_and_cancels_before_publication_only() {
        assert_eq!(check(Actor::Owner, Draft, Screening), Ok(()));
        assert_eq!(check(Actor::Owner, Screening, Open), Err(Refusal::NotYours));
        assert_eq!(check(Actor::Owner, Open, Cancelled), Err(Refusal::NotYours));
        assert_eq!(check(Actor::Owner, Screening, Cancelled), Ok(()));
        assert_eq!(check(Actor::Admin, Screening, Open), Ok(()));
        assert_eq!(check(Actor::Scheduler, Open, Closed), Ok(()));
        assert_eq!(check(Actor::Scheduler, Open, Cancelled), Err(Refusal::NotYours));
    }

    #[test]
    fn no_skipping_stages() {
        assert_eq!(check(Actor::Admin, Draft, Open), Err(Refusal::Illegal { allowed: vec![Screening, Cancelled] }));
        assert!(matches!(check(Actor::Admin, Open, Evaluating), Err(Refusal::Illegal { .. })));
        assert!(matches!(check(Actor::Admin, Closed, Awarded), Err(Refusal::Illegal { .. })));
        assert!(matches!(check(Actor::Admin, Awarded, Cancelled), Err(Refusal::Illegal { .. })));
        assert_eq!(moves_for(Actor::Admin, Evaluating), vec![NoAward, Cancelled]);
        assert_eq!(moves_for(Actor::Owner, Draft), vec![Screening, Cancelled]);
    }

    #[test]
    fn the_window_is_half_open() {
        let opens = Utc::now();
        let closes = opens + Duration::days(10);
        assert!(!accepts_applications(Open, opens, closes, opens - Duration::seconds(1)));
        assert!(accepts_applications(Open, opens, closes, opens));
        assert!(!accepts_applications(Open, opens, closes, closes));
        assert!(!accepts_applications(Closed, opens, closes, opens));
        assert!(may_withdraw(Open, closes, closes - Duration::seconds(1)));
        assert!(!may_withdraw(Closed, closes, opens));
    }
}
