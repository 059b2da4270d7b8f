//! A secret value that never prints and never serialises. The only way out is
//! `expose()`, which signing code calls right where it needs the bytes.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Masks every occurrence of the given secrets in a text that is about to be kept
/// (request/response history, logs). Short secrets are masked too: a leak of a
/// short key is still a leak.
pub fn mask_secrets(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if !s.is_empty() {
            out = out.replace(s.expose(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let s = Secret::new("top-secret-value");
        assert!(!format!("{s:?}").contains("top-secret"));
        assert!(!format!("{s}").contains("top-secret"));
        assert_eq!(
            mask_secrets("a=1&key=top-secret-value", &[&s]),
            "a=1&key=***"
        );
    }
}
