fn main() {
    let universe = mpi::initialize().expect("MPI init");
    use mpi::traits::Communicator;
    let world = universe.world();
    if world.rank() == 0 {
        println!("topo-hpc on {} ranks", world.size());
    }
}
