//! What the service binary is built from: the provider stand-ins are for tests and chime-bench only.

use std::process::Command;

fn chime_features(edges: &str) -> String {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--locked", "--offline", "-e", edges, "-i", "chime"])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("cargo tree prints UTF-8")
}

#[test]
fn service_build_leaves_out_the_test_peers() {
    // Normal (non-dev) edges are what `cargo build --release --bin chime` resolves.
    let service = chime_features("features,normal");
    assert!(
        service.contains("chime feature \"default\""),
        "unexpected cargo tree output: {service}"
    );
    assert!(
        !service.contains("test-peers"),
        "the service build enables the test peers:\n{service}"
    );
    // Tests, clippy --all-targets and chime-bench still get them through the dev-dependency.
    let with_dev = chime_features("features");
    assert!(
        with_dev.contains("chime feature \"test-peers\""),
        "tests no longer enable the test peers:\n{with_dev}"
    );
}
