//! Storing subscriptions and listings' opt-outs. Every query takes a connection; handlers reach
//! them through `db::run`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Checked, Subscription};
use crate::db::schema::{listing_match_optouts as o, subscriptions as s};
use crate::error::ApiError;
use crate::vocab::ListingKind;

/// Upper bound of subscriptions per user (a bounded list, and bounded matching work).
pub const MAX_PER_USER: i64 = 100;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("subscription {id}"))
}

/// Stores a new subscription of `user` (of `organization`), at `now`. 409 `conflict` past
/// [`MAX_PER_USER`].
pub fn insert(
    conn: &mut PgConnection,
    user: Uuid,
    organization: Uuid,
    new: &Checked,
    now: DateTime<Utc>,
) -> Result<Subscription, ApiError> {
    conn.transaction(|conn| {
        // one user's subscriptions are counted one insert at a time
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('subscriptions:' || $1::text))")
            .bind::<diesel::sql_types::Uuid, _>(user)
            .execute(conn)?;
        let count: i64 = s::table.filter(s::user_id.eq(user)).count().get_result(conn)?;
        if count >= MAX_PER_USER {
            return Err(ApiError::Conflict {
                code: crate::error::ErrorCode::Conflict,
                detail: format!("a user keeps at most {MAX_PER_USER} subscriptions: delete one first"),
            });
        }
        Ok(diesel::insert_into(s::table)
            .values((
                s::id.eq(Uuid::new_v4()),
                s::user_id.eq(user),
                s::organization_id.eq(organization),
                s::name.eq(&new.name),
                s::target.eq(new.target),
                s::query_text.eq(&new.query_text),
                s::keywords.eq(&new.keywords),
                s::industries.eq(&new.industries),
                s::region.eq(&new.region),
                s::trl_min.eq(new.trl_min),
                s::trl_max.eq(new.trl_max),
                s::modes.eq(new.modes.iter().map(|m| m.as_str()).collect::<Vec<_>>()),
                s::min_score.eq(new.min_score),
                s::frequency.eq(new.frequency),
                s::created_at.eq(now),
                s::updated_at.eq(now),
            ))
            .returning(Subscription::as_returning())
            .get_result(conn)?)
    })
}

/// The subscription `id` of `user`; 404 when absent or another user's.
pub fn get(conn: &mut PgConnection, user: Uuid, id: Uuid) -> Result<Subscription, ApiError> {
    s::table
        .filter(s::id.eq(id).and(s::user_id.eq(user)))
        .select(Subscription::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// A page of `user`'s subscriptions, newest first, and their total.
pub fn list(
    conn: &mut PgConnection,
    user: Uuid,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Subscription>, i64), ApiError> {
    let total: i64 = s::table.filter(s::user_id.eq(user)).count().get_result(conn)?;
    let items = s::table
        .filter(s::user_id.eq(user))
        .order((s::created_at.desc(), s::id))
        .offset(offset)
        .limit(limit)
        .select(Subscription::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Replaces the subscription `id` of `user`; 404 when absent or another user's.
pub fn replace(
    conn: &mut PgConnection,
    user: Uuid,
    id: Uuid,
    new: &Checked,
    now: DateTime<Utc>,
) -> Result<Subscription, ApiError> {
    diesel::update(s::table.filter(s::id.eq(id).and(s::user_id.eq(user))))
        .set((
            s::name.eq(&new.name),
            s::target.eq(new.target),
            s::query_text.eq(&new.query_text),
            s::keywords.eq(&new.keywords),
            s::industries.eq(&new.industries),
            s::region.eq(&new.region),
            s::trl_min.eq(new.trl_min),
            s::trl_max.eq(new.trl_max),
            s::modes.eq(new.modes.iter().map(|m| m.as_str()).collect::<Vec<_>>()),
            s::min_score.eq(new.min_score),
            s::frequency.eq(new.frequency),
            s::version.eq(s::version + 1),
            s::updated_at.eq(now),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Deletes the subscription `id` of `user`; 404 when absent or another user's.
pub fn delete(conn: &mut PgConnection, user: Uuid, id: Uuid) -> Result<(), ApiError> {
    let deleted = diesel::delete(s::table.filter(s::id.eq(id).and(s::user_id.eq(user)))).execute(conn)?;
    if deleted == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Every subscription's id and version (the standing index compares them with what it holds).
pub fn versions(conn: &mut PgConnection) -> Result<Vec<(Uuid, i32)>, ApiError> {
    Ok(s::table.select((s::id, s::version)).load(conn)?)
}

/// The subscriptions with these ids.
pub fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Subscription>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        out.extend(s::table.filter(s::id.eq_any(chunk)).select(Subscription::as_select()).load(conn)?);
    }
    Ok(out)
}

/// Sets whether the listing `id` (of `kind`, owned by `organization`) notifies its organisation
/// of new matches.
pub fn set_notify(
    conn: &mut PgConnection,
    kind: ListingKind,
    id: Uuid,
    organization: Uuid,
    notify: bool,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if notify {
        diesel::delete(o::table.find(id)).execute(conn)?;
    } else {
        diesel::insert_into(o::table)
            .values((
                o::listing_id.eq(id),
                o::listing_kind.eq(kind),
                o::organization_id.eq(organization),
                o::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(())
}

/// Whether the listing `id` notifies its organisation of new matches.
pub fn notifies(conn: &mut PgConnection, id: Uuid) -> Result<bool, ApiError> {
    let opted_out: i64 = o::table.filter(o::listing_id.eq(id)).count().get_result(conn)?;
    Ok(opted_out == 0)
}

/// The listings among `ids` that opted out.
pub fn opted_out(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, ApiError> {
    Ok(o::table.filter(o::listing_id.eq_any(ids)).select(o::listing_id).load(conn)?)
}
