//! topo-par's integration tests, one binary (see tests/README.md).

mod caller_in_pool;
