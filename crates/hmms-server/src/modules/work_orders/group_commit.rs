//! Group commit for new work orders. Writers are serialized (decision 0002), so when many people
//! report faults at once each create used to wait for every earlier one's whole transaction.
//! Here creates that arrive while one is being written queue up and the next transaction writes
//! all of them: BEGIN, the numbering (one statement per site), the audit chain head's read and
//! write, multi-row inserts of the work orders, history lines, audit entries and events, and
//! COMMIT are shared (decision 0008).
//!
//! Each create is still checked, numbered, audited and announced exactly as on its own. If any
//! create of a batch fails, the batch is rolled back and its creates are written one by one, so
//! one bad create never takes the others down with it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::dto::WorkOrderDto;
use hmms_store::entities::{work_order, work_order_history};
use sea_orm::{EntityTrait, IntoActiveModel};

use super::service::{Built, NewWorkOrder, announce_new, build_new, insert_new, reserve_codes};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// At most this many creates share a transaction: enough to drain a busy queue, few enough
/// that the first of them does not wait long for the last.
const MAX_BATCH: usize = 32;

struct Job {
    principal: Principal,
    new: NewWorkOrder,
    now: DateTime<Utc>,
    reply: oneshot::Sender<ApiResult<WorkOrderDto>>,
}

/// The queue in front of the writer; the writer task starts with the first create.
#[derive(Default)]
pub struct CreateQueue {
    sender: std::sync::OnceLock<mpsc::UnboundedSender<Job>>,
}

/// Writes a checked new work order, together with any others waiting, and answers with it.
pub async fn submit(
    state: &AppState,
    p: &Principal,
    new: NewWorkOrder,
    now: DateTime<Utc>,
) -> ApiResult<WorkOrderDto> {
    let sender = state.creates.sender.get_or_init(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(state.clone(), rx));
        tx
    });
    let (reply, answer) = oneshot::channel();
    sender
        .send(Job {
            principal: p.clone(),
            new,
            now,
            reply,
        })
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("the work-order writer has stopped")))?;
    answer.await.map_err(|_| {
        ApiError::Internal(anyhow::anyhow!("the work-order writer dropped a create"))
    })?
}

async fn writer(state: AppState, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        // A client that went away still gets its work order written: it was accepted.
        if jobs.len() == 1 {
            let job = jobs.pop().expect("one job");
            let result = write_one(&state, &job).await;
            let _ = job.reply.send(result);
            continue;
        }
        match write_batch(&state, &jobs).await {
            Ok(dtos) => {
                for (job, dto) in jobs.into_iter().zip(dtos) {
                    let _ = job.reply.send(Ok(dto));
                }
            }
            Err(e) => {
                tracing::warn!(creates = jobs.len(), error = %e, "a batch of creates failed; writing them one by one");
                for job in jobs {
                    let result = write_one(&state, &job).await;
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}

async fn write_one(state: &AppState, job: &Job) -> ApiResult<WorkOrderDto> {
    let tx = state.begin_write().await?;
    let dto = insert_new(&tx, &job.principal, job.new.clone(), job.now).await?;
    tx.commit().await?;
    Ok(dto)
}

async fn write_batch(state: &AppState, jobs: &[Job]) -> ApiResult<Vec<WorkOrderDto>> {
    let tx = state.begin_write().await?;
    // Number the batch with one statement per site and year instead of one per create.
    let mut codes = vec![String::new(); jobs.len()];
    let mut groups: BTreeMap<(Uuid, Uuid, i32), Vec<usize>> = BTreeMap::new();
    for (i, job) in jobs.iter().enumerate() {
        groups
            .entry((job.principal.org(), job.new.site_id, job.now.year()))
            .or_default()
            .push(i);
    }
    for ((org, site, year), members) in groups {
        let reserved = reserve_codes(&tx, org, site, year, members.len()).await?;
        for (i, code) in members.into_iter().zip(reserved) {
            codes[i] = code;
        }
    }
    let built: Vec<Built> = jobs
        .iter()
        .zip(codes)
        .map(|(job, code)| build_new(&job.principal, job.new.clone(), code, job.now))
        .collect();
    let backend = sea_orm::ConnectionTrait::get_database_backend(&*tx);
    // The rows and history lines of the whole batch, in a few multi-row statements.
    let rows: Vec<work_order::ActiveModel> = built
        .iter()
        .map(|b| b.row.clone().into_active_model())
        .collect();
    let size =
        |w: &work_order::ActiveModel| w.title.as_ref().len() + w.description.as_ref().len() + 600;
    for run in crate::audit::batches_for(backend, &rows, size) {
        work_order::Entity::insert_many(run.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }
    let history: Vec<work_order_history::ActiveModel> =
        built.iter().map(|b| b.history.clone()).collect();
    for run in crate::audit::batches_for(backend, &history, |h| h.detail.as_ref().len()) {
        work_order_history::Entity::insert_many(run.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }
    let mut out = Vec::with_capacity(jobs.len());
    for (job, b) in jobs.iter().zip(built) {
        out.push(announce_new(&tx, &job.principal, b).await?);
    }
    tx.commit().await?;
    Ok(out)
}
