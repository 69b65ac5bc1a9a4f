//! Tracing set-up: human-readable lines for development, JSON for production.

use crate::config::LogFormat;
use std::io::IsTerminal;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    // try_init: tests may call this more than once.
    let _ = match format {
        // Colour only for a person at a terminal: escape codes garble files and log collectors.
        LogFormat::Pretty => builder
            .with_ansi(std::io::stdout().is_terminal())
            .try_init(),
        // Event fields at the top level of each line, next to `target`, where queries find them.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_ansi(false)
            .try_init(),
    };
}

/// An error with its causes on one line (`Display` alone often hides the cause, `Debug` is for
/// programmers).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// A duration for people: `850ms`, `1.2s`, `2m30s`, `3h5m`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        return format!("{ms}ms");
    }
    if ms < 60_000 {
        let tenths = (ms + 50) / 100;
        return if tenths % 10 == 0 {
            format!("{}s", tenths / 10)
        } else {
            format!("{}.{}s", tenths / 10, tenths % 10)
        };
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m, s) {
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration;
    use std::time::Duration;

    #[test]
    fn durations_read_like_people_write_them() {
        let ms = Duration::from_millis;
        assert_eq!(human_duration(ms(0)), "0ms");
        assert_eq!(human_duration(ms(12)), "12ms");
        assert_eq!(human_duration(ms(1_200)), "1.2s");
        assert_eq!(human_duration(ms(30_000)), "30s");
        assert_eq!(human_duration(ms(59_990)), "60s");
        assert_eq!(human_duration(ms(60_000)), "1m");
        assert_eq!(human_duration(ms(150_000)), "2m30s");
        assert_eq!(human_duration(ms(3_600_000)), "1h");
        assert_eq!(human_duration(ms(11_100_000)), "3h5m");
    }
}
