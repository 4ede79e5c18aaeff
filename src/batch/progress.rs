//! Advancing a batch run: in whole-iteration steps, with a progress bar on
//! rank 0 and a check for checkpoint signals at every step boundary.

use crate::par::Context;
use crate::session::Session;
use anyhow::Result;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use topo_spec::Time;

/// Exit code of a run that stopped on a signal (SIGUSR1, SIGTERM, SIGINT):
/// after writing a snapshot, or before anything was written. The job
/// script runs it again (with `--restore` when a snapshot exists).
pub const CHECKPOINT_EXIT_CODE: i32 = 3;

static SIGNALLED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The signals that ask a run to stop at the next step boundary: SLURM's
/// `--signal` (SIGUSR1, which mpirun and srun forward without killing),
/// the end of the wall time and `kill` (SIGTERM), and Ctrl-C (SIGINT).
pub const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGUSR1,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGINT,
];

/// Catch [`STOP_SIGNALS`]: from now on they set a flag instead of ending
/// the process; the run checks it at step boundaries. Installed when a
/// batch run starts, so a signal during model loading or construction is
/// kept until the first boundary rather than killing the run silently.
pub fn install_signal_handlers() -> Arc<AtomicBool> {
    SIGNALLED
        .get_or_init(|| {
            let flag = Arc::new(AtomicBool::new(false));
            for sig in STOP_SIGNALS {
                let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
            }
            flag
        })
        .clone()
}

/// Collective: whether a stop signal reached any rank.
pub fn stop_requested(ctx: &Context) -> bool {
    let flag = install_signal_handlers();
    !ctx.all_ok(!flag.load(Ordering::SeqCst))
}

/// The run stopped for a checkpoint.
#[derive(Debug)]
pub struct Checkpointed {
    /// The snapshot written.
    pub snapshot: std::path::PathBuf,
    /// The time reached.
    pub time: Time,
    /// How to continue (filled in by run_batch, which knows the command).
    pub continue_with: String,
}

impl std::fmt::Display for Checkpointed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "checkpointed at time {} into {} (signal received)",
            self.time.to_f64(),
            self.snapshot.display()
        )?;
        if !self.continue_with.is_empty() {
            write!(f, "; {}", self.continue_with)?;
        }
        Ok(())
    }
}

impl std::error::Error for Checkpointed {}

/// The run stopped on a signal before it had anything to save.
#[derive(Debug)]
pub struct Stopped {
    /// Where it was.
    pub stage: String,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stopped by a signal {}; nothing to checkpoint: run the same command again",
            self.stage
        )
    }
}

impl std::error::Error for Stopped {}

/// Whether an error is a stop on a signal (exit status [`CHECKPOINT_EXIT_CODE`]).
pub fn is_stop(e: &anyhow::Error) -> bool {
    e.is::<Checkpointed>() || e.is::<Stopped>()
}

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
/// What a run owes to its end (the last responses of each settling
/// iteration, which the next iteration clears unread) stays owed between
/// the steps and is computed once, when the loop returns: stepping gives
/// the state one run to `t` would.
pub fn run_to(
    ctx: &Context,
    sess: &mut Session,
    t: Time,
    progress: &mut Progress,
    dir: &Path,
    simname: &str,
) -> Result<()> {
    let one = Time::from_int(1);
    while sess.net.time() < t {
        let now = sess.net.time();
        let next = if now + one < t { now + one } else { t };
        let (before, clock) = (sess.ex.stats(), std::time::Instant::now());
        let stepped = sess.run_ahead_to(next);
        if stepped.is_err() || next >= t {
            // After an error too, as `Network::run` does.
            let resolved = sess.resolve_owed();
            stepped.and(resolved)?;
        } else {
            stepped?;
        }
        let after = sess.ex.stats();
        let dt = (next - now).to_f64();
        sess.training
            .add(clock.elapsed().as_secs_f64(), dt, &before, &after);
        progress.set(next);
        if stop_requested(ctx) && sess.net.time() < t {
            sess.resolve_owed()?;
            let h5 = dir.join(format!("{simname}.h5"));
            let snap = crate::io::restore::save_snapshot(ctx, sess, dir, simname, Some(&h5))?;
            progress.finish();
            return Err(Checkpointed {
                snapshot: snap,
                time: sess.net.time(),
                continue_with: String::new(),
            }
            .into());
        }
    }
    Ok(())
}
