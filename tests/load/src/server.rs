//! Starting `handsup serve` for a run and reading its resource use from /proc.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// A `handsup serve` child process.
pub struct Server {
    child: Child,
    binary: PathBuf,
    deck: PathBuf,
    pub participant_url: String,
    pub presenter_url: String,
    /// From spawning the process to its `presenter:` line (both listeners accepting).
    pub startup: Duration,
    pub data: PathBuf,
}

impl Server {
    pub fn spawn(binary: &Path, deck: &Path, data: &Path) -> Result<Server> {
        Self::spawn_on(binary, deck, data, 0)
    }

    /// Starts the server with its participant listener on `port` (0: any free port).
    pub fn spawn_on(binary: &Path, deck: &Path, data: &Path, port: u16) -> Result<Server> {
        let started = Instant::now();
        let mut child = Command::new(binary)
            .arg("serve")
            .arg(deck)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--data"])
            .arg(data)
            // 10,000 simulated phones come from 16 loopback addresses: lift the bound
            // on new participants per address that keeps a script from posing as a room.
            .args(["--join-burst", "100000"])
            .env("HANDSUP_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let mut read = |prefix: &str| -> Result<String> {
            let line = lines.next().ok_or_else(|| anyhow!("the server exited before printing {prefix}"))??;
            line.strip_prefix(prefix).map(str::to_string).ok_or_else(|| anyhow!("expected {prefix}…, got {line:?}"))
        };
        let participant_url = read("participant: ")?;
        let presenter_url = read("presenter: ")?;
        let startup = started.elapsed();
        let (binary, deck, data) = (binary.to_path_buf(), deck.to_path_buf(), data.to_path_buf());
        Ok(Server { child, binary, deck, participant_url, presenter_url, startup, data })
    }

    /// Stops the server (SIGTERM) and starts it again on the same participant port
    /// and data, as a presenter restarting the app would. Returns how long the
    /// stop took; the new process's start-up time is in `startup`.
    pub fn restart(&mut self) -> Result<Duration> {
        let stopping = Instant::now();
        self.stop()?;
        let stopped = stopping.elapsed();
        let (addr, _) = crate::phones::target(&self.participant_url)?;
        *self = Self::spawn_on(&self.binary, &self.deck, &self.data, addr.port())?;
        Ok(stopped)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in bytes.
    pub fn rss_bytes(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or_else(|| anyhow!("no VmRSS"))?;
        let kib: u64 = line.split_whitespace().nth(1).ok_or_else(|| anyhow!("bad VmRSS"))?.parse()?;
        Ok(kib * 1024)
    }

    /// User plus system CPU time used so far.
    pub fn cpu_time(&self) -> Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let rest = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or_else(|| anyhow!("bad stat"))?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields.get(11).ok_or_else(|| anyhow!("no utime"))?.parse::<u64>()?
            + fields.get(12).ok_or_else(|| anyhow!("no stime"))?.parse::<u64>()?;
        // Linux reports in clock ticks of 1/100 s on every platform this runs on.
        Ok(Duration::from_millis(ticks * 10))
    }

    /// SIGTERM, then wait; fails unless the server exits cleanly.
    pub fn stop(&mut self) -> Result<()> {
        Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                if status.success() {
                    return Ok(());
                }
                bail!("the server exited with {status}");
            }
            if Instant::now() > deadline {
                self.child.kill()?;
                bail!("the server did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
