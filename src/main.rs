//! `topo-hpc`: see `topo-hpc --help` and the README.

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let ctx = topo_hpc::par::Context::init();
    let code = topo_hpc::cli::main(&ctx, &argv);
    // MPI finalises when the context drops; every HDF5 file is closed by now.
    drop(ctx);
    std::process::exit(code);
}
