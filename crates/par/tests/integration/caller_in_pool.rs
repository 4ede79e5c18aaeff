//! `configure_threads` makes its caller one of the pool's threads, so the
//! parallel loops the stepping thread starts do not hand the loop to a
//! worker and sleep until it ends (two thread switches per loop, which at
//! cortex_density 48 cost a fifth of a 1-thread GCAL iteration). The only
//! test of this crate's binary that builds rayon's global pool, which can
//! be built once per process.

use rayon::prelude::*;

/// Voluntary context switches of the calling thread so far (Linux).
#[cfg(target_os = "linux")]
fn voluntary_switches() -> u64 {
    // gettid: the calling thread's own task, not the process's.
    let tid = unsafe { libc_gettid() };
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status"))
        .expect("/proc/self/task/<tid>/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .expect("voluntary_ctxt_switches line")
        .trim()
        .parse()
        .expect("a count")
}

#[cfg(target_os = "linux")]
unsafe fn libc_gettid() -> i64 {
    extern "C" {
        fn gettid() -> i32;
    }
    i64::from(gettid())
}

#[test]
fn the_caller_is_worker_zero_and_loops_do_not_sleep() {
    assert_eq!(topo_par::configure_threads(Some(1)), Ok(1));
    assert_eq!(rayon::current_num_threads(), 1);
    assert_eq!(rayon::current_thread_index(), Some(0));
    let me = std::thread::current().id();
    let (a, b) = rayon::join(
        || std::thread::current().id(),
        || std::thread::current().id(),
    );
    assert_eq!(
        (a, b),
        (me, me),
        "a one-thread pool runs both halves on the caller"
    );

    let mut v = vec![0u64; 4096];
    #[cfg(target_os = "linux")]
    let before = voluntary_switches();
    for round in 0..1000u64 {
        v.par_iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = x.wrapping_add(i as u64 ^ round));
    }
    #[cfg(target_os = "linux")]
    {
        // Handed to a worker, each loop would put the caller to sleep once
        // (>= 1000 switches); run in place, none is needed. The slack is
        // for the rare page fault or preemption counted as voluntary.
        let switches = voluntary_switches() - before;
        assert!(switches < 50, "{switches} voluntary switches in 1000 loops");
    }
    let expected: Vec<u64> = (0..4096u64)
        .map(|i| (0..1000u64).fold(0u64, |x, r| x.wrapping_add(i ^ r)))
        .collect();
    assert_eq!(v, expected);
}
