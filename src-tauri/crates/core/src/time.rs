//! The one clock: Beijing time (UTC+8, no daylight saving) for people, order
//! numbers, gateway timestamps and calendar days. Every gateway and the store
//! read time through here so the offset is written once.

use chrono::{DateTime, FixedOffset, Utc};

const DAY_MS: i64 = 86_400_000;
const OFFSET_SECS: i32 = 8 * 3600;
const OFFSET_MS: i64 = OFFSET_SECS as i64 * 1000;

/// The UTC+8 offset (Asia/Shanghai has had no daylight saving since 1991).
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(OFFSET_SECS).expect("valid offset")
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    Utc::now().timestamp()
}

/// Epoch milliseconds as a UTC+8 date-time, if in range.
pub fn beijing_ms(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&shanghai()))
}

/// Epoch seconds as a UTC+8 date-time, if in range.
pub fn beijing_secs(secs: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&shanghai()))
}

/// `2024-01-01 08:00:00` in UTC+8 for people; empty when out of range.
pub fn format_time_ms(ms: i64) -> String {
    try_format_ms(ms).unwrap_or_default()
}

/// Epoch milliseconds as `2024-01-01 08:00:00` in UTC+8, if in range.
pub fn try_format_ms(ms: i64) -> Option<String> {
    beijing_ms(ms).map(|t| people(&t))
}

/// Epoch seconds as `2024-01-01 08:00:00` in UTC+8, if in range.
pub fn try_format_secs(secs: i64) -> Option<String> {
    beijing_secs(secs).map(|t| people(&t))
}

fn people(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The UTC+8 calendar day `[start, end)` containing `ms`, in epoch ms.
pub fn shanghai_day(ms: i64) -> (i64, i64) {
    let start = (ms + OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - OFFSET_MS;
    (start, start + DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_bounds_follow_beijing_midnight() {
        // 2024-01-01 00:30 +08:00 is 2023-12-31 16:30 UTC.
        let ms = 1_704_040_200_000;
        let (s, e) = shanghai_day(ms);
        assert_eq!(s, 1_704_038_400_000);
        assert_eq!(format_time_ms(s), "2024-01-01 00:00:00");
        assert_eq!(e - s, DAY_MS);
        // The last millisecond of a day stays in it; the next one starts the next.
        assert_eq!(shanghai_day(e - 1), (s, e));
        assert_eq!(shanghai_day(e), (e, e + DAY_MS));
        assert_eq!(shanghai_day(s), (s, e));
    }

    #[test]
    fn day_bounds_before_the_epoch() {
        // 1970-01-01 07:59:59.999 +08:00 is before the epoch's Beijing day start.
        let (s, e) = shanghai_day(-1);
        assert_eq!(s, -OFFSET_MS);
        assert_eq!(e, DAY_MS - OFFSET_MS);
        assert_eq!(shanghai_day(-OFFSET_MS - 1).1, -OFFSET_MS);
    }

    #[test]
    fn formats_in_utc_plus_8() {
        assert_eq!(format_time_ms(0), "1970-01-01 08:00:00");
        assert_eq!(
            try_format_secs(1_700_000_000).unwrap(),
            "2023-11-15 06:13:20"
        );
        assert_eq!(format_time_ms(i64::MAX), "");
    }
}
