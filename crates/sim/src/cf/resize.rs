//! `ResizableCFProjection.change_bounds`: shrinking every CF of a
//! projection to a smaller template (LISSOM's scheduled lateral-excitatory
//! radius changes).

use super::params::{CfParams, ProjectionKind};
use super::placement::{crop_matrix, place};
use super::render::Independent;
use super::template::Template;
use super::{BuildError, ConnectionFields};
use topo_pattern::coords::{BoundingBox, SheetCoords};
use topo_spec::ConnectionSpec;

/// Changes the CFs of `cfs` to the template of `new_bounds` (nominal).
///
/// Returns `Ok(false)` without changing anything when the new template
/// bounds do not lie strictly inside the current ones (Topographica only
/// shrinks; it warns and returns). Otherwise the mask template and
/// `n_units` are renewed and every unit whose slice changes keeps the
/// overlapping part of its old weights, gets its new cropped mask, is
/// multiplied by it and is renormalised by the single-CF function of each
/// weights output function; units whose slice is unchanged keep their
/// weights and mask.
pub fn change_bounds(
    cfs: &mut ConnectionFields,
    conn: &ConnectionSpec,
    new_bounds: BoundingBox,
    src: &SheetCoords,
    dest: &SheetCoords,
) -> Result<bool, BuildError> {
    let p = CfParams::from_spec(conn)?;
    if p.kind != ProjectionKind::Resizable {
        return Err(BuildError::Param {
            connection: format!("{}.{}", conn.dest, conn.name),
            message: "change_bounds needs a ResizableCFProjection".into(),
        });
    }
    if cfs.dest_block.r1 > dest.rows() || cfs.dest_block.c1 > dest.cols() {
        return Err(BuildError::Geometry(format!(
            "dest block {:?} is not inside the {}x{} dest sheet",
            cfs.dest_block,
            dest.rows(),
            dest.cols()
        )));
    }
    let new_slice = src.odd_slice(&new_bounds, p.min_matrix_radius);
    let new_bounds_t = src.slice2bounds(&new_slice);
    if !cfs.template.bounds.contains_bb_exclusive(&new_bounds_t) {
        return Ok(false);
    }
    // cf_shape is a deterministic mask shape here; a random one would have
    // to draw from the model's streams at run time.
    let mut rng = Independent::default();
    let template = Template::new(&p, new_bounds, src, &mut rng)?;
    if rng.used_shared() {
        return Err(BuildError::Unsupported(
            "change_bounds with a random cf_shape".into(),
        ));
    }

    let n = cfs.len();
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0usize);
    let mut weights = Vec::with_capacity(cfs.weights.len());
    let mut masks = Vec::with_capacity(cfs.masks.len());
    for u in 0..n {
        let (x, y) = cfs.unit_xy[u];
        let old = cfs.slices[u];
        let pl = place(&template, src, x, y, p.allow_null_cfs)?;
        let new = [
            pl.input.r1 as usize,
            pl.input.r2 as usize,
            pl.input.c1 as usize,
            pl.input.c2 as usize,
        ];
        let old_w = &cfs.weights[cfs.offsets[u]..cfs.offsets[u + 1]];
        let old_m = &cfs.masks[cfs.offsets[u]..cfs.offsets[u + 1]];
        if new == old {
            weights.extend_from_slice(old_w);
            masks.extend_from_slice(old_m);
        } else {
            if new[0] < old[0] || new[1] > old[1] || new[2] < old[2] || new[3] > old[3] {
                return Err(BuildError::Geometry(format!(
                    "change_bounds would grow the CF of unit {u}: {old:?} -> {new:?}"
                )));
            }
            let old_cols = old[3] - old[2];
            let start = weights.len();
            for r in new[0]..new[1] {
                let row = (r - old[0]) * old_cols;
                weights.extend_from_slice(&old_w[row + new[2] - old[2]..row + new[3] - old[2]]);
            }
            crop_matrix(&template.mask, template.shape, &pl.weights, &mut masks);
            let w = &mut weights[start..];
            for (wi, mi) in w.iter_mut().zip(&masks[start..]) {
                *wi *= *mi;
            }
            for f in &p.weights_output_fns {
                f.apply_single(w);
            }
            cfs.has_norm_total[u] = false;
            cfs.slices[u] = new;
        }
        offsets.push(weights.len());
    }
    cfs.offsets = offsets;
    cfs.weights = weights;
    cfs.masks = masks;
    cfs.n_units = template.n_units;
    cfs.template_shape = template.shape;
    cfs.needed = cfs.slices.iter().fold(Default::default(), |acc, s| {
        acc.union_bounds(&crate::exchange::Block {
            r0: s[0],
            r1: s[1],
            c0: s[2],
            c1: s[3],
        })
    });
    cfs.template = template;
    Ok(true)
}
