//! Secrets live only in the OS keyring (Secret Service, Keychain, Credential
//! Manager), behind a small trait so unit tests can use memory instead.
//! Entries are keyed by the profile's stable id, never its name: renaming a
//! profile or opening a second data directory never mixes secrets.

use crate::error::CoreError;
use crate::secret::Secret;
use crate::tr;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SERVICE: &str = "paydesk";

/// Which secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The key requests are signed with.
    Secret,
    /// xxpay: the key replies and notifies are signed with, when it differs.
    ReplySecret,
    /// Team mode: this desk's operator password for a team database (the
    /// "profile id" is then `team::TeamUrl::keyring_id`).
    TeamLogin,
}

impl Slot {
    fn suffix(self) -> &'static str {
        match self {
            Slot::Secret => "secret",
            Slot::ReplySecret => "reply-secret",
            Slot::TeamLogin => "password",
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn get(&self, profile_id: &str, slot: Slot) -> Result<Option<Secret>, CoreError>;
    fn set(&self, profile_id: &str, slot: Slot, secret: &Secret) -> Result<(), CoreError>;
    fn delete(&self, profile_id: &str, slot: Slot) -> Result<(), CoreError>;
}

/// The OS keyring through the `keyring` crate.
#[derive(Debug, Default, Clone)]
pub struct KeyringStore;

impl KeyringStore {
    fn entry(profile_id: &str, slot: Slot) -> Result<keyring::Entry, CoreError> {
        keyring::Entry::new(SERVICE, &format!("{profile_id}:{}", slot.suffix()))
            .map_err(keyring_error)
    }
}

fn keyring_error(e: keyring::Error) -> CoreError {
    // keyring errors never include the secret itself.
    CoreError::Secret(tr!(
        "系统密钥环不可用或拒绝访问：{}。请确认已登录桌面会话并解锁密钥环。",
        "the OS keyring is unavailable or refused access: {}. Make sure a desktop session is running and the keyring is unlocked.",
        e
    ))
}

/// How long one keyring call may take. The keyring crate's calls block (a
/// D-Bus round trip to the Secret Service, Keychain, Credential Manager); a
/// daemon that stopped answering would otherwise hang every caller forever.
/// `PAYDESK_KEYRING_TIMEOUT_SECS` overrides it (tests, slow unlock prompts).
pub const DEFAULT_TIMEOUT_SECS: u64 = 20;

pub fn keyring_timeout() -> std::time::Duration {
    let secs = std::env::var("PAYDESK_KEYRING_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    std::time::Duration::from_secs(secs)
}

/// Runs one keyring call on its own thread and waits at most `keyring_timeout()`.
/// On a timeout the thread is left behind (it cannot be cancelled) and the
/// caller gets a clear error instead of a hang.
fn with_timeout<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let timeout = keyring_timeout();
    std::thread::Builder::new()
        .name(format!("keyring-{what}"))
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| {
            CoreError::Secret(tr!(
                "无法访问系统密钥环（无法启动线程：{}）",
                "cannot reach the OS keyring (cannot start a thread: {})",
                e
            ))
        })?;
    match rx.recv_timeout(timeout) {
        Ok(r) => r,
        Err(_) => {
            let doing = match what {
                "get" => tr!("读取密钥", "reading the key"),
                "set" => tr!("保存密钥", "saving the key"),
                _ => tr!("删除密钥", "deleting the key"),
            };
            Err(CoreError::Secret(tr!(
                "系统密钥环在 {} 秒内没有应答（{}），已停止等待。请检查密钥环服务（如 gnome-keyring）是否在运行并已解锁，然后重试。",
                "the OS keyring did not answer within {} s ({}); PayDesk stopped waiting. Check that the keyring service (e.g. gnome-keyring) is running and unlocked, then try again.",
                timeout.as_secs(),
                doing
            )))
        }
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, profile_id: &str, slot: Slot) -> Result<Option<Secret>, CoreError> {
        let id = profile_id.to_string();
        with_timeout("get", move || {
            match Self::entry(&id, slot)?.get_password() {
                Ok(p) => Ok(Some(Secret::new(p))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keyring_error(e)),
            }
        })
    }

    fn set(&self, profile_id: &str, slot: Slot, secret: &Secret) -> Result<(), CoreError> {
        let id = profile_id.to_string();
        let secret = secret.clone();
        with_timeout("set", move || {
            Self::entry(&id, slot)?
                .set_password(secret.expose())
                .map_err(keyring_error)
        })
    }

    fn delete(&self, profile_id: &str, slot: Slot) -> Result<(), CoreError> {
        let id = profile_id.to_string();
        with_timeout("delete", move || {
            match Self::entry(&id, slot)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keyring_error(e)),
            }
        })
    }
}

/// In-memory store for unit tests; clones share the same values (unlike the
/// keyring crate's mock, whose entries forget across `Entry` objects).
#[derive(Debug, Default, Clone)]
pub struct MemoryStore(Arc<Mutex<HashMap<(String, Slot), Secret>>>);

impl SecretStore for MemoryStore {
    fn get(&self, profile_id: &str, slot: Slot) -> Result<Option<Secret>, CoreError> {
        Ok(self
            .0
            .lock()
            .expect("vault lock")
            .get(&(profile_id.to_string(), slot))
            .cloned())
    }
    fn set(&self, profile_id: &str, slot: Slot, secret: &Secret) -> Result<(), CoreError> {
        self.0
            .lock()
            .expect("vault lock")
            .insert((profile_id.to_string(), slot), secret.clone());
        Ok(())
    }
    fn delete(&self, profile_id: &str, slot: Slot) -> Result<(), CoreError> {
        self.0
            .lock()
            .expect("vault lock")
            .remove(&(profile_id.to_string(), slot));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_shares_values_across_clones() {
        let a = MemoryStore::default();
        let b = a.clone();
        a.set("p1", Slot::Secret, &Secret::new("k")).unwrap();
        assert_eq!(b.get("p1", Slot::Secret).unwrap().unwrap().expose(), "k");
        assert!(b.get("p1", Slot::ReplySecret).unwrap().is_none());
        assert!(b.get("p2", Slot::Secret).unwrap().is_none());
        b.delete("p1", Slot::Secret).unwrap();
        assert!(a.get("p1", Slot::Secret).unwrap().is_none());
    }
}
