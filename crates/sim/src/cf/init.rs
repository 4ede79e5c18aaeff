//! Building a projection's connection fields for one dest block
//! (`CFProjection.__init__` / `_create_cfs` / `ConnectionField.__init__`,
//! `SharedWeightCFProjection.__init__`).

use super::name::cf_name;
use super::params::{CfParams, ProjectionKind};
use super::placement::{crop_matrix, place, Placement};
use super::render::Independent;
use super::render::{has_dynamic_params, render_with, shared_draws_per_element, RenderArgs};
use super::template::{render_mask, Template};
use super::{BuildError, ConnectionFields, SharedKernel};
use crate::exchange::Block;
use crate::normalize::UnitFilter;
use rayon::prelude::*;
use topo_numbergen::Streams;
use topo_pattern::coords::{SheetCoords, Slice};
use topo_pattern::pattern::Randomness;
use topo_spec::ConnectionSpec;

/// Builds the connection fields of `conn` (source sheet `src`, dest sheet
/// `dest`) for the dest units in `dest_block`, drawing from `streams`.
///
/// Call it for every connection in spec order on every rank, even with an
/// empty block: non-time-dependent weights consume the shared numpy stream
/// for all units of the sheet.
pub fn build(
    conn: &ConnectionSpec,
    src: &SheetCoords,
    dest: &SheetCoords,
    dest_block: Block,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    let p = CfParams::from_spec(conn)?;
    build_with(&p, src, dest, dest_block, streams).map_err(|e| match e {
        BuildError::Param { .. } => e,
        other => BuildError::Param {
            connection: format!("{}.{}", conn.dest, conn.name),
            message: other.to_string(),
        },
    })
}

fn build_with(
    p: &CfParams,
    src: &SheetCoords,
    dest: &SheetCoords,
    block: Block,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    if block.r0 > block.r1
        || block.c0 > block.c1
        || block.r1 > dest.rows()
        || block.c1 > dest.cols()
    {
        return Err(BuildError::Geometry(format!(
            "dest block {block:?} is not inside the {}x{} dest sheet",
            dest.rows(),
            dest.cols()
        )));
    }
    if has_dynamic_params(&p.weights_generator) {
        return Err(BuildError::Unsupported(
            "a weights_generator with numbergen-valued parameters (Topographica redraws \
             them for every CF)"
                .into(),
        ));
    }
    let template = Template::new(p, p.nominal_bounds_template, src, &mut *streams)?;
    match p.kind {
        ProjectionKind::SharedWeight => build_shared(p, template, src, dest, block, streams),
        ProjectionKind::Plain | ProjectionKind::Resizable => {
            build_plain(p, template, src, dest, block, streams)
        }
    }
}

/// One local unit's placement.
struct Local {
    x: f64,
    y: f64,
    placement: Placement,
}

fn block_units(block: &Block) -> impl Iterator<Item = (usize, usize)> + '_ {
    (block.r0..block.r1).flat_map(move |r| (block.c0..block.c1).map(move |c| (r, c)))
}

fn to_usize(s: &Slice) -> [usize; 4] {
    [s.r1 as usize, s.r2 as usize, s.c1 as usize, s.c2 as usize]
}

fn needed_of(slices: &[[usize; 4]]) -> Block {
    slices.iter().fold(Block::default(), |acc, s| {
        if s[0] == s[1] || s[2] == s[3] {
            acc
        } else {
            acc.union_bounds(&Block {
                r0: s[0],
                r1: s[1],
                c0: s[2],
                c1: s[3],
            })
        }
    })
}

/// A unit's mask and float32 weights.
fn render_unit<R: Randomness + ?Sized>(
    rng: &mut R,
    p: &CfParams,
    template: &Template,
    src: &SheetCoords,
    unit: &Local,
) -> Result<(Vec<f32>, Vec<f32>), BuildError> {
    let pl = &unit.placement;
    if pl.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let name = cf_name(Some(&p.label), unit.x, unit.y);
    let full_mask;
    let mask_template = if p.same_cf_shape_for_all_cfs {
        &template.mask
    } else {
        full_mask = render_mask(rng, p, &template.bounds, template.shape, src, &name)?;
        &full_mask
    };
    let mut mask = Vec::with_capacity(pl.len());
    crop_matrix(mask_template, template.shape, &pl.weights, &mut mask);
    let args = RenderArgs {
        x: unit.x,
        y: unit.y,
        bounds: src.slice2bounds(&pl.input),
        xdensity: src.xdensity(),
        ydensity: src.ydensity(),
        mask: Some(&mask),
        name: &name,
        shape: pl.shape(),
    };
    let w = render_with(rng, &p.weights_generator, &args)?;
    Ok((w.into_iter().map(|v| v as f32).collect(), mask))
}

fn build_plain(
    p: &CfParams,
    template: Template,
    src: &SheetCoords,
    dest: &SheetCoords,
    block: Block,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    let k_weights = shared_draws_per_element(&p.weights_generator)?;
    let k_mask = if p.same_cf_shape_for_all_cfs {
        0
    } else {
        if has_dynamic_params(&p.cf_shape) {
            return Err(BuildError::Unsupported(
                "a per-CF cf_shape with numbergen-valued parameters".into(),
            ));
        }
        shared_draws_per_element(&p.cf_shape)?
    };
    let sequential = k_weights > 0 || k_mask > 0;

    let locate = |r: usize, c: usize| -> Result<Local, BuildError> {
        let (x, y) = dest.matrixidx2sheet(r as i64, c as i64);
        let placement = place(&template, src, x, y, p.allow_null_cfs)?;
        Ok(Local { x, y, placement })
    };

    let mut rendered: Vec<(Vec<f32>, Vec<f32>)> = Vec::with_capacity(block.len());
    let mut locals: Vec<Local> = Vec::with_capacity(block.len());
    if sequential {
        // CF creation order over the whole sheet: own units are rendered,
        // the others only advance the shared stream by their draw count.
        for r in 0..dest.rows() {
            for c in 0..dest.cols() {
                let unit = locate(r, c)?;
                if block.contains(r, c) {
                    rendered.push(render_unit(&mut *streams, p, &template, src, &unit)?);
                    locals.push(unit);
                } else {
                    let n =
                        k_mask * template.len() as u64 + k_weights * unit.placement.len() as u64;
                    streams.shared_numpy().skip(n);
                }
            }
        }
    } else {
        for (r, c) in block_units(&block) {
            locals.push(locate(r, c)?);
        }
        rendered = locals
            .par_iter()
            .map(|unit| {
                let mut rng = Independent::default();
                let out = render_unit(&mut rng, p, &template, src, unit)?;
                if rng.used_shared() {
                    return Err(BuildError::Unsupported(
                        "a weights pattern drawing from the shared stream unexpectedly".into(),
                    ));
                }
                Ok(out)
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
    }

    let n = locals.len();
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0);
    for (w, _) in &rendered {
        offsets.push(offsets.last().copied().unwrap_or(0) + w.len());
    }
    let total = offsets[n];
    let mut weights = Vec::with_capacity(total);
    let mut masks = Vec::with_capacity(total);
    for (w, m) in rendered {
        weights.extend_from_slice(&w);
        masks.extend_from_slice(&m);
    }
    let slices: Vec<[usize; 4]> = locals
        .iter()
        .map(|u| to_usize(&u.placement.input))
        .collect();
    let mut cfs = ConnectionFields {
        template_shape: template.shape,
        n_units: template.n_units,
        dest_block: block,
        needed: needed_of(&slices),
        slices,
        offsets,
        weights,
        masks,
        norm_total: vec![0.0; n],
        has_norm_total: vec![false; n],
        shared: None,
        kernel_views: Vec::new(),
        unit_xy: locals.iter().map(|u| (u.x, u.y)).collect(),
        template,
    };
    if p.apply_output_fns_init {
        for f in &p.weights_output_fns {
            f.apply(&mut cfs, UnitFilter::all());
        }
    }
    Ok(cfs)
}

fn build_shared(
    p: &CfParams,
    template: Template,
    src: &SheetCoords,
    dest: &SheetCoords,
    block: Block,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    // The one CF whose weights every unit shares sits on the source's
    // centre unit (Python 2 integer division).
    let (x, y) = src.matrixidx2sheet((src.rows() / 2) as i64, (src.cols() / 2) as i64);
    let master = place(&template, src, x, y, false)?;
    if master.input.shape() != template.slice.shape() {
        return Err(BuildError::Unsupported(format!(
            "shared-weight template {:?} larger than the source sheet {:?}",
            template.shape,
            src.shape()
        )));
    }
    let name = cf_name(None, x, y);
    let args = RenderArgs {
        x,
        y,
        bounds: src.slice2bounds(&master.input),
        xdensity: src.xdensity(),
        ydensity: src.ydensity(),
        mask: Some(&template.mask),
        name: &name,
        shape: template.shape,
    };
    let mut kernel: Vec<f32> = render_with(&mut *streams, &p.weights_generator, &args)?
        .into_iter()
        .map(|v| v as f32)
        .collect();
    // The master CF runs the single-CF function of each weights output fn
    // (identity for CFPOF_SharedWeight's default).
    for f in &p.weights_output_fns {
        f.apply_single(&mut kernel);
    }

    let mut slices = Vec::with_capacity(block.len());
    let mut views = Vec::with_capacity(block.len());
    let mut unit_xy = Vec::with_capacity(block.len());
    for (r, c) in block_units(&block) {
        let (x, y) = dest.matrixidx2sheet(r as i64, c as i64);
        let pl = place(&template, src, x, y, false)?;
        slices.push(to_usize(&pl.input));
        views.push(to_usize(&pl.weights));
        unit_xy.push((x, y));
    }
    let n = slices.len();
    Ok(ConnectionFields {
        template_shape: template.shape,
        n_units: template.n_units,
        dest_block: block,
        needed: needed_of(&slices),
        slices,
        offsets: vec![0; n + 1],
        weights: Vec::new(),
        masks: Vec::new(),
        norm_total: vec![0.0; n],
        has_norm_total: vec![false; n],
        shared: Some(SharedKernel {
            rows: template.shape.0,
            cols: template.shape.1,
            weights: kernel,
        }),
        kernel_views: views,
        unit_xy,
        template,
    })
}
