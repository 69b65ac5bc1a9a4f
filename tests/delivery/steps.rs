//! The scheduler and the sender driven one step at a time: no role runs in the app, so each
//! step's effect is exact and nothing is awaited on a timer.

use crate::at_ms;
use crate::support::TestApp;
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::channels::Channels;
use chime::config::Role;
use chime::schedule::leader::LeaderLock;
use chime::schedule::promoter::{self, Promoted};
use chime::sender::{Sender, StepOutcome};
use chime::startup::RoleContext;
use chrono::{Duration, Utc};
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// A webhook notification to `url`, due in an hour.
async fn create(app: &TestApp, url: &str) -> String {
    let (s, body) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": url,
                    "send_at": at_ms(3_600_000).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

fn sender(ctx: &RoleContext) -> Sender {
    let channels = Channels::from_config(&chime::sender::channels_config(ctx)).unwrap();
    Sender::stepping(ctx.clone(), channels)
}

fn lock(ctx: &RoleContext) -> LeaderLock {
    LeaderLock::new(
        &ctx.schedule.keys().leader,
        std::time::Duration::from_secs(30),
    )
}

async fn status(app: &TestApp, id: &str) -> String {
    let n = crate::notification(app, id).await;
    n["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_due_notification_goes_out_in_one_promoter_step_and_one_sender_step() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.channels.webhook_allow_private = true).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let ctx = app.role_context().await;
    let (lock, stop) = (lock(&ctx), CancellationToken::new());
    let mut sender = sender(&ctx);
    let id = create(&app, &peer.url_for("/hook")).await;

    // Not due yet: nothing moves, and the sender finds nothing.
    let got = promoter::step(&ctx.schedule, &lock, Utc::now())
        .await
        .unwrap();
    assert!(
        matches!(
            got,
            Promoted::Moved {
                moved: 0,
                next_due_ms: Some(_)
            }
        ),
        "{got:?}"
    );
    assert_eq!(sender.step(&stop).await, StepOutcome::Idle);

    // An hour later by the promoter's clock: one entry moves, one send goes out.
    let later = Utc::now() + Duration::hours(2);
    let got = promoter::step(&ctx.schedule, &lock, later).await.unwrap();
    assert_eq!(
        got,
        Promoted::Moved {
            moved: 1,
            next_due_ms: None
        }
    );
    assert_eq!(sender.step(&stop).await, StepOutcome::Worked { taken: 1 });
    assert_eq!(sender.settle().await, 1, "one delivery was started");
    assert_eq!(peer.requests().len(), 1);
    assert_eq!(peer.requests()[0].header("webhook-id"), Some(id.as_str()));
    assert_eq!(status(&app, &id).await, "sent");

    // The entry was acknowledged: nothing is read again.
    assert_eq!(sender.step(&stop).await, StepOutcome::Idle);
    app.assert_drained();
}

#[tokio::test]
async fn an_entry_promoted_before_a_cancel_is_dropped_without_a_send() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.channels.webhook_allow_private = true).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let ctx = app.role_context().await;
    let (lock, stop) = (lock(&ctx), CancellationToken::new());
    let mut sender = sender(&ctx);
    let id = create(&app, &peer.url_for("/hook")).await;
    let later = Utc::now() + Duration::hours(2);
    let got = promoter::step(&ctx.schedule, &lock, later).await.unwrap();
    assert_eq!(
        got,
        Promoted::Moved {
            moved: 1,
            next_due_ms: None
        }
    );

    let (s, body) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    // The stale entry is read and acknowledged, but no delivery starts.
    assert_eq!(sender.step(&stop).await, StepOutcome::Worked { taken: 1 });
    assert_eq!(sender.settle().await, 0, "no delivery was started");
    assert!(
        peer.requests().is_empty(),
        "a cancelled notification was sent"
    );
    assert_eq!(status(&app, &id).await, "cancelled");
    app.assert_drained();
}

#[tokio::test]
async fn only_the_lock_holder_promotes_a_step() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.channels.webhook_allow_private = true).await;
    let ctx = app.role_context().await;
    let (holder, other) = (lock(&ctx), lock(&ctx));
    create(&app, "http://127.0.0.1:9/hook").await;
    let later = Utc::now() + Duration::hours(2);
    assert!(holder
        .try_acquire(&mut ctx.schedule.connection())
        .await
        .unwrap());

    let got = promoter::step(&ctx.schedule, &other, later).await.unwrap();
    assert_eq!(got, Promoted::NotLeader);
    let got = promoter::step(&ctx.schedule, &holder, later).await.unwrap();
    assert_eq!(
        got,
        Promoted::Moved {
            moved: 1,
            next_due_ms: None
        }
    );
    // Nobody sends it here: the entry is left in the ready stream on purpose.
    let mut app = app;
    app.leaves_work("promotes an entry that no sender reads");
}

#[tokio::test]
async fn a_sender_step_takes_over_an_entry_a_stopped_sender_left_pending() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.channels.webhook_allow_private = true).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let mut ctx = app.role_context().await;
    // A short visibility timeout, so the takeover comes within the test.
    let mut settings = (*ctx.settings).clone();
    settings.sender.visibility_timeout = std::time::Duration::from_secs(3);
    ctx.settings = std::sync::Arc::new(settings);
    let (lock, stop) = (lock(&ctx), CancellationToken::new());
    let id = create(&app, &peer.url_for("/hook")).await;
    let later = Utc::now() + Duration::hours(2);
    let got = promoter::step(&ctx.schedule, &lock, later).await.unwrap();
    assert_eq!(
        got,
        Promoted::Moved {
            moved: 1,
            next_due_ms: None
        }
    );

    // A sender reads the entry and stops before it acknowledges it.
    let ready = ctx.schedule.keys().ready.clone();
    let mut conn = app.redis();
    chime::stream::ensure_group(&mut ctx.schedule.connection(), &ready, chime::sender::GROUP)
        .await
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg(chime::sender::GROUP)
        .arg("stopped-sender")
        .arg("STREAMS")
        .arg(&ready)
        .arg(">")
        .query(&mut conn)
        .unwrap();
    let mut sender = sender(&ctx);
    assert_eq!(
        sender.step(&stop).await,
        StepOutcome::Idle,
        "the entry is pending, not new, and not yet idle long enough"
    );
    crate::support::wait_until(
        "the entry to be idle past the visibility timeout",
        std::time::Duration::from_secs(10),
        || async {
            let pending: Vec<(String, String, i64, i64)> = redis::cmd("XPENDING")
                .arg(&ready)
                .arg(chime::sender::GROUP)
                .arg("-")
                .arg("+")
                .arg(10)
                .query(&mut app.redis())
                .unwrap();
            pending
                .first()
                .filter(|(_, _, idle_ms, _)| *idle_ms > 3_000)
                .map(|_| ())
        },
    )
    .await;

    // A new sender sweeps the pending entries at once and takes this one over.
    let mut sender = self::sender(&ctx);
    assert_eq!(sender.step(&stop).await, StepOutcome::Worked { taken: 1 });
    assert_eq!(sender.settle().await, 1);
    assert_eq!(
        peer.requests().len(),
        1,
        "sent once, by the sender that took it over"
    );
    assert_eq!(status(&app, &id).await, "sent");
    app.assert_drained();
}

#[tokio::test]
async fn with_shards_each_lock_promotes_its_own_shard_and_one_sender_reads_them_all() {
    const SHARDS: usize = 4;
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.channels.webhook_allow_private = true;
        s.scheduler.shards = SHARDS;
    })
    .await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let ctx = app.role_context().await;
    let stop = CancellationToken::new();
    let mut sender = sender(&ctx);
    let mut per_shard = [0usize; SHARDS];
    let mut ids = Vec::new();
    for _ in 0..12 {
        let id = create(&app, &peer.url_for("/hook")).await;
        per_shard[ctx.schedule.shard_of(id.parse().unwrap())] += 1;
        ids.push(id);
    }
    assert!(
        per_shard.iter().filter(|n| **n > 0).count() > 1,
        "the ids spread over more than one shard: {per_shard:?}"
    );

    // A shard's lock moves that shard's entries and no other's.
    let later = Utc::now() + Duration::hours(2);
    for (shard, expected) in per_shard.iter().enumerate() {
        let lock = LeaderLock::new(
            &ctx.schedule.shards()[shard].leader,
            std::time::Duration::from_secs(30),
        );
        let got = promoter::step(&ctx.schedule, &lock, later).await.unwrap();
        assert_eq!(
            got,
            Promoted::Moved {
                moved: *expected,
                next_due_ms: None
            },
            "shard {shard}"
        );
    }
    // A lock of no shard of this schedule promotes nothing.
    let stranger = LeaderLock::new("{elsewhere}:leader", std::time::Duration::from_secs(30));
    assert!(promoter::step(&ctx.schedule, &stranger, later)
        .await
        .is_err());

    // One stepping sender reads every shard's stream in turn.
    let mut taken = 0;
    loop {
        match sender.step(&stop).await {
            StepOutcome::Worked { taken: n } => taken += n,
            StepOutcome::Idle => break,
            other => panic!("unexpected step outcome {other:?}"),
        }
    }
    assert_eq!(taken, ids.len());
    // Deliveries that finished during later steps were collected by them.
    sender.settle().await;
    assert_eq!(peer.requests().len(), ids.len());
    for id in &ids {
        assert_eq!(status(&app, id).await, "sent");
    }
    assert_eq!(sender.step(&stop).await, StepOutcome::Idle);
    app.assert_drained();
}
