//! How the engine uses rayon's workers between its parallel loops.
//!
//! At cortex_density 48 a GCAL iteration starts ~70 parallel loops of
//! 5–60 µs each, separated by serial work of a few µs (the halo copy, the
//! push/pull scan, the output functions). An idle rayon worker spins a
//! little, then sleeps on a futex; a loop started after that must wake it,
//! and the wake takes about as long as the loop, so the loop is over (done
//! by the calling thread alone) before the worker arrives. [`KeepAwake`]
//! keeps the other workers of the pool looking for work, without sleeping,
//! for as long as it lives (one `Network::run`): every loop is then split
//! at once. It burns those workers' cores while it lives, so it is a
//! switch (`Network::set_keep_awake`, or `TOPO_HPC_KEEP_AWAKE=1` in the
//! environment), off by default.
//!
//! None of this changes a result: which thread computes a piece of a loop
//! never changes what it computes (every kernel's sums are in a fixed
//! order, whatever the split).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Spinners started and not yet returned (for tests).
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The default of `Network::set_keep_awake`: `TOPO_HPC_KEEP_AWAKE=1` in
/// the environment (read once), for measuring a real run with it.
pub fn keep_awake_from_env() -> bool {
    static FROM_ENV: OnceLock<bool> = OnceLock::new();
    *FROM_ENV.get_or_init(|| std::env::var("TOPO_HPC_KEEP_AWAKE").is_ok_and(|v| v.trim() == "1"))
}

/// Spinners not yet returned (0 shortly after every [`KeepAwake`] ended).
pub fn live_spinners() -> usize {
    LIVE.load(Ordering::SeqCst)
}

/// While alive (if made with `on`, and the pool has more than one
/// thread), the pool's other workers poll for work instead of sleeping.
/// Make it on the thread that runs the loops (a worker of the pool, as
/// `topo_par::configure_threads` makes the main thread, or inside
/// `ThreadPool::install`); dropping it lets them sleep again (they notice
/// within a poll, ~0.1 µs).
pub struct KeepAwake {
    /// Set when it ends: its spinners return.
    stop: Option<Arc<AtomicBool>>,
}

impl KeepAwake {
    /// Start spinners on the pool's other workers if `on`. One flag and
    /// one small heap job per other worker (`rayon::spawn`), once per
    /// `Network::run` call, not per step; nothing when off.
    pub fn start(on: bool) -> KeepAwake {
        let threads = rayon::current_num_threads();
        if !on || threads < 2 {
            return KeepAwake { stop: None };
        }
        let stop = Arc::new(AtomicBool::new(false));
        let caller = rayon::current_thread_index();
        for _ in 1..threads {
            LIVE.fetch_add(1, Ordering::SeqCst);
            let stop = stop.clone();
            rayon::spawn(move || {
                spin(&stop, caller);
                LIVE.fetch_sub(1, Ordering::SeqCst);
            });
        }
        KeepAwake { stop: Some(stop) }
    }
}

impl Drop for KeepAwake {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            stop.store(true, Ordering::SeqCst);
        }
    }
}

/// Poll the pool for work (`rayon::yield_now` runs one pending job, e.g.
/// half of a loop another thread split) until `stop` is set. Never on
/// `caller`, the worker that made the [`KeepAwake`] (it can pick this job
/// up while it waits in a join, and must get back to its own work, which
/// ends with setting `stop`): there it returns at once. A spinner's poll
/// can pick up another spinner (e.g. the next `run`'s, while this one has
/// not yet seen its stop): that one then spins in its place, and this one
/// returns when it does.
fn spin(stop: &AtomicBool, caller: Option<usize>) {
    let here = rayon::current_thread_index();
    if here.is_none() || here == caller {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {}
            _ => std::hint::spin_loop(),
        }
    }
}
