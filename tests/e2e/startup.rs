//! Start-up with a dependency away: it says what it waits for, stops when told to, and gives up
//! after CHIME_STARTUP_TIMEOUT with one line on stderr.

use crate::processes::free_port;
use crate::support::{pg_url, TestDb, REDIS_URL};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `chime serve` with its output lines collected as they come.
struct Serve {
    child: Child,
    started: Instant,
    stdout: Arc<Mutex<Vec<(Duration, String)>>>,
    stderr: Arc<Mutex<Vec<(Duration, String)>>>,
}

impl Serve {
    fn start(env: &[(&str, String)]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chime"));
        cmd.arg("serve")
            .env("CHIME_LISTEN_ADDR", format!("127.0.0.1:{}", free_port()))
            .env("RUST_LOG", "info")
            .env("CHIME_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().expect("the chime binary starts");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().unwrap(), started, stdout.clone());
        collect(child.stderr.take().unwrap(), started, stderr.clone());
        Serve {
            child,
            started,
            stdout,
            stderr,
        }
    }

    /// How long after start the first line containing `needle` came, on either stream.
    fn line_with(&self, needle: &str, timeout: Duration) -> Option<Duration> {
        let deadline = Instant::now() + timeout;
        loop {
            for lines in [&self.stdout, &self.stderr] {
                if let Some((at, _)) = lines
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(_, l)| l.contains(needle))
                {
                    return Some(*at);
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn signal(&self, signal: i32) {
        // SAFETY: sends a signal to our own child, which we have not reaped yet.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }

    fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn stderr_lines(&self) -> Vec<String> {
        // The readers finish when the process's pipes close.
        std::thread::sleep(Duration::from_millis(200));
        self.stderr
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.clone())
            .collect()
    }

    fn output(&self) -> String {
        let mut all: Vec<String> = self
            .stdout
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        all.extend(self.stderr.lock().unwrap().iter().map(|(_, l)| l.clone()));
        all.join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(
    stream: impl std::io::Read + Send + 'static,
    started: Instant,
    into: Arc<Mutex<Vec<(Duration, String)>>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            into.lock().unwrap().push((started.elapsed(), line));
        }
    });
}

/// Waits, is stopped by `signal`, and on a second run gives up after a short timeout.
fn check_start_up_without(dependency: &str, env: &[(&str, String)], signal: i32) {
    let mut serve = Serve::start(env);
    let said = serve
        .line_with(&format!("waiting for {dependency}"), Duration::from_secs(2))
        .unwrap_or_else(|| panic!("nothing about {dependency} within 2 s:\n{}", serve.output()));
    println!("waiting for {dependency}: said after {said:?}");
    let signalled = Instant::now();
    serve.signal(signal);
    let status = serve.wait(Duration::from_secs(2)).unwrap_or_else(|| {
        panic!(
            "still running 2 s after signal {signal}:\n{}",
            serve.output()
        )
    });
    println!("exited {:?} after the signal", signalled.elapsed());
    assert!(status.success(), "a requested stop is clean: {status:?}");
    assert!(serve.stderr_lines().is_empty(), "{}", serve.output());

    let mut env = env.to_vec();
    env.push(("CHIME_STARTUP_TIMEOUT", "3s".into()));
    let mut serve = Serve::start(&env);
    let status = serve
        .wait(Duration::from_secs(8))
        .unwrap_or_else(|| panic!("did not give up:\n{}", serve.output()));
    let took = serve.started.elapsed();
    println!("gave up after {took:?}");
    assert!(took >= Duration::from_secs(3), "gave up early: {took:?}");
    assert_eq!(status.code(), Some(1), "{}", serve.output());
    let stderr = serve.stderr_lines();
    assert_eq!(stderr.len(), 1, "one line on stderr: {stderr:#?}");
    assert!(
        stderr[0].contains(dependency) && stderr[0].contains("CHIME_STARTUP_TIMEOUT"),
        "{}",
        stderr[0]
    );
    assert!(!stderr[0].contains("backtrace"), "{}", stderr[0]);
}

#[test]
fn start_up_waits_for_an_absent_redis_and_stops_when_told() {
    let db = TestDb::create();
    let closed = format!("redis://127.0.0.1:{}", free_port());
    check_start_up_without(
        "Redis",
        &[("DATABASE_URL", db.url.clone()), ("REDIS_URL", closed)],
        libc::SIGTERM,
    );
}

#[test]
fn start_up_waits_for_an_absent_postgres_and_stops_when_told() {
    let closed = pg_url("chime").replace(":5432/", &format!(":{}/", free_port()));
    check_start_up_without(
        "PostgreSQL",
        &[("DATABASE_URL", closed), ("REDIS_URL", REDIS_URL.into())],
        libc::SIGINT,
    );
}

#[test]
fn a_configuration_error_is_one_line_on_stderr() {
    for (var, value) in [
        ("CHIME_STARTUP_TIMEOUT", "soon"),
        ("CHIME_STARTUP_TIMEOUT", "0s"),
        ("DATABASE_URL", "mysql://x"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_chime"))
            .arg("serve")
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(var), "{stderr}");
    }
}

/// A dependency that accepts connections but never answers: each attempt hangs, and start-up
/// still says so, stops when told and gives up in time.
#[test]
fn start_up_waits_for_silent_dependencies_too() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let db = TestDb::create();
    check_start_up_without(
        "Redis",
        &[
            ("DATABASE_URL", db.url.clone()),
            ("REDIS_URL", format!("redis://127.0.0.1:{port}")),
        ],
        libc::SIGTERM,
    );
    let url = pg_url("chime").replace(":5432/", &format!(":{port}/"));
    check_start_up_without(
        "PostgreSQL",
        &[("DATABASE_URL", url), ("REDIS_URL", REDIS_URL.into())],
        libc::SIGTERM,
    );
    drop(silent);
}
