//! A second desk's own keyring: a private D-Bus session with its own
//! unlocked gnome-keyring (as scripts/with-keyring.sh starts the first), so
//! two desks of a team test hold different secrets, as two machines do.
//! Commands get it through `apply`; it stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

pub struct DeskKeyring {
    bus: Child,
    address: String,
    home: tempfile::TempDir,
}

impl DeskKeyring {
    pub fn start() -> DeskKeyring {
        let home = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon runs");
        let mut line = String::new();
        BufReader::new(bus.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let k = DeskKeyring { bus, address, home };
        // The piped empty line creates and unlocks its login keyring.
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        k.apply(&mut cmd);
        let mut daemon = cmd.spawn().expect("gnome-keyring-daemon runs");
        daemon.stdin.take().unwrap().write_all(b"\n").unwrap();
        // It forks and the parent exits once the daemon is up.
        assert!(
            daemon.wait().unwrap().success(),
            "gnome-keyring-daemon started"
        );
        k
    }

    /// The session bus address (to drive the keyring itself, e.g. lock it).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Point a child process at this keyring (and nothing of the first one's).
    pub fn apply(&self, cmd: &mut Command) {
        let dir = |name: &str| {
            let d = self.home.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            d
        };
        // Its own runtime dir too: a daemon finding the first one's control
        // socket there would join it instead of starting.
        let run = dir("run");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_DATA_HOME", dir("data"))
            .env("XDG_CONFIG_HOME", dir("config"))
            .env("XDG_RUNTIME_DIR", run)
            .env_remove("GNOME_KEYRING_CONTROL");
    }
}

impl Drop for DeskKeyring {
    fn drop(&mut self) {
        // The keyring daemon leaves with its session bus.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
