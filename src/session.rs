//! A simulation on this rank: the model's spec, this rank's blocks, the
//! exchange and the engine, put together the same way by every command.

use crate::par::SplitChoice;
use crate::par::{self, Assignment, Context, GridDecomposition, MpiExchange, SheetGeometry};
use anyhow::{anyhow, Context as _, Result};
use topo_sim::Network;
use topo_spec::{ModelSpec, Time};

/// The engine on this rank with what it communicates through.
pub struct Session {
    /// The model.
    pub spec: ModelSpec,
    /// The process grid (the blocks of the sheets split by the grid).
    pub decomp: GridDecomposition,
    /// How each sheet is split ([`SPLIT_ENV`]).
    pub split: SplitChoice,
    /// Communication with the other ranks.
    pub ex: MpiExchange,
    /// The engine.
    pub net: Network,
    /// Where this rank's time went (setup, training, exchange).
    pub training: crate::timing::Training,
}

/// A sheet's coordinate system from its spec (nominal bounds and density);
/// the engine's own computation, so plots and maps match its shapes.
pub fn sheet_coords(s: &topo_spec::SheetSpec) -> Result<topo_pattern::coords::SheetCoords> {
    topo_sim::sheet_coords(s).map_err(|e| anyhow!("sheet {}: {e}", s.name))
}

/// Every sheet's name, shape and true bounds, from the spec alone.
pub fn model_geometry(spec: &ModelSpec) -> Result<Vec<SheetGeometry>> {
    par::model::model_geometry(spec).map_err(|e| anyhow!("{e}"))
}

/// The decomposition report for the halos really exchanged: each labelled
/// with its projection, and the projections that cut their input from
/// another's halo listed after them.
pub fn report_with_shared_halos(
    decomp: &GridDecomposition,
    geo: &[SheetGeometry],
    net: &Network,
    ex: &MpiExchange,
) -> String {
    report_with_split(decomp, &SplitChoice::default(), geo, net, ex)
}

/// [`report_with_shared_halos`] listing each rank's units of every sheet
/// as `split` deals them.
pub fn report_with_split(
    decomp: &GridDecomposition,
    split: &SplitChoice,
    geo: &[SheetGeometry],
    net: &Network,
    ex: &MpiExchange,
) -> String {
    let all = ex.halo_summaries();
    let mut used = Vec::new();
    let mut shared = String::new();
    for u in net.halo_use() {
        match (u.halo, u.shared_from) {
            (Some(id), None) => {
                let mut h = all[id.0].clone();
                h.sheet = format!("{} for {}", h.sheet, u.projection);
                used.push(h);
            }
            (Some(_), Some(leader)) => {
                shared.push_str(&format!(
                    "Shared halo: {} reads {leader}'s halo (not exchanged)\n",
                    u.projection
                ));
            }
            (None, _) => {}
        }
    }
    let lbrts: Vec<[f64; 4]> = geo.iter().map(|g| g.lbrt).collect();
    // Any rank's view answers for every rank (ownership_of takes the rank).
    let assignment = par::Assignment::new(decomp.size(), 0, &lbrts, split.clone()).ok();
    let owner = |q: usize, sh: &SheetGeometry| -> topo_sim::ownership::Ownership {
        match &assignment {
            Some(a) => a.ownership_of(q, &sh.name, sh.rows, sh.cols, sh.lbrt),
            None => decomp.block_of(q, sh.rows, sh.cols, sh.lbrt).into(),
        }
    };
    par::decomposition_report_owned(decomp, &owner, geo, &used) + &shared
}

pub use crate::balance::SPLIT_ENV;

impl Session {
    /// Collective: decompose and build the network.
    pub fn build(ctx: &Context, spec: ModelSpec) -> Result<Session> {
        let started = std::time::Instant::now();
        let geo = model_geometry(&spec)?;
        let lbrts: Vec<[f64; 4]> = geo.iter().map(|g| g.lbrt).collect();
        let split = crate::balance::split_choice(&spec, ctx.size())?;
        let assignment = Assignment::new(ctx.size(), ctx.rank(), &lbrts, split.clone())
            .map_err(|e| anyhow!("cannot decompose the sheets: {e}"))?;
        let mut ex = ctx.exchange();
        let net = Network::build(&spec, &assignment, &mut ex)
            .map_err(|e| anyhow!("{e}"))
            .context("building the network")?;
        Ok(Session {
            spec,
            decomp: assignment.grid().clone(),
            split,
            ex,
            net,
            training: crate::timing::Training {
                setup_s: started.elapsed().as_secs_f64(),
                ..Default::default()
            },
        })
    }

    /// The decomposition report (grid, blocks, halo bytes per step).
    pub fn decomposition_report(&self) -> Result<String> {
        let geo = model_geometry(&self.spec)?;
        Ok(crate::balance::describe(&self.spec, &self.split)
            + "\n"
            + &report_with_split(&self.decomp, &self.split, &geo, &self.net, &self.ex))
    }

    /// Collective: advance to absolute time `t` (no-op if already there).
    pub fn run_to(&mut self, t: Time) -> Result<()> {
        let now = self.net.time();
        if t > now {
            self.net
                .run(t - now, &mut self.ex)
                .map_err(|e| anyhow!("{e}"))?;
        }
        Ok(())
    }

    /// Collective: advance to absolute time `t` like [`Session::run_to`],
    /// leaving owed what a run owes to its end (`Network::run_ahead`): for
    /// a loop that runs on right after. Call [`Session::resolve_owed`]
    /// before anything reads the state.
    pub fn run_ahead_to(&mut self, t: Time) -> Result<()> {
        let now = self.net.time();
        if t > now {
            self.net
                .run_ahead(t - now, &mut self.ex)
                .map_err(|e| anyhow!("{e}"))?;
        }
        Ok(())
    }

    /// Collective: computes what [`Session::run_ahead_to`] left owed.
    pub fn resolve_owed(&mut self) -> Result<()> {
        self.net
            .resolve_owed(&mut self.ex)
            .map_err(|e| anyhow!("{e}"))
    }

    /// Collective: a sheet's whole activity on every rank.
    pub fn gather_activity(&mut self, sheet: &str) -> Result<ndarray::Array2<f64>> {
        self.net
            .gather_activity_array(sheet, &mut self.ex)
            .map_err(|e| anyhow!("{e}"))
    }
}
