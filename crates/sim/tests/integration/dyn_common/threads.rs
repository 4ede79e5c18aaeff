//! An in-process multi-rank [`Exchange`]: one thread per rank, collectives
//! through a shared board and a barrier. Slow and allocating, but it
//! exercises exactly the calls the MPI layer must implement.

use std::sync::{Arc, Barrier, Mutex};
use topo_sim::exchange::{Block, Decomposition, Exchange, HaloId};
use topo_sim::ownership::{copy_owned_to_rect, Dealing, Ownership};

/// One rank's post: its units, data, a scalar and an index.
type Post = (Ownership, Vec<f64>, f64, usize);

/// State shared by the ranks.
pub struct Board {
    barrier: Barrier,
    slots: Mutex<Vec<Option<Post>>>,
}

impl Board {
    /// A board for `n` ranks.
    pub fn new(n: usize) -> Arc<Board> {
        Arc::new(Board {
            barrier: Barrier::new(n),
            slots: Mutex::new(vec![None; n]),
        })
    }
}

/// One rank's view.
pub struct ThreadExchange {
    rank: usize,
    size: usize,
    board: Arc<Board>,
    halos: Vec<(Ownership, Block)>,
}

impl ThreadExchange {
    /// Rank `rank` of `size` on `board`.
    pub fn new(rank: usize, size: usize, board: Arc<Board>) -> Self {
        ThreadExchange {
            rank,
            size,
            board,
            halos: Vec::new(),
        }
    }

    /// Post, wait for everybody, read every post, wait again.
    fn all(&mut self, own: Ownership, data: &[f64], v: f64, i: usize) -> Vec<Post> {
        self.board.slots.lock().unwrap()[self.rank] = Some((own, data.to_vec(), v, i));
        self.board.barrier.wait();
        let posts: Vec<_> = self
            .board
            .slots
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.clone().expect("every rank posted"))
            .collect();
        self.board.barrier.wait();
        posts
    }
}

fn paste(src_own: &Ownership, src: &[f64], dst_block: &Block, dst: &mut [f64]) {
    for b in src_own.intersect(dst_block) {
        copy_owned_to_rect(src_own, src, dst_block, dst, &b);
    }
}

impl Exchange for ThreadExchange {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn register(
        &mut self,
        _sheet: &str,
        _rows: usize,
        _cols: usize,
        own: &Ownership,
        needed: Block,
    ) -> HaloId {
        self.halos.push((*own, needed));
        HaloId(self.halos.len() - 1)
    }
    fn exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        let (own, needed) = self.halos[id.0];
        let posts = self.all(own, local, 0.0, 0);
        for (b, d, _, _) in &posts {
            paste(b, d, &needed, out);
        }
    }
    fn max(&mut self, v: f64) -> f64 {
        self.all(Block::default().into(), &[], v, 0)
            .iter()
            .map(|p| p.2)
            .fold(f64::NEG_INFINITY, f64::max)
    }
    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        let posts = self.all(Block::default().into(), &[], v, index);
        let mut best = (f64::NEG_INFINITY, usize::MAX);
        for p in posts {
            if p.2 > best.0 || (p.2 == best.0 && p.3 < best.1) {
                best = (p.2, p.3);
            }
        }
        best
    }
    fn allgather_sheet(
        &mut self,
        rows: usize,
        cols: usize,
        own: &Ownership,
        local: &[f64],
    ) -> Vec<f64> {
        let whole = Block::full(rows, cols);
        let mut out = vec![0.0; rows * cols];
        for (b, d, _, _) in self.all(*own, local, 0.0, 0) {
            paste(&b, &d, &whole, &mut out);
        }
        out
    }
}

/// A `pr x pc` grid of blocks, the same cut fractions for every sheet.
pub struct Grid {
    /// Rank.
    pub rank: usize,
    /// Process rows.
    pub pr: usize,
    /// Process columns.
    pub pc: usize,
}

impl Decomposition for Grid {
    fn block(&self, _sheet: &str, rows: usize, cols: usize, _lbrt: [f64; 4]) -> Block {
        let (i, j) = (self.rank / self.pc, self.rank % self.pc);
        Block {
            r0: rows * i / self.pr,
            r1: rows * (i + 1) / self.pr,
            c0: cols * j / self.pc,
            c1: cols * (j + 1) / self.pc,
        }
    }
}

/// Every sheet split by one [`Dealing`] over `size` ranks (rows dealt in
/// stripes, or row or column blocks).
pub struct Dealt {
    /// Rank.
    pub rank: usize,
    /// Number of ranks.
    pub size: usize,
    /// How the rows (or columns) are dealt.
    pub dealing: Dealing,
}

impl Decomposition for Dealt {
    fn block(&self, _sheet: &str, rows: usize, cols: usize, _lbrt: [f64; 4]) -> Block {
        self.ownership("", rows, cols, [0.0; 4]).bounds()
    }
    fn ownership(&self, _sheet: &str, rows: usize, cols: usize, _lbrt: [f64; 4]) -> Ownership {
        self.dealing.owner_set(rows, cols, self.size, self.rank)
    }
}
