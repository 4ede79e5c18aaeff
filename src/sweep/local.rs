//! The local launcher: the runs as child processes, `jobs` at a time.

use super::manifest::RunState;
use super::runner::{execute, Outcome};
use anyhow::Result;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Summary of a launch.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Runs that ended with exit code 0.
    pub done: usize,
    /// Runs that failed (or could not be started).
    pub failed: usize,
    /// Runs that checkpointed and wait to be continued.
    pub pending: usize,
}

/// Run `indices` of the sweep in `dir`, at most `jobs` at once. Each worker
/// thread takes the next index and waits on its child; the manifest is
/// updated by each run as it starts and ends. Errors of the bookkeeping
/// itself (manifest unreadable) stop the launch; failures of runs do not.
pub fn launch(
    dir: &Path,
    indices: &[usize],
    jobs: usize,
    describe: &(dyn Fn(usize) -> String + Sync),
) -> Result<Tally> {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let first_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let total = indices.len();
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, total.max(1)) {
            s.spawn(|| loop {
                if first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                    return;
                }
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(&index) = indices.get(k) else { return };
                match execute(dir, index) {
                    Ok(Outcome {
                        state,
                        exit_code,
                        seconds,
                    }) => {
                        let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
                        let word = match state {
                            RunState::Done => "done",
                            RunState::Pending => "checkpointed",
                            _ => "FAILED",
                        };
                        println!(
                            "[{n}/{total}] run {index} {word} (exit {}, {seconds:.1} s): {}",
                            exit_code.map_or("by signal".into(), |c| c.to_string()),
                            describe(index)
                        );
                        if let Ok(mut t) = tally.lock() {
                            match state {
                                RunState::Done => t.done += 1,
                                RunState::Pending => t.pending += 1,
                                _ => t.failed += 1,
                            }
                        }
                    }
                    Err(e) => {
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(tally.into_inner().unwrap_or_default())
}
