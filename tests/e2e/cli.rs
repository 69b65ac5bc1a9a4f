use crate::support::pg_url;
use diesel::prelude::*;
use std::process::Command;

fn chime() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chime"))
}

#[test]
fn migrate_creates_the_database_and_is_repeatable() {
    let name = format!("chime_cli_{}", uuid::Uuid::new_v4().simple());
    let url = pg_url(&name);
    // Replicas starting together race to create and migrate the same new database; then a
    // later run finds nothing to do.
    for replicas in [4, 1] {
        let children: Vec<_> = (0..replicas)
            .map(|_| {
                chime()
                    .arg("migrate")
                    .env("DATABASE_URL", &url)
                    .env("RUST_LOG", "warn")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let mut conn = PgConnection::establish(&url).expect("database was created");
    let n: i64 = chime::db::schema::notifications::table
        .count()
        .get_result(&mut conn)
        .expect("tables exist");
    assert_eq!(n, 0);
    drop(conn);
    let mut admin = PgConnection::establish(&pg_url("postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_variable() {
    for (var, value) in [
        ("CHIME_RETRY_SCHEDULE", "soon"),
        ("CHIME_LISTEN_ADDR", "everywhere"),
        ("REDIS_URL", "http://x"),
    ] {
        let out = chime().args(["serve"]).env(var, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{stderr}");
    }
    let out = chime()
        .args(["serve", "--roles", "api,mailman"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mailman"));
    let out = chime().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_migration_reverts_and_reapplies() {
    use diesel_migrations::MigrationHarness;
    let name = format!("chime_down_{}", uuid::Uuid::new_v4().simple());
    let url = pg_url(&name);
    chime::db::setup::create_database_if_missing(&url).unwrap();
    chime::db::setup::run_migrations(&url).unwrap();
    let mut conn = PgConnection::establish(&url).unwrap();
    let reverted = conn
        .revert_all_migrations(chime::db::setup::MIGRATIONS)
        .unwrap()
        .len();
    assert!(reverted > 0);
    assert!(
        chime::db::schema::notifications::table
            .count()
            .get_result::<i64>(&mut conn)
            .is_err(),
        "tables are gone"
    );
    drop(conn);
    assert_eq!(chime::db::setup::run_migrations(&url).unwrap(), reverted);
    let mut admin = PgConnection::establish(&pg_url("postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}

#[tokio::test]
async fn tenant_create_prints_a_working_admin_key_for_an_isolated_tenant() {
    let db = crate::support::TestDb::create();
    let out = chime()
        .args(["tenant", "create", "acme"])
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = printed["admin_key"].as_str().unwrap();
    assert!(key.starts_with("chk_"));
    let mut conn = db.conn();
    let found = chime::db::api_keys::find_active_by_key(&mut conn, key)
        .unwrap()
        .expect("key stored");
    assert_eq!(found.role, "admin");
    assert_eq!(
        found.tenant_id.to_string(),
        printed["tenant_id"].as_str().unwrap()
    );
    let out = chime()
        .args(["tenant", "create"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// A configuration file for one test, removed when dropped.
struct ConfigFile(std::path::PathBuf);

impl ConfigFile {
    fn new(text: &str) -> ConfigFile {
        let path =
            std::env::temp_dir().join(format!("chime-e2e-{}.toml", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, text).unwrap();
        ConfigFile(path)
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn database_exists(name: &str) -> bool {
    let mut admin = PgConnection::establish(&pg_url("postgres")).unwrap();
    let n: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM pg_database WHERE datname = '{name}')"
    )))
    .get_result(&mut admin)
    .unwrap();
    n == 1
}

#[test]
fn the_configuration_file_is_read_and_the_environment_overrides_it() {
    let (from_file, from_env) = (
        format!("chime_cfg_{}", uuid::Uuid::new_v4().simple()),
        format!("chime_cfg_{}", uuid::Uuid::new_v4().simple()),
    );
    let file = ConfigFile::new(&format!(
        "[database]\nurl = \"{}\"\npool_size = 2\n",
        pg_url(&from_file)
    ));
    // The file alone, through --config after the subcommand.
    let out = chime()
        .args(["migrate", "--config"])
        .arg(&file.0)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        database_exists(&from_file),
        "the file's database was not made"
    );
    // Named by CHIME_CONFIG, with DATABASE_URL overriding the file's.
    let out = chime()
        .arg("migrate")
        .env("CHIME_CONFIG", &file.0)
        .env("DATABASE_URL", pg_url(&from_env))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(database_exists(&from_env), "the environment did not win");
    let mut admin = PgConnection::establish(&pg_url("postgres")).unwrap();
    for name in [from_file, from_env] {
        diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .unwrap();
    }
}

#[test]
fn a_bad_configuration_file_stops_every_command_naming_the_key() {
    let invalid = ConfigFile::new("[api]\nlisten_addr = \"everywhere\"\n");
    let unknown = ConfigFile::new("[sender]\nconcurency = 8\n");
    for (file, key) in [
        (&invalid, "api.listen_addr"),
        (&unknown, "sender.concurency"),
    ] {
        for args in [&["serve"][..], &["status"], &["migrate"]] {
            let out = chime()
                .arg("--config")
                .arg(&file.0)
                .args(args)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains(key) && stderr.contains(&*file.0.to_string_lossy()),
                "{stderr}"
            );
        }
    }
    let stderr = |out: std::process::Output| String::from_utf8_lossy(&out.stderr).to_string();
    let out = chime()
        .arg("serve")
        .env("CHIME_CONFIG", &invalid.0)
        .output()
        .unwrap();
    assert!(stderr(out).contains("CHIME_LISTEN_ADDR"));
    // Help still works with a broken file.
    let out = chime()
        .args(["serve", "--help", "--config"])
        .arg(&invalid.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
