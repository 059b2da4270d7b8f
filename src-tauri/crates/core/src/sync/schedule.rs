//! When an open order is asked about next: one backoff schedule, counted from
//! the order's creation, named here and nowhere else.

use rand::Rng;

const SEC: i64 = 1_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// One stretch of the schedule: a check at each of `at`, or every `every`
/// after the previous stretch's last check until `until` (all from creation).
#[derive(Debug, Clone, Copy)]
pub enum Phase {
    At(&'static [i64]),
    Every { every: i64, until: i64 },
}

/// The schedule: 15 s, 30 s, 1 min, 2 min, 5 min, 10 min after creation, then
/// every 30 min up to 72 h, then daily up to 30 days. After that the order is
/// no longer checked by itself (it stays open and shows as stuck).
pub const SCHEDULE: &[Phase] = &[
    Phase::At(&[15 * SEC, 30 * SEC, MIN, 2 * MIN, 5 * MIN, 10 * MIN]),
    Phase::Every {
        every: 30 * MIN,
        until: 72 * HOUR,
    },
    Phase::Every {
        every: DAY,
        until: 30 * DAY,
    },
];

/// The first scheduled check after `elapsed` ms from creation, with the check
/// before it (for sizing the jitter); `None` once the schedule is over.
pub fn next_point(elapsed: i64) -> Option<(i64, i64)> {
    let mut prev = 0;
    for phase in SCHEDULE {
        match *phase {
            Phase::At(points) => {
                for &p in points {
                    if p > elapsed {
                        return Some((p, prev));
                    }
                    prev = p;
                }
            }
            Phase::Every { every, until } => {
                let start = prev;
                if elapsed < until {
                    // Smallest start + k*every (k >= 1) strictly after elapsed.
                    let k = if elapsed < start {
                        1
                    } else {
                        (elapsed - start) / every + 1
                    };
                    let p = start + k * every;
                    if p <= until {
                        return Some((p, p - every));
                    }
                }
                // The last check of this stretch that fits.
                prev = start + (until - start) / every * every;
            }
        }
    }
    None
}

/// The first check of a new order, from its creation (no jitter: it is near).
pub fn first_check(created_at: i64) -> i64 {
    created_at + next_point(0).map(|(p, _)| p).unwrap_or(0)
}

/// The next check of an order created at `created_at`, asked about at `now`:
/// the schedule's next point plus a jitter of up to a tenth of the step
/// (capped at 10 min), never earlier than the point, so that orders created
/// together do not all hit the gateway in the same second.
pub fn next_check(created_at: i64, now: i64, rng: &mut impl Rng) -> Option<i64> {
    let (point, prev) = next_point(now.saturating_sub(created_at).max(0))?;
    let spread = ((point - prev) / 10).clamp(0, 10 * MIN);
    let jitter = if spread > 0 {
        rng.gen_range(0..=spread)
    } else {
        0
    };
    Some(created_at + point + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn points_follow_the_schedule() {
        let rows: &[(i64, Option<i64>)] = &[
            (0, Some(15 * SEC)),
            (15 * SEC - 1, Some(15 * SEC)),
            (15 * SEC, Some(30 * SEC)),
            (45 * SEC, Some(MIN)),
            (MIN, Some(2 * MIN)),
            (3 * MIN, Some(5 * MIN)),
            (5 * MIN, Some(10 * MIN)),
            (10 * MIN, Some(40 * MIN)),
            (39 * MIN, Some(40 * MIN)),
            (40 * MIN, Some(70 * MIN)),
            // The last 30-minute check is the last one that fits in 72 h.
            (71 * HOUR + 39 * MIN, Some(72 * HOUR - 20 * MIN)),
            (72 * HOUR - 20 * MIN, Some(72 * HOUR - 20 * MIN + DAY)),
            (5 * DAY, Some(72 * HOUR - 20 * MIN + 3 * DAY)),
            (29 * DAY, Some(72 * HOUR - 20 * MIN + 27 * DAY)),
            (30 * DAY - 20 * MIN, None),
            (31 * DAY, None),
        ];
        for &(elapsed, want) in rows {
            assert_eq!(
                next_point(elapsed).map(|(p, _)| p),
                want,
                "after {elapsed} ms"
            );
        }
    }

    #[test]
    fn every_point_is_strictly_later_and_within_30_days() {
        let mut t = 0;
        let mut n = 0;
        while let Some((p, prev)) = next_point(t) {
            assert!(p > t && prev <= t && p <= 30 * DAY);
            t = p;
            n += 1;
        }
        // 6 early + 143 half-hourly + 27 daily checks.
        assert_eq!(n, 6 + 143 + 27);
    }

    #[test]
    fn jitter_never_earlier_and_bounded() {
        let mut rng = StdRng::seed_from_u64(7);
        let created = 1_700_000_000_000;
        let mut seen_late = false;
        for _ in 0..1000 {
            let at = next_check(created, created + 11 * MIN, &mut rng).unwrap();
            assert!(at >= created + 40 * MIN && at <= created + 43 * MIN);
            seen_late |= at > created + 40 * MIN;
            let daily = next_check(created, created + 5 * DAY, &mut rng).unwrap();
            let point = created + 72 * HOUR - 20 * MIN + 3 * DAY;
            assert!(daily >= point && daily <= point + 10 * MIN);
        }
        assert!(seen_late, "jitter spreads the checks");
        assert_eq!(next_check(created, created + 31 * DAY, &mut rng), None);
    }
}
