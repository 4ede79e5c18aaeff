//! Was this process started by an MPI launcher (`mpirun`, `srun`, ...)?
//!
//! A launcher forwards the ranks' stdout through itself, and it may not
//! survive a closed stdout: Open MPI 4.1's `mpirun` counts the SIGPIPEs of
//! its forwarding writes and aborts the whole job after more than ten
//! (`mpirun: SIGPIPE detected on fd 13 - aborting`), and even a single
//! forwarded line can end mpirun itself by SIGPIPE. A rank cannot see
//! mpirun's stdout, so a run under a launcher keeps its log off stdout (see
//! the main crate's `console` module).
//!
//! The rule, read from the environment the launcher gives its ranks before
//! `MPI_Init` (so it holds for one rank too, `mpirun -n 1`): the process was
//! launched when one of [`LAUNCHER_VARIABLES`] is set:
//! - `OMPI_COMM_WORLD_SIZE`: Open MPI's `mpirun`/`mpiexec` (ORTE's odls
//!   sets it for every rank it starts);
//! - `PMIX_RANK`: any PMIx launcher (`srun --mpi=pmix`, Open MPI 5's
//!   `mpirun`, `prterun`);
//! - `PMI_SIZE`: PMI-1/PMI-2 launchers (MPICH's and Intel MPI's Hydra
//!   `mpiexec`, `srun --mpi=pmi2`);
//! - `SLURM_STEP_ID`: any `srun` job step (srun sets it for its tasks; the
//!   batch script itself, where `topo-hpc sweep` or a single-process run may
//!   be started without srun, has none).
//!
//! A process started without a launcher has none of them until `MPI_Init`:
//! Open MPI's singleton start-up then sets `OMPI_COMM_WORLD_SIZE` and the
//! like in the process's own environment. The answer is therefore read once,
//! before MPI starts ([`crate::Context::init`] asks first), and kept.

use std::sync::OnceLock;

/// The environment variables that say a launcher started this process, in
/// the order they are looked up.
pub const LAUNCHER_VARIABLES: [&str; 4] = [
    "OMPI_COMM_WORLD_SIZE",
    "PMIX_RANK",
    "PMI_SIZE",
    "SLURM_STEP_ID",
];

/// The first of [`LAUNCHER_VARIABLES`] set in this process's environment
/// when first asked (`None`: started without a launcher).
pub fn launched_by() -> Option<&'static str> {
    static ANSWER: OnceLock<Option<&'static str>> = OnceLock::new();
    *ANSWER.get_or_init(|| launched_by_in(|k| std::env::var_os(k).is_some()))
}

/// [`launched_by`] over any environment (`is_set(name)`), for tests.
pub fn launched_by_in(is_set: impl Fn(&str) -> bool) -> Option<&'static str> {
    LAUNCHER_VARIABLES.iter().copied().find(|k| is_set(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &'static [&'static str]) -> impl Fn(&str) -> bool {
        move |k| vars.contains(&k)
    }

    #[test]
    fn each_launcher_variable_alone_means_launched() {
        for v in LAUNCHER_VARIABLES {
            let vars: &'static [&'static str] = Box::leak(Box::new([v]));
            assert_eq!(launched_by_in(env_of(vars)), Some(v));
        }
    }

    #[test]
    fn a_batch_script_or_a_shell_is_not_a_launcher() {
        // sbatch's own environment: job variables, no step id.
        let batch = env_of(&["SLURM_JOB_ID", "SLURM_NTASKS", "SLURM_PROCID", "HOME"]);
        assert_eq!(launched_by_in(batch), None);
        assert_eq!(launched_by_in(env_of(&[])), None);
    }

    #[test]
    fn open_mpi_under_srun_names_the_first_variable() {
        let both = env_of(&["SLURM_STEP_ID", "PMIX_RANK"]);
        assert_eq!(launched_by_in(both), Some("PMIX_RANK"));
    }
}
