//! Time as people read it here: Asia/Shanghai (UTC+8), no daylight saving.

pub fn shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `2024-01-01 08:00:00` in Asia/Shanghai (UTC+8) for people.
pub fn format_time_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}
