//! Team mode with a keyring that cannot be read (locked, stopped, absent):
//! the error names the operator, the database and the ways on, in both
//! languages. Its own test process: it switches the process-wide language.

use paydesk_core::error::CoreError;
use paydesk_core::team::TeamUrl;
use paydesk_core::vault::{SecretStore, Slot};
use paydesk_core::Secret;

/// A keyring that cannot be read (locked, stopped, absent).
struct Locked;
impl SecretStore for Locked {
    fn get(&self, _: &str, _: Slot) -> Result<Option<Secret>, CoreError> {
        Err(CoreError::Secret("Locked collection".into()))
    }
    fn set(&self, _: &str, _: Slot, _: &Secret) -> Result<(), CoreError> {
        unreachable!()
    }
    fn delete(&self, _: &str, _: Slot) -> Result<(), CoreError> {
        unreachable!()
    }
}

#[test]
fn an_unreadable_keyring_names_the_operator_and_the_ways_on_in_both_languages() {
    if std::env::var("PGPASSWORD").is_ok() {
        return; // PGPASSWORD outranks the keyring.
    }
    use paydesk_core::i18n::{lang, set_lang, Lang};
    let url = TeamUrl::parse("postgres://amy@db.local:6543/pay", "x").unwrap();
    let was = lang();
    let mut said = Vec::new();
    for l in [Lang::En, Lang::Zh] {
        set_lang(l);
        match url.connect_url(&Locked) {
            Err(CoreError::Secret(m)) => said.push(m),
            other => panic!("{other:?}"),
        }
    }
    set_lang(was);
    let (en, zh) = (&said[0], &said[1]);
    for part in [
        "operator amy's login password",
        "db.local:6543/pay",
        "Locked collection",
        "unlock (or start) the OS keyring",
        "PGPASSWORD",
        "paydesk team leave",
    ] {
        assert!(en.contains(part), "{part}: {en}");
    }
    for part in [
        "操作员 amy 的登录密码",
        "db.local:6543/pay",
        "解锁",
        "PGPASSWORD",
        "paydesk team leave",
    ] {
        assert!(zh.contains(part), "{part}: {zh}");
    }
}
