//! Reads recent sign-in attempts and decides whether an account or address must wait.

use chrono::{DateTime, Utc};
use hmms_domain::throttle::{self, locked_until};
use hmms_store::entities::login_attempt;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

async fn locked(
    db: &impl ConnectionTrait,
    col: login_attempt::Column,
    value: &str,
    free: u32,
    reset_on_success: bool,
    now: DateTime<Utc>,
) -> ApiResult<Option<DateTime<Utc>>> {
    let mut since = now - throttle::WINDOW;
    if reset_on_success
        && let Some(ok) = login_attempt::Entity::find()
            .filter(col.eq(value))
            .filter(login_attempt::Column::Success.eq(true))
            .filter(login_attempt::Column::CreatedAt.gt(since))
            .order_by_desc(login_attempt::Column::CreatedAt)
            .one(db)
            .await?
    {
        since = ok.created_at;
    }
    let failures = login_attempt::Entity::find()
        .filter(col.eq(value))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::CreatedAt.gt(since))
        .order_by_desc(login_attempt::Column::CreatedAt)
        .all(db)
        .await?;
    let Some(last) = failures.first() else {
        return Ok(None);
    };
    Ok(locked_until(failures.len() as u32, free, last.created_at).filter(|until| *until > now))
}

/// Fails with 429 while the e-mail address (5 failures) or the client address (20 failures)
/// is locked. The same answer for known and unknown addresses.
pub async fn check(
    db: &impl ConnectionTrait,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let by_email = locked(
        db,
        login_attempt::Column::Email,
        email,
        throttle::ACCOUNT_FREE_FAILURES,
        true,
        now,
    )
    .await?;
    let by_ip = locked(
        db,
        login_attempt::Column::Ip,
        ip,
        throttle::IP_FREE_FAILURES,
        false,
        now,
    )
    .await?;
    if let Some(until) = by_email.into_iter().chain(by_ip).max() {
        let secs = (until - now).num_seconds().max(1);
        return Err(ApiError::TooManyRequests {
            detail: format!(
                "Too many failed sign-in attempts. Try again in {} minute(s).",
                (secs + 59) / 60
            ),
            retry_after_secs: secs,
        });
    }
    Ok(())
}

pub async fn note(
    db: &impl ConnectionTrait,
    email: &str,
    ip: &str,
    success: bool,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    login_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_string()),
        ip: Set(ip.to_string()),
        success: Set(success),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}
