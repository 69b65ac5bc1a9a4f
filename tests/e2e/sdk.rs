//! The client SDKs of `sdk/` (generated from the OpenAPI document) against a live `chime` with
//! all roles: `sdk/test` runs the Python (pytest) and TypeScript (node's test runner) suites,
//! which create, list and cancel a notification and receive a webhook they verify with the
//! Standard Webhooks reference library. Their toolchains come from `bash sdk/setup`; without
//! them this test fails rather than skips.

use crate::processes::{free_port, Chime};
use crate::support::{wait_until, TestDb, TestPrefix, ADMIN_KEY};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const SETUP_HINT: &str =
    "run `bash sdk/setup` first (it needs Python >= 3.11 with venv and Node.js >= 20 with npm)";

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk")
}

/// `sdk/setup --check` names whatever is missing or installed from other pins, so that is said
/// here rather than deep in a suite's output.
fn assert_toolchains_installed(sdk: &Path) {
    let check = Command::new("bash")
        .arg(sdk.join("setup"))
        .arg("--check")
        .output();
    match check {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "the SDK toolchains are not ready: {}\n{SETUP_HINT}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("cannot run sdk/setup --check ({e}): {SETUP_HINT}"),
    }
}

async fn run_suite(sdk: PathBuf, suite: &'static str, base: String) -> (&'static str, Output) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .args(["300", "bash"])
            .arg(sdk.join("test"))
            .arg(suite)
            .env("CHIME_URL", base)
            .env("CHIME_API_KEY", ADMIN_KEY)
            .output()
    })
    .await
    .expect("the suite's thread")
    .expect("bash runs");
    (suite, output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_typescript_sdks_work_against_a_live_chime() {
    let sdk = sdk_dir();
    assert_toolchains_installed(&sdk);

    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _chime = Chime::start(
        "api,worker,scheduler,sender",
        &db,
        &prefix,
        &[("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))],
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

    // The suites share nothing but this Chime, so they run side by side.
    let (python, typescript) = tokio::join!(
        run_suite(sdk.clone(), "python", base.clone()),
        run_suite(sdk.clone(), "typescript", base.clone())
    );
    let mut failures = Vec::new();
    for (suite, output) in [python, typescript] {
        let report = format!(
            "--- {suite} SDK suite ({})\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() {
            // Shown with --nocapture (sdk/check passes it): each runner's own summary.
            println!("{report}");
        } else {
            failures.push(report);
        }
    }
    assert!(
        failures.is_empty(),
        "SDK suites failed:\n{}",
        failures.join("\n")
    );

    // What each suite did is on the server: it ran here, and ran its tests.
    for group in ["sdk-python", "sdk-typescript"] {
        let page: Value = client
            .get(format!("{base}/api/v1/notifications"))
            .query(&[("group_key", group)])
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .expect("list request")
            .json()
            .await
            .expect("list body");
        let mut seen: Vec<(String, String)> = page["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {page}"))
            .iter()
            .map(|n| (n["channel"].to_string(), n["status"].to_string()))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                (r#""email""#.to_owned(), r#""cancelled""#.to_owned()),
                (r#""webhook""#.to_owned(), r#""sent""#.to_owned())
            ],
            "{group}: {page}"
        );
    }
}
