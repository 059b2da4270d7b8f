pub fn shanghai() -> chrono::FixedOffset { chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset") }
