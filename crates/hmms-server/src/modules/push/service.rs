//! Subscriptions: each person manages their own.

use hmms_store::entities::push_subscription;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::crypto::{self, SubscriberKeys};
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::state::AppState;

/// The key browsers pass to `pushManager.subscribe` as `applicationServerKey`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VapidKey {
    /// Uncompressed P-256 public key, base64url.
    pub public_key: String,
}

/// The keys of a `PushSubscription`, as `subscription.toJSON().keys` gives them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

/// A browser's push subscription (`subscription.toJSON()` without `expirationTime`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSubscription {
    /// The push service URL the browser was given.
    #[schema(example = "https://fcm.googleapis.com/fcm/send/c1KrmpTuRm…")]
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// Ignored; accepted because browsers include it.
    pub expiration_time: Option<i64>,
}

/// A device that receives your pushes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionDto {
    pub id: Uuid,
    pub endpoint: String,
    pub user_agent: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn dto(m: push_subscription::Model) -> SubscriptionDto {
    SubscriptionDto {
        id: m.id,
        endpoint: m.endpoint,
        user_agent: m.user_agent,
        created_at: m.created_at,
        last_success_at: m.last_success_at,
    }
}

pub fn endpoint_hash(endpoint: &str) -> String {
    hex::encode(Sha256::digest(endpoint.as_bytes()))
}

pub fn vapid_key(state: &AppState) -> VapidKey {
    VapidKey {
        public_key: crypto::public_key_b64(&state.keys.vapid),
    }
}

/// Push services are HTTPS hosts on the internet ([`super::address`]): the URL, and the
/// addresses its host resolves to now.
async fn check_endpoint(raw: &str, loopback: bool) -> Result<String, String> {
    let raw = raw.trim();
    if raw.len() > 2048 {
        return Err("must be at most 2048 characters".into());
    }
    let url = super::address::check_url(raw, loopback).map_err(String::from)?;
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    super::address::resolve(
        host.trim_start_matches('[').trim_end_matches(']'),
        port,
        loopback,
    )
    .await
    .map_err(|e| format!("must reach a push service on the internet: {e}"))?;
    Ok(raw.to_string())
}

pub async fn list(state: &AppState, p: &Principal) -> ApiResult<Vec<SubscriptionDto>> {
    Ok(push_subscription::Entity::find()
        .filter(push_subscription::Column::UserId.eq(p.id()))
        .order_by_asc(push_subscription::Column::CreatedAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(dto)
        .collect())
}

/// Subscribes the caller's device. The same endpoint again (the browser renewed its keys, or
/// someone else signed in on the device) replaces the old subscription.
pub async fn subscribe(
    state: &AppState,
    p: &Principal,
    body: CreateSubscription,
) -> ApiResult<SubscriptionDto> {
    let mut errors = hmms_domain::validate::Errors::default();
    let endpoint = errors.check(
        "endpoint",
        check_endpoint(&body.endpoint, state.config.push_allow_loopback).await,
    );
    if let Err(e) = SubscriberKeys::parse(&body.keys.p256dh, &body.keys.auth) {
        let field = if e.starts_with("auth") {
            "keys.auth"
        } else {
            "keys.p256dh"
        };
        errors.add(field, e);
    }
    errors.into_result()?;
    let endpoint = parsed(endpoint, "endpoint")?;
    let hash = endpoint_hash(&endpoint);
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let existing = push_subscription::Entity::find()
        .filter(push_subscription::Column::EndpointHash.eq(hash.as_str()))
        .one(&*tx)
        .await?;
    let before = existing.clone().map(dto);
    let saved = match existing {
        Some(old) => {
            let mut m = old.into_active_model();
            m.organization_id = Set(p.org());
            m.user_id = Set(p.id());
            m.p256dh = Set(body.keys.p256dh.trim().to_string());
            m.auth = Set(body.keys.auth.trim().to_string());
            m.user_agent = Set(p.meta.user_agent.clone());
            m.failures = Set(0);
            m.update(&*tx).await?
        }
        None => {
            push_subscription::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(p.org()),
                user_id: Set(p.id()),
                endpoint: Set(endpoint),
                endpoint_hash: Set(hash),
                p256dh: Set(body.keys.p256dh.trim().to_string()),
                auth: Set(body.keys.auth.trim().to_string()),
                user_agent: Set(p.meta.user_agent.clone()),
                created_at: Set(now),
                last_success_at: Set(None),
                failures: Set(0),
            }
            .insert(&*tx)
            .await?
        }
    };
    let out = dto(saved);
    let change = Change {
        action: "push_subscription.created",
        entity_type: "push_subscription",
        entity_id: Some(out.id.to_string()),
        before: before.map(serde_json::to_value).transpose()?,
        after: Some(serde_json::to_value(&out)?),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn unsubscribe(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<()> {
    let tx = state.begin_write().await?;
    let sub = push_subscription::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .filter(|s| s.user_id == p.id())
        .ok_or_else(|| ApiError::not_found("push subscription"))?;
    let before = dto(sub.clone());
    sub.delete(&*tx).await?;
    let change = Change {
        action: "push_subscription.deleted",
        entity_type: "push_subscription",
        entity_id: Some(id.to_string()),
        before: Some(serde_json::to_value(&before)?),
        after: None,
    };
    audit::record(&tx, state.clock.now(), &p.who(), change).await?;
    tx.commit().await?;
    Ok(())
}
