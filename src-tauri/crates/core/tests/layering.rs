//! The core's layering (issue 9 item 4: no circles), checked on the source:
//! `error.rs` uses nothing in the crate, `http.rs` does not know the gateway
//! abstraction, and the gateways never reach into the store or the services.
//! A dependency that comes back fails here, naming the file and the module.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every top-level crate module a piece of Rust names through `crate::`
/// (`use crate::a::B`, `use crate::{a, b::C}`, `crate::a::f()` in code).
/// Comments are skipped, so a doc line may still name a module.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let code: String = code
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let prefix_ok = i == 0
            || !rest[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[i + "crate::".len()..];
        if !prefix_ok {
            continue;
        }
        let rest_trim = rest.trim_start();
        if let Some(group) = rest_trim.strip_prefix('{') {
            // A grouped import: the first name of each top-level item.
            let mut depth = 0usize;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        found.insert(std::mem::take(&mut item));
                        at_start = false;
                    }
                }
            }
            if !item.is_empty() {
                found.insert(item);
            }
        } else {
            let name: String = rest_trim
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules `file` (or every file under it) must not name.
fn assert_not_using(file: &str, banned: &[&str]) {
    let path = src().join(file);
    let mut files = Vec::new();
    if path.is_dir() {
        rust_files(&path, &mut files);
    } else {
        files.push(path);
    }
    assert!(!files.is_empty(), "{file}: no source found");
    let mut broken = Vec::new();
    for f in files {
        let code = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for m in crate_modules(&code) {
            if banned.contains(&m.as_str()) || banned == ["*"] {
                broken.push(format!(
                    "{} uses crate::{m}",
                    f.strip_prefix(src()).unwrap_or(&f).display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken: {broken:#?}");
}

#[test]
fn error_depends_on_nothing_in_the_crate() {
    assert_not_using("error.rs", &["*"]);
}

#[test]
fn http_does_not_know_the_gateway() {
    assert_not_using("http.rs", &["gateway", "providers", "store", "services"]);
}

#[test]
fn gateways_do_not_reach_into_the_store_or_the_services() {
    assert_not_using(
        "providers",
        &["store", "services", "batch", "sync", "notify"],
    );
    assert_not_using("gateway.rs", &["store", "services", "providers"]);
}

/// The checker itself: each way of naming a module is seen, comments are not.
#[test]
fn the_checker_sees_every_form_of_import() {
    let seen = |code: &str| crate_modules(code).into_iter().collect::<Vec<_>>();
    assert_eq!(seen("use crate::gateway::GatewayError;"), ["gateway"]);
    assert_eq!(
        seen("use crate::{\n    domain::OrderKind,\n    store::{Order, Store},\n    tr,\n};"),
        ["domain", "store", "tr"]
    );
    assert_eq!(seen("let e = crate::store::now_ms();"), ["store"]);
    assert_eq!(seen("crate::tr!(\"a\", \"b\")"), ["tr"]);
    assert_eq!(
        seen("// see crate::gateway\n/// and crate::store"),
        Vec::<String>::new()
    );
    assert_eq!(seen("$crate::i18n::tr"), ["i18n"]);
    assert_eq!(
        seen("use paydesk_core::gateway::X; mycrate::store"),
        Vec::<String>::new()
    );
}
