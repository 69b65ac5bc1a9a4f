//! Group commit: many concurrent callers' writes go into one transaction (one fsync, one pool
//! checkout) per batch. Each caller still gets its own answer; a batch that fails is retried
//! item by item, so one bad item fails alone.

use super::{DbError, PgPool};
use diesel::{Connection, PgConnection};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Semaphore};

type Apply<I, O> = dyn Fn(&mut PgConnection, &[I]) -> Result<Vec<O>, DbError> + Send + Sync;

struct Job<I, O> {
    item: I,
    reply: oneshot::Sender<Result<O, DbError>>,
}

pub struct GroupCommit<I, O> {
    tx: mpsc::Sender<Job<I, O>>,
}

impl<I, O> Clone for GroupCommit<I, O> {
    fn clone(&self) -> Self {
        GroupCommit {
            tx: self.tx.clone(),
        }
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> GroupCommit<I, O> {
    /// `apply` writes a batch inside a transaction and returns one output per input, in order.
    /// `in_flight` batches commit at once, so the next one fills while another commits.
    pub fn start<F>(pool: PgPool, max_batch: usize, in_flight: usize, apply: F) -> Self
    where
        F: Fn(&mut PgConnection, &[I]) -> Result<Vec<O>, DbError> + Send + Sync + 'static,
    {
        Self::start_lingering(pool, max_batch, in_flight, Duration::ZERO, apply)
    }

    /// [`Self::start`], where a batch that is not full waits up to `linger` for more items. For
    /// writes nobody waits on, such as delivery outcomes: at a steady rate, a transaction (and
    /// its commit, pool checkout and round trips) is shared by several items instead of one.
    pub fn start_lingering<F>(
        pool: PgPool,
        max_batch: usize,
        in_flight: usize,
        linger: Duration,
        apply: F,
    ) -> Self
    where
        F: Fn(&mut PgConnection, &[I]) -> Result<Vec<O>, DbError> + Send + Sync + 'static,
    {
        let (tx, rx) = mpsc::channel(max_batch * in_flight * 2);
        tokio::spawn(run(pool, rx, max_batch, in_flight, linger, Arc::new(apply)));
        GroupCommit { tx }
    }

    pub async fn submit(&self, item: I) -> Result<O, DbError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { item, reply })
            .await
            .map_err(|_| DbError::Join("group commit stopped".into()))?;
        answer
            .await
            .map_err(|_| DbError::Join("group commit dropped a request".into()))?
    }
}

async fn run<I: Clone + Send + 'static, O: Send + 'static>(
    pool: PgPool,
    mut rx: mpsc::Receiver<Job<I, O>>,
    max_batch: usize,
    in_flight: usize,
    linger: Duration,
    apply: Arc<Apply<I, O>>,
) {
    let permits = Arc::new(Semaphore::new(in_flight));
    while let Some(first) = rx.recv().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        // Whatever queued up while earlier batches were committing goes into this one.
        let mut jobs = vec![first];
        while jobs.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if !linger.is_zero() {
            let until = tokio::time::Instant::now() + linger;
            while jobs.len() < max_batch {
                match tokio::time::timeout_at(until, rx.recv()).await {
                    Ok(Some(job)) => jobs.push(job),
                    // The time is up, or every sender is gone: write what there is.
                    _ => break,
                }
            }
        }
        let pool = pool.clone();
        let apply = apply.clone();
        tokio::spawn(async move {
            write(&pool, jobs, apply).await;
            drop(permit);
        });
    }
}

async fn apply_in_tx<I: Clone + Send + 'static, O: Send + 'static>(
    pool: &PgPool,
    items: Vec<I>,
    apply: Arc<Apply<I, O>>,
) -> Result<Vec<O>, DbError> {
    super::run(pool, move |conn| {
        conn.transaction(|conn| apply(conn, &items))
    })
    .await
}

async fn write<I: Clone + Send + 'static, O: Send + 'static>(
    pool: &PgPool,
    jobs: Vec<Job<I, O>>,
    apply: Arc<Apply<I, O>>,
) {
    let items: Vec<I> = jobs.iter().map(|j| j.item.clone()).collect();
    match apply_in_tx(pool, items, apply.clone()).await {
        Ok(outputs) if outputs.len() == jobs.len() => {
            for (job, out) in jobs.into_iter().zip(outputs) {
                let _ = job.reply.send(Ok(out));
            }
        }
        Ok(_) => {
            for job in jobs {
                let _ = job.reply.send(Err(DbError::Join(
                    "batch returned the wrong number of results".into(),
                )));
            }
        }
        Err(e) if e.is_unavailable() => {
            let message = e.to_string();
            for job in jobs {
                let _ = job.reply.send(Err(DbError::Unavailable(message.clone())));
            }
        }
        Err(e) if jobs.len() == 1 => {
            if let Some(job) = jobs.into_iter().next() {
                let _ = job.reply.send(Err(e));
            }
        }
        Err(_) => {
            for job in jobs {
                let result = apply_in_tx(pool, vec![job.item.clone()], apply.clone()).await;
                let _ =
                    job.reply.send(result.and_then(|mut v| {
                        v.pop().ok_or_else(|| DbError::Join("empty result".into()))
                    }));
            }
        }
    }
}
