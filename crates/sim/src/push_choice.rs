//! Whether a delivery is pushed from its non-zero inputs
//! ([`crate::push::push_dot_product`]) or pulled over the connection fields
//! ([`crate::response::dot_product`]): a cost model of both kernels.
//!
//! Both paths give the same bits (see [`crate::push`]), so the choice only
//! picks the faster one. It is a pure function of the input and the
//! projection's static layout (CF geometry, the per-source copy's entry
//! counts): never of timings or the thread count, so every run makes the
//! same choices. The model counts the work of each path,
//!
//! - push: the stored entries of the non-zero sources (exactly, from the
//!   per-source copy once it exists; before, the mean entries per source),
//!   the non-zero sources, and per target unit the eight planes zeroed and
//!   combined;
//! - pull: the CF weights inside each input row's non-zero column span
//!   (estimated as the CF weights times the fraction of sources inside the
//!   spans), one span test per CF row, and per target unit the call,
//!
//! and weighs them with nanosecond costs measured by `cargo bench --bench
//! push_choice` ([`IN_CACHE`] and [`FROM_MEMORY`], chosen by whether the
//! projection's weights fit in the L3 cache, [`CACHE_BYTES`]).

use crate::cf::ConnectionFields;
use crate::push::{PushLayout, PushScratch};
use std::sync::atomic::{AtomicBool, Ordering};

/// L3 cache of the machine kind the costs were measured on (32 MB): a
/// projection whose per-target weights are no larger is costed with
/// [`IN_CACHE`], else with [`FROM_MEMORY`]. A constant, not read from the
/// machine, so that the choice is the same on every machine and rank.
pub const CACHE_BYTES: usize = 32 << 20;

/// Costs in nanoseconds of each counted piece of work (one thread).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostModel {
    /// Per entry pushed (a read of the weight, a read and a write of an
    /// f64 accumulator).
    pub push_term: f64,
    /// Per non-zero source pushed (its runs found, a plane picked).
    pub push_source: f64,
    /// Per target unit of a push (eight planes zeroed and combined).
    pub push_unit: f64,
    /// Per CF weight the pull reads (a weight and an input value).
    pub pull_term: f64,
    /// Per CF row the pull visits (its span tested).
    pub pull_row: f64,
    /// Per CF weight on an input row with a non-zero (weights outside the
    /// spans streamed from memory all the same).
    pub pull_touched: f64,
}

/// Costs when the weights fit in L3 (GCAL's V1 projections at
/// cortex_density 48, its afferents at 142): fitted by
/// `benches/push_choice_fit.py` (least squares on relative errors,
/// non-negative) to the least one-thread kernel times of three runs of
/// `cargo bench --bench push_choice` (benches/results/
/// issue14_s8_choice_run*.txt, the fit in issue14_s8_choice_fit.txt: V1's
/// four projections at cortex_density 48 and 142, real V1/LGN activities
/// of one iteration and synthetic blobs from 2 % to 100 % non-zero, min
/// of 9 and 5 calls; a loaded machine, load average 6-9 on 2 cores). The
/// push is the faster path at every one of these points, and the model
/// picks it at all 124.
pub const IN_CACHE: CostModel = CostModel {
    push_term: 0.23,
    push_source: 21.0,
    push_unit: 9.2,
    pull_term: 0.40,
    pull_row: 2.5,
    pull_touched: 0.03,
};

/// Costs when the weights come from memory (V1's lateral projections at
/// cortex_density 142), fitted as [`IN_CACHE`]: the pull streams most of
/// the weights of every touched input row; pushing wins up to 85 %-dense
/// inputs, the pull only for fully dense excitatory input (measured; the
/// model, less exact in that corner, still pushes there: 59 of 60 points
/// right).
pub const FROM_MEMORY: CostModel = CostModel {
    push_term: 0.54,
    push_source: 0.0,
    push_unit: 0.0,
    pull_term: 0.66,
    pull_row: 0.0,
    pull_touched: 0.15,
};

/// The work of one delivery counted both ways (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DeliveryWork {
    /// Target units.
    pub units: usize,
    /// Non-zero inputs.
    pub nonzero: usize,
    /// Entries a push adds.
    pub terms_pushed: f64,
    /// CF weights a pull reads (estimate).
    pub terms_pulled: f64,
    /// CF rows a pull visits.
    pub cf_rows: f64,
    /// CF weights on input rows with a non-zero (estimate): what a pull
    /// from memory streams (the prefetcher fetches a touched row whole).
    pub terms_touched: f64,
    /// Bytes of the per-target weights.
    pub weight_bytes: usize,
}

impl CostModel {
    /// The costs for a projection with `weight_bytes` of per-target weights.
    pub fn for_weights(weight_bytes: usize) -> &'static CostModel {
        if weight_bytes <= CACHE_BYTES {
            &IN_CACHE
        } else {
            &FROM_MEMORY
        }
    }

    /// Modelled time of the push, nanoseconds on one thread.
    pub fn push_ns(&self, w: &DeliveryWork) -> f64 {
        self.push_term * w.terms_pushed
            + self.push_source * w.nonzero as f64
            + self.push_unit * w.units as f64
    }

    /// Modelled time of the pull, nanoseconds on one thread.
    pub fn pull_ns(&self, w: &DeliveryWork) -> f64 {
        self.pull_term * w.terms_pulled
            + self.pull_row * w.cf_rows
            + self.pull_touched * w.terms_touched
    }

    /// Whether the push is modelled no slower than the pull.
    pub fn push_pays(&self, w: &DeliveryWork) -> bool {
        self.push_ns(w) <= self.pull_ns(w)
    }
}

/// Counts the work of delivering an input whose non-zero elements are
/// `nonzero` (indices row-major over `cfs.needed`, increasing, as
/// [`PushScratch::scan`] lists them) to the own-weight CFs `cfs`, with the
/// per-source copy `layout` if it exists and fits. O(non-zero).
pub fn work(cfs: &ConnectionFields, layout: Option<&PushLayout>, nonzero: &[u32]) -> DeliveryWork {
    let needed = cfs.needed;
    let (nsrc, ncols) = (needed.len().max(1), needed.cols().max(1));
    let weights = cfs.weights.len() as f64;
    let mean_terms = weights / nsrc as f64;
    let terms_pushed = match layout {
        Some(l) => nonzero
            .iter()
            .map(|&s| l.source_terms(s as usize))
            .sum::<usize>() as f64,
        None => mean_terms * nonzero.len() as f64,
    };
    // The sources inside each row's first-to-last non-zero span: the list
    // is row-major, so a row's span runs from its first entry to its last.
    let (mut spanned, mut rows) = (0usize, 0usize);
    let mut i = 0;
    while i < nonzero.len() {
        let row = nonzero[i] as usize / ncols;
        let mut j = i;
        while j + 1 < nonzero.len() && nonzero[j + 1] as usize / ncols == row {
            j += 1;
        }
        spanned += (nonzero[j] - nonzero[i]) as usize + 1;
        rows += 1;
        i = j + 1;
    }
    let units = cfs.slices.len();
    let cf_rows = (units * cfs.template_shape.0) as f64;
    DeliveryWork {
        units,
        nonzero: nonzero.len(),
        terms_pushed,
        terms_pulled: mean_terms * spanned as f64,
        cf_rows,
        terms_touched: weights * rows as f64 / needed.rows().max(1) as f64,
        weight_bytes: cfs.weights.len() * std::mem::size_of::<f32>(),
    }
}

/// Decides whether a delivery of `input` to the own-weight CFs `cfs` is
/// pushed: the input is finite ([`PushScratch::scan`]; `0 * inf` needs the
/// dropped entries) and the push is modelled no slower than the pull
/// ([`CostModel::push_pays`]). `layout` is the projection's per-source copy
/// if it exists and fits `cfs`. Either answer gives the same bits. Leaves
/// the non-zero list in `scratch`.
pub fn should_push(
    input: &[f64],
    cfs: &ConnectionFields,
    layout: Option<&PushLayout>,
    scratch: &mut PushScratch,
) -> bool {
    if scratch.scan(input).is_none() {
        return false;
    }
    let w = work(cfs, layout, scratch.nonzero());
    CostModel::for_weights(w.weight_bytes).push_pays(&w)
}

/// What [`push_surely_pays`] needs of a projection's per-source copy: the
/// most entries any one source has. It depends on the copy's runs only,
/// which learning (the sync writes weights, never addresses) leaves as
/// they are: computed once per copy, O(sources).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceBound {
    /// The largest [`PushLayout::source_terms`] over the sources.
    pub max_terms: usize,
}

impl SourceBound {
    /// The bound of `layout`, laid over `sources` sources (the length of
    /// its projection's `needed` block).
    pub fn of(layout: &PushLayout, sources: usize) -> SourceBound {
        SourceBound {
            max_terms: (0..sources)
                .map(|s| layout.source_terms(s))
                .max()
                .unwrap_or(0),
        }
    }
}

/// Whether the model certainly picks the push for any input of
/// `nonzero` non-zero elements to `cfs`, whose per-source copy has the
/// bound `bound`: O(1), without counting the input's work.
///
/// It compares the modelled push of `nonzero` sources of `max_terms`
/// entries each (no fewer terms than the real push) with the modelled
/// pull of `nonzero` sources' spans and no touched rows (no more than the
/// real pull: a row's span holds at least its non-zero sources). Each
/// cost is a sum of non-negative products evaluated as in
/// [`CostModel::push_ns`] and [`CostModel::pull_ns`], and IEEE rounding
/// is monotone, so `push_ns(real) <= push_ns(bound) <= pull_ns(bound) <=
/// pull_ns(real)`: when this says yes, [`work`] and
/// [`CostModel::push_pays`] say yes too. When it says no, the exact count
/// decides.
pub fn push_surely_pays(cfs: &ConnectionFields, bound: &SourceBound, nonzero: usize) -> bool {
    let nsrc = cfs.needed.len().max(1);
    let mean_terms = cfs.weights.len() as f64 / nsrc as f64;
    let units = cfs.slices.len();
    let weight_bytes = cfs.weights.len() * std::mem::size_of::<f32>();
    let most = DeliveryWork {
        units,
        nonzero,
        terms_pushed: nonzero.saturating_mul(bound.max_terms) as f64,
        weight_bytes,
        ..DeliveryWork::default()
    };
    let least = DeliveryWork {
        units,
        nonzero,
        terms_pulled: mean_terms * nonzero as f64,
        cf_rows: (units * cfs.template_shape.0) as f64,
        terms_touched: 0.0,
        weight_bytes,
        ..DeliveryWork::default()
    };
    let model = CostModel::for_weights(weight_bytes);
    model.push_ns(&most) <= model.pull_ns(&least)
}

/// Set by [`set_bound_off`]: [`should_push_bounded`] always counts.
static BOUND_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`should_push_bounded`] count every delivery's work exactly
/// (`true`, the engine before) or decide from [`push_surely_pays`] when it
/// can (`false`, the default) in this process: the same choices, hence
/// the same bits, either way; for measuring one against the other.
pub fn set_bound_off(off: bool) {
    BOUND_OFF.store(off, Ordering::Relaxed);
}

/// [`should_push`], deciding in O(1) after the scan when
/// [`push_surely_pays`] can (`bound` is that of `layout`, when the copy
/// exists and fits), else by the exact count: always the same answer.
pub fn should_push_bounded(
    input: &[f64],
    cfs: &ConnectionFields,
    layout: Option<&PushLayout>,
    bound: Option<&SourceBound>,
    scratch: &mut PushScratch,
) -> bool {
    let Some(nonzero) = scratch.scan(input) else {
        return false;
    };
    if let (Some(_), Some(b)) = (layout, bound) {
        if !BOUND_OFF.load(Ordering::Relaxed) && push_surely_pays(cfs, b, nonzero) {
            return true;
        }
    }
    let w = work(cfs, layout, scratch.nonzero());
    CostModel::for_weights(w.weight_bytes).push_pays(&w)
}
