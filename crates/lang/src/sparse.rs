//! Topographica's sparse projections (`topo.sparse.sparsecf`) on the dense
//! path: a file that builds its projections from `SparseCFProjection`,
//! `CFPRF_DotProduct_Sparse`, `CFPLF_Hebbian_Sparse`,
//! `CFPOF_DivisiveNormalizeL1_Sparse` and `compute_sparse_joint_norm_totals`
//! (examples/gcal_sparse.ty) gets topo-hpc's dense components.
//!
//! Why that computes the same numbers (topo/sparse/sparsecf.py,
//! topo/sparse/SparseMatrixExt.cpp against topo/optimized/optimized.h,
//! the dense C versions GCAL uses):
//!
//! * Storage. The sparse matrix holds, for each destination unit (a column
//!   of a column-major Eigen matrix), the CF's non-zero weights as float32
//!   (`sparse_type = np.float32`, `csarray_float`), in increasing source
//!   index, i.e. the dense CF's row-major order. Dense CF weights are
//!   float32 too (`weight_type`, topo/base/cf.py). Initial weights come
//!   from the same generator, name and mask (`SparseConnectionField.
//!   _init_weights` repeats `ConnectionField._init_weights`), cast to
//!   float32 the same way.
//! * Response. `DotProduct` adds `input[row] * value` (double times a
//!   float widened to double) into the zeroed activity in that order, then
//!   multiplies by the strength; dense `dot_product` does
//!   `tot += w * x` from 0.0 and stores `tot*strength`. The sparse sum
//!   skips the zero weights, and adding `x * 0.0 = +0.0` leaves a finite
//!   sum unchanged, so both give the same double.
//! * Learning. `Hebbian` does `value += dest_act[y] * lr * src_act[row]`
//!   (`lr = learning_rate / n_units`, as `constant_sum_connection_rate`)
//!   on a float32 weight, i.e. `(float)(w + (act*lr)*x)`, and sums the new
//!   weights in double; dense `hebbian` does `*w += load * x` with
//!   `load = act*lr`, the same expression, and sums `fabs(w)` in double
//!   (GCAL's weights are never negative). The sparse rule updates the
//!   stored (non-zero) weights, the dense one the weights under the CF
//!   mask: the same set while no weight under the mask is exactly zero,
//!   which holds for GCAL: its weights start as Gaussians (times uniform
//!   noise) that are positive over the whole disk mask, and Hebbian steps
//!   and divisive normalisation of positive numbers stay positive.
//! * Normalisation. `compute_sparse_joint_norm_totals` adds the
//!   projections' totals (`np.add.reduce` over the list, in order, float64)
//!   as dense `compute_joint_norm_totals` does (`nt += total` from 0);
//!   `DivisiveNormalizeL1` multiplies each float32 weight by the double
//!   `1.0/norm_total`, as dense `divisive_normalize_l1` does.
//!
//! Each step is the same IEEE-754 operation in the same order, so the
//! sparse path is not an approximation of the dense one: the numbers are
//! equal, not merely close (Topographica's own regression data show it:
//! topo/tests/data_traintests/gcal_sparse.ty_DATA and gcal.ty_DATA hold
//! identical arrays). The `_opt` variants skip activities below 1e-6 and
//! the pruning/sprouting output functions change which connections
//! exist; those are different computations and are refused.

use crate::obj::Obj;

/// The module a model file imports the sparse names from.
pub(crate) const MODULE: &str = "topo.sparse.sparsecf";

/// Whether `path` is the sparse module (or its package).
pub(crate) fn is_module(path: &str) -> bool {
    path == "topo.sparse" || path == MODULE
}

/// The value of `topo.sparse.sparsecf.<name>`, `Ok(None)` when `module`
/// is another module, or why the name cannot be used.
pub(crate) fn attr(module: &str, name: &str) -> Result<Option<Obj>, String> {
    if module != MODULE {
        return Ok(None);
    }
    let full = format!("{MODULE}.{name}");
    Ok(Some(match name {
        "SparseCFProjection" => Obj::Class("topo.projection.CFProjection".into()),
        "compute_sparse_joint_norm_totals" => {
            Obj::Func("topo.sheet.compute_joint_norm_totals".into())
        }
        // functions (or a CF class) Topographica passes uncalled; a model
        // subclass turns them into their dense components (dense_component)
        "SparseConnectionField"
        | "CFPRF_DotProduct_Sparse"
        | "CFPLF_Hebbian_Sparse"
        | "CFPOF_DivisiveNormalizeL1_Sparse" => Obj::Func(full),
        "CFPRF_DotProduct_Sparse_opt" | "CFPLF_Hebbian_Sparse_opt" => {
            return Err(format!("{full} skips activities below 1e-6 (topo/sparse/SparseMatrixExt.cpp), which the dense path does not; use {} instead", name.trim_end_matches("_opt")))
        }
        "CFSPOF_Prune" | "CFSPOF_SproutRetract" => {
            return Err(format!("{full}: pruning and sprouting change which connections exist (structural plasticity), which topo-hpc does not implement"))
        }
        "CFSPLF_Plugin" | "CFSPOF_Plugin" | "CFSPRF_Plugin" => {
            return Err(format!("{full}: plug-in functions over sparse CFs are not implemented; the dense CFPLF_Plugin/CFPOF_Plugin/CFPRF_Plugin are"))
        }
        _ => return Err(format!("module '{MODULE}' has no name '{name}' supported by topo-hpc")),
    }))
}

/// The dense component class a sparse projection function stands for.
pub(crate) fn dense_component(func: &str) -> Option<&'static str> {
    Some(match func.strip_prefix(MODULE)?.strip_prefix('.')? {
        "CFPRF_DotProduct_Sparse" => "topo.responsefn.CFPRF_DotProduct",
        "CFPLF_Hebbian_Sparse" => "topo.learningfn.CFPLF_Hebbian",
        // The C++ rule multiplies in double as the dense kernel does.
        "CFPOF_DivisiveNormalizeL1_Sparse" => "topo.optimized.CFPOF_DivisiveNormalize_L1_cython",
        _ => return None,
    })
}

/// Whether `v` names a connection-field type the dense path builds
/// (`SparseConnectionField`: its weights live in the dense CF).
pub(crate) fn is_cf_type(v: &Obj) -> bool {
    matches!(v, Obj::Func(f) if f == &format!("{MODULE}.SparseConnectionField"))
        || matches!(v, Obj::Class(c) if c == "topo.base.cf.ConnectionField")
}
