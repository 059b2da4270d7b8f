//! Against the real Secret Service (gnome-keyring in a D-Bus session): run the
//! suite through `scripts/with-keyring.sh`. These fail, not skip, without it.

use paydesk_core::vault::{KeyringStore, SecretStore, Slot};
use paydesk_core::Secret;

fn fresh_id() -> String {
    format!("test-{}", uuid_like())
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{n:x}-{}", std::process::id())
}

#[test]
fn keyring_round_trip_keyed_by_profile_id() {
    assert!(
        std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok(),
        "no D-Bus session: run the tests through scripts/with-keyring.sh"
    );
    let store = KeyringStore;
    let a = fresh_id();
    let b = format!("{a}-other");
    store
        .set(&a, Slot::Secret, &Secret::new("secret-of-a"))
        .expect("keyring set");
    store
        .set(&b, Slot::Secret, &Secret::new("secret-of-b"))
        .expect("keyring set");
    store
        .set(&a, Slot::ReplySecret, &Secret::new("reply-of-a"))
        .expect("keyring set");
    // A fresh store object reads what another wrote: it is the OS keyring, not memory.
    let again = KeyringStore;
    assert_eq!(
        again.get(&a, Slot::Secret).unwrap().unwrap().expose(),
        "secret-of-a"
    );
    assert_eq!(
        again.get(&b, Slot::Secret).unwrap().unwrap().expose(),
        "secret-of-b"
    );
    assert_eq!(
        again.get(&a, Slot::ReplySecret).unwrap().unwrap().expose(),
        "reply-of-a"
    );
    assert!(again.get(&b, Slot::ReplySecret).unwrap().is_none());
    store
        .set(&a, Slot::Secret, &Secret::new("rotated"))
        .unwrap();
    assert_eq!(
        again.get(&a, Slot::Secret).unwrap().unwrap().expose(),
        "rotated"
    );
    for (id, slot) in [
        (&a, Slot::Secret),
        (&a, Slot::ReplySecret),
        (&b, Slot::Secret),
    ] {
        store.delete(id, slot).unwrap();
        assert!(again.get(id, slot).unwrap().is_none());
    }
    // Deleting what is not there is fine (remove after a failed add).
    store.delete(&a, Slot::Secret).unwrap();
}
