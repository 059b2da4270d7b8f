//! Arrivals on the merchant's collection cards (jstpay), read live.

use super::{config_of, PayDesk};
use crate::error::{CoreResult, FieldError};
use crate::gateway::{Arrival, Call};
use crate::providers;
use crate::time::now_secs;
use crate::tr;

/// The widest range one arrivals read may ask for: the gateway answers at most
/// 100 rows, and a wide range only loads it (the sandbox caps it the same way).
pub const ARRIVALS_MAX_SECS: i64 = 31 * 86_400;

/// The range an arrivals read asks for, in Unix seconds: the end defaults to
/// now and the start to a day before the end; refused when reversed, wider
/// than `ARRIVALS_MAX_SECS`, before 2000 or later than tomorrow.
pub fn arrivals_range(
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), FieldError> {
    let end = end.unwrap_or(now);
    let start = start.unwrap_or(end - 86_400);
    if start > end {
        return Err(FieldError::new(
            "start",
            tr!(
                "开始时间不能晚于结束时间",
                "the start cannot be after the end"
            ),
        ));
    }
    if end - start > ARRIVALS_MAX_SECS {
        return Err(FieldError::new(
            "start",
            tr!(
                "时间范围最长 31 天（现为 {} 天），请分段查询",
                "the range can be at most 31 days (it is {} days); query it in parts",
                (end - start + 86_399) / 86_400
            ),
        ));
    }
    if end > now + 86_400 || start < 946_684_800 {
        return Err(FieldError::new(
            if start < 946_684_800 { "start" } else { "end" },
            tr!(
                "时间应在 2000 年之后且不晚于明天",
                "times must be after 2000 and no later than tomorrow"
            ),
        ));
    }
    Ok((start, end))
}

impl PayDesk {
    /// Arrivals between `start` and `end` (Unix seconds; see `arrivals_range`).
    pub async fn arrivals(
        &self,
        profile: &str,
        start: Option<i64>,
        end: Option<i64>,
    ) -> CoreResult<Vec<Arrival>> {
        let p = self.store.profile(profile).await?;
        let (start, end) = arrivals_range(start, end, now_secs())?;
        let (secret, reply) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply.as_ref());
        Ok(providers::gateway(p.provider)
            .arrivals(&call, Some(start), Some(end))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_ranges_are_bounded() {
        let now = 1_764_288_000; // 2025-11-28 00:00 UTC
        assert_eq!(
            arrivals_range(None, None, now).unwrap(),
            (now - 86_400, now)
        );
        assert_eq!(
            arrivals_range(None, Some(now - 10), now).unwrap().0,
            now - 10 - 86_400
        );
        assert_eq!(
            arrivals_range(Some(now), Some(now - 1), now)
                .unwrap_err()
                .field,
            "start"
        );
        assert!(arrivals_range(Some(now - ARRIVALS_MAX_SECS), Some(now), now).is_ok());
        assert_eq!(
            arrivals_range(Some(now - ARRIVALS_MAX_SECS - 1), Some(now), now)
                .unwrap_err()
                .field,
            "start"
        );
        assert_eq!(
            arrivals_range(Some(now), Some(now + 2 * 86_400), now)
                .unwrap_err()
                .field,
            "end"
        );
        assert_eq!(
            arrivals_range(Some(900_000_000), Some(900_000_100), now)
                .unwrap_err()
                .field,
            "start"
        );
    }
}
