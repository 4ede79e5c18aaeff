//! Advancing a batch run: in whole-iteration steps, with a progress bar on
//! rank 0 and a check for checkpoint signals at every step boundary.

use crate::par::Context;
use crate::session::Session;
use anyhow::Result;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use topo_spec::Time;

/// Exit code of a run that stopped on SIGUSR1/SIGTERM after writing a
/// snapshot: the job script requeues it.
pub const CHECKPOINT_EXIT_CODE: i32 = 3;

static SIGNALLED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Catch SIGUSR1 and SIGTERM (SLURM's `--signal` and the end of the wall
/// time): the run snapshots at the next step boundary and exits.
pub fn install_signal_handlers() -> Arc<AtomicBool> {
    SIGNALLED
        .get_or_init(|| {
            let flag = Arc::new(AtomicBool::new(false));
            for sig in [signal_hook::consts::SIGUSR1, signal_hook::consts::SIGTERM] {
                let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
            }
            flag
        })
        .clone()
}

/// The run stopped for a checkpoint.
#[derive(Debug)]
pub struct Checkpointed {
    /// The snapshot written.
    pub snapshot: std::path::PathBuf,
    /// The time reached.
    pub time: Time,
}

impl std::fmt::Display for Checkpointed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "checkpointed at time {} into {} (signal received); run again with --resume to continue",
            self.time.to_f64(),
            self.snapshot.display()
        )
    }
}

impl std::error::Error for Checkpointed {}

/// Rank 0's progress: a bar on a terminal; plain lines (no control
/// characters) when stderr is not a terminal, as in a SLURM log, or when
/// `NO_COLOR` is set or `TERM=dumb`; nothing when disabled.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lines: Option<PlainLines>,
    start: f64,
}

/// Periodic `progress:` lines for logs.
struct PlainLines {
    end: f64,
    every: std::time::Duration,
    began: std::time::Instant,
    last: Option<std::time::Instant>,
}

/// Seconds between plain progress lines: `TOPO_HPC_PROGRESS_SECONDS`, else 60.
fn plain_interval() -> std::time::Duration {
    let s = std::env::var("TOPO_HPC_PROGRESS_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(60.0);
    std::time::Duration::from_secs_f64(s)
}

/// Whether the terminal gets plain lines instead of a redrawn bar.
pub fn plain_wanted(is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !is_terminal || no_color || dumb
}

/// One plain progress line (no control characters).
pub fn plain_line(t: f64, start: f64, end: f64, elapsed: f64) -> String {
    let span = (end - start).max(f64::MIN_POSITIVE);
    let frac = ((t - start) / span).clamp(0.0, 1.0);
    let eta = if frac > 0.0 {
        format!("{:.0} s", elapsed * (1.0 - frac) / frac)
    } else {
        "?".into()
    };
    format!(
        "progress: t={t:.2} of {end:.2} ({:.0}%), elapsed {elapsed:.0} s, ETA {eta}",
        frac * 100.0
    )
}

impl Progress {
    /// Progress from `now` to `end` in simulation time.
    pub fn new(show: bool, now: Time, end: Time) -> Progress {
        use std::io::IsTerminal;
        let plain = plain_wanted(std::io::stderr().is_terminal());
        let bar = (show && !plain).then(|| {
            let b = indicatif::ProgressBar::new(((end - now).to_f64() * 100.0).max(1.0) as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% t={msg} ETA {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        let lines = (show && plain).then(|| PlainLines {
            end: end.to_f64(),
            every: plain_interval(),
            began: std::time::Instant::now(),
            last: None,
        });
        Progress {
            bar,
            lines,
            start: now.to_f64(),
        }
    }

    fn set(&mut self, t: Time) {
        if let Some(b) = &self.bar {
            b.set_position(((t.to_f64() - self.start) * 100.0) as u64);
            b.set_message(format!("{:.2}", t.to_f64()));
        }
        if let Some(p) = &mut self.lines {
            let due = p.last.is_none_or(|l| l.elapsed() >= p.every);
            if due || t.to_f64() >= p.end {
                p.last = Some(std::time::Instant::now());
                let el = p.began.elapsed().as_secs_f64();
                eprintln!("{}", plain_line(t.to_f64(), self.start, p.end, el));
            }
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Collective: advance to `t` one iteration (1.0) at a time; at each step
/// boundary all ranks agree whether a checkpoint signal arrived anywhere.
pub fn run_to(
    ctx: &Context,
    sess: &mut Session,
    t: Time,
    progress: &mut Progress,
    dir: &Path,
    simname: &str,
) -> Result<()> {
    let flag = install_signal_handlers();
    let one = Time::from_int(1);
    while sess.net.time() < t {
        let now = sess.net.time();
        let next = if now + one < t { now + one } else { t };
        sess.run_to(next)?;
        progress.set(next);
        let stop = !ctx.all_ok(!flag.load(Ordering::SeqCst));
        if stop && sess.net.time() < t {
            let h5 = dir.join(format!("{simname}.h5"));
            let snap = crate::io::restore::save_snapshot(ctx, sess, dir, simname, Some(&h5))?;
            progress.finish();
            return Err(Checkpointed {
                snapshot: snap,
                time: sess.net.time(),
            }
            .into());
        }
    }
    Ok(())
}
