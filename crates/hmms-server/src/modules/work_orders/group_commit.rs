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

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::dto::WorkOrderDto;
use super::record::{NewWorkOrder, Notice, Raise, Raiser, raise_many};
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
    let queue = &state.registered::<super::Wiring>()?.creates;
    let sender = queue.sender.get_or_init(|| {
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
            for job in jobs {
                let result = write(&state, std::slice::from_ref(&job)).await;
                let _ = job.reply.send(result.and_then(one));
            }
            continue;
        }
        match write(&state, &jobs).await {
            Ok(dtos) => {
                for (job, dto) in jobs.into_iter().zip(dtos) {
                    let _ = job.reply.send(Ok(dto));
                }
            }
            Err(e) => {
                tracing::warn!(creates = jobs.len(), error = %e, "a batch of creates failed; writing them one by one");
                for job in jobs {
                    let result = write(&state, std::slice::from_ref(&job)).await;
                    let _ = job.reply.send(result.and_then(one));
                }
            }
        }
    }
}

fn one(mut dtos: Vec<WorkOrderDto>) -> ApiResult<WorkOrderDto> {
    dtos.pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a create wrote nothing")))
}

/// Writes the creates in one transaction through the front door.
async fn write(state: &AppState, jobs: &[Job]) -> ApiResult<Vec<WorkOrderDto>> {
    let tx = state.begin_write().await?;
    let raises = jobs
        .iter()
        .map(|job| Raise {
            by: Raiser::Person(&job.principal),
            new: job.new.clone(),
            at: job.now,
            notice: Notice::Assignees,
        })
        .collect();
    let raised = raise_many(&tx, raises).await?;
    tx.commit().await?;
    raised
        .into_iter()
        .map(|r| {
            r.view.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("a raised work order has no view"))
            })
        })
        .collect()
}
