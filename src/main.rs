//! `topo-hpc`: see `topo-hpc --help` and the README.

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    // `sweep` and `collate` launch mpirun/srun children themselves; an MPI
    // singleton parent would leak its OMPI_/PMIX_ environment into them.
    // `inspect`, `completions`, `man` and `--version` read files or print
    // text: they run on a login node without mpirun.
    let launcher = matches!(
        argv.get(1).map(String::as_str),
        Some("sweep" | "collate" | "inspect" | "completions" | "man" | "--version" | "-V")
    );
    if argv.get(1).map(String::as_str) == Some("run") {
        // A stop signal from here on is kept for the run's next step
        // boundary (or its check before the folder is made), never a
        // silent death while MPI starts or the model loads.
        topo_hpc::batch::progress::install_signal_handlers();
    }
    let ctx = if launcher {
        topo_hpc::par::Context::local()
    } else {
        topo_hpc::par::Context::init()
    };
    let code = topo_hpc::cli::main(&ctx, &argv);
    // MPI finalises when the context drops; every HDF5 file is closed by now.
    drop(ctx);
    std::process::exit(code);
}
