//! The shell examples of README.md and docs/ run as pasted, top to bottom, against a live `chime`
//! (all roles, the quick start's bootstrap key), so they cannot rot. Each file's `sh` blocks run
//! in one bash session, so a variable set in one block is there in the next, as for a reader
//! pasting them in order. `curl` fails on any HTTP error status. A block right after a
//! `<!-- examples: not run … -->` comment is skipped (the quick start itself, which starts
//! Chime and this test suite).

use crate::processes::{free_port, Chime};
use crate::support::{wait_until, TestDb, TestPrefix};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const README_KEY: &str = "chk_dev_admin_key_change_me_0000000";
const README_BASE: &str = "http://127.0.0.1:8080";
const SKIP_MARK: &str = "<!-- examples: not run";

/// The `sh` blocks of a Markdown file that are to run, with the line each starts on.
fn shell_blocks(markdown: &str) -> Vec<(usize, String)> {
    enum State {
        Text {
            skip_next: bool,
        },
        Block {
            start: usize,
            text: String,
            run: bool,
        },
        Other,
    }
    let mut blocks = Vec::new();
    let mut state = State::Text { skip_next: false };
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        state = match state {
            State::Text { skip_next } if fence => {
                let info = line.trim().trim_start_matches('`');
                if info == "sh" || info == "bash" {
                    State::Block {
                        start: i + 1,
                        text: String::new(),
                        run: !skip_next,
                    }
                } else {
                    State::Other
                }
            }
            State::Text { skip_next } => State::Text {
                skip_next: skip_next || line.trim_start().starts_with(SKIP_MARK),
            },
            State::Block { start, text, run } if fence => {
                if run {
                    blocks.push((start, text));
                }
                State::Text { skip_next: false }
            }
            State::Block {
                start,
                mut text,
                run,
            } => {
                text.push_str(line);
                text.push('\n');
                State::Block { start, text, run }
            }
            State::Other if fence => State::Text { skip_next: false },
            State::Other => State::Other,
        };
    }
    blocks
}

fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    more.retain(|p| p.extension().is_some_and(|e| e == "md"));
    more.sort();
    docs.extend(more);
    docs
}

#[test]
fn skipped_blocks_and_sessions_are_parsed() {
    let md = "text\n<!-- examples: not run: starts things -->\n```sh\nexit 1\n```\n\n```sh\nA=1\n```\n```json\n{}\n```\n```sh\necho $A\n```\n";
    let blocks = shell_blocks(md);
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert_eq!(blocks[0].1, "A=1\n");
    assert_eq!(blocks[1].1, "echo $A\n");
    // The inner fence of a skipped block does not open a runnable one.
    let skipped_only = shell_blocks("<!-- examples: not run -->\n```sh\nx\n```\n");
    assert!(skipped_only.is_empty(), "{skipped_only:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_and_docs_shell_examples_run_as_pasted() {
    assert!(
        Command::new("jq").arg("--version").output().is_ok(),
        "the examples need jq (apt-get install jq)"
    );
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _chime = Chime::start(
        "api,worker,scheduler,sender",
        &db,
        &prefix,
        &[
            ("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}")),
            ("CHIME_BOOTSTRAP_ADMIN_KEY", README_KEY.to_owned()),
        ],
    );
    let client = reqwest::Client::new();
    wait_until("chime to be ready", Duration::from_secs(60), || {
        let client = client.clone();
        let url = format!("{base}/readyz");
        async move {
            let r = client.get(url).send().await.ok()?;
            r.status().is_success().then_some(())
        }
    })
    .await;

    let mut ran = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("readable document");
        let blocks = shell_blocks(&text);
        if blocks.is_empty() {
            continue;
        }
        let mut script = String::from(
            "set -euo pipefail\n\
             curl() { command curl --fail-with-body --max-time 20 \"$@\"; }\n",
        );
        for (line, block) in &blocks {
            script.push_str(&format!(
                "echo '--- {}:{line}' >&2\n",
                doc.file_name().unwrap_or_default().to_string_lossy()
            ));
            script.push_str(&block.replace(README_BASE, &base));
            script.push('\n');
        }
        // The operator commands of the examples use the server's configuration, as an
        // operator's shell would.
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_chime"))
            .parent()
            .expect("the binary's directory")
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let (database_url, prefix) = (db.url.clone(), prefix.0.clone());
        let output = tokio::task::spawn_blocking(move || {
            Command::new("timeout")
                .args(["120", "bash", "-c", &script])
                .env("PATH", path)
                .env("DATABASE_URL", database_url)
                .env("REDIS_URL", crate::support::REDIS_URL)
                .env("CHIME_REDIS_PREFIX", prefix)
                .env("RUST_LOG", "warn")
                .output()
        })
        .await
        .expect("the shell runs")
        .expect("bash runs");
        assert!(
            output.status.success(),
            "{} examples failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            doc.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        ran += blocks.len();
    }
    assert!(ran >= 5, "only {ran} shell examples found");

    // What the README says happened did happen.
    let get = |path: &str| {
        let client = client.clone();
        let url = format!("{base}/api/v1{path}");
        async move {
            client
                .get(url)
                .bearer_auth(README_KEY)
                .send()
                .await
                .expect("request")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let cancelled = get("/notifications?status=cancelled").await;
    assert_eq!(
        cancelled["items"].as_array().map(Vec::len),
        Some(1),
        "the quick start's reminder is cancelled: {cancelled}"
    );
    let events = get("/events").await;
    let event = &events["items"][0];
    assert_eq!(event["type"], "card.expiring", "{events}");
    assert_eq!(event["status"], "processed", "{event}");
    assert_eq!(
        event["notification_ids"].as_array().map(Vec::len),
        Some(2),
        "the card event makes two reminders: {event}"
    );
}
