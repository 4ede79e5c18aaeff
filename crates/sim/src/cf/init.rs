//! Building a projection's connection fields for one dest block
//! (`CFProjection.__init__` / `_create_cfs` / `ConnectionField.__init__`,
//! `SharedWeightCFProjection.__init__`).

use super::name::cf_name;
use super::params::{CfParams, ProjectionKind};
use super::per_cf_draws::{per_cf_orientation, with_orientation};
use super::placement::{place, Placement};
use super::render::Independent;
use super::render::{
    has_dynamic_params, render_with, shared_draws_per_element, time_zero, RenderArgs,
};
use super::template::{render_mask, Template};
use super::{BuildError, ConnectionFields, SharedKernel};
use crate::exchange::Block;
use crate::normalize::UnitFilter;
use crate::ownership::Ownership;
use rayon::prelude::*;
use topo_numbergen::{NumpyRandomState, Streams};
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
    if dest_block.r0 > dest_block.r1 || dest_block.c0 > dest_block.c1 {
        return Err(BuildError::Param {
            connection: format!("{}.{}", conn.dest, conn.name),
            message: BuildError::Geometry(format!(
                "dest block {dest_block:?} is not inside the {}x{} dest sheet",
                dest.rows(),
                dest.cols()
            ))
            .to_string(),
        });
    }
    build_owned(conn, src, dest, dest_block.into(), streams)
}

/// [`build`] for the dest units `dest_units` (any [`Ownership`], e.g. rows
/// dealt in stripes); the units are visited in local order, which is the
/// sheet's row-major order restricted to them, so each unit draws the
/// same random numbers as on one rank.
pub fn build_owned(
    conn: &ConnectionSpec,
    src: &SheetCoords,
    dest: &SheetCoords,
    dest_units: Ownership,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    let p = CfParams::from_spec(conn)?;
    build_with(&p, src, dest, dest_units, streams).map_err(|e| match e {
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
    units: Ownership,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    let block = units.bounds();
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
    let per_cf = per_cf_orientation(&p.weights_generator)?.is_some();
    if per_cf && p.kind == ProjectionKind::SharedWeight {
        return Err(BuildError::Unsupported(
            "a shared-weight projection whose weights_generator has numbergen-valued parameters"
                .into(),
        ));
    }
    let template = Template::new(p, p.nominal_bounds_template, src, &mut *streams)?;
    match p.kind {
        ProjectionKind::SharedWeight => build_shared(p, template, src, dest, units, streams),
        ProjectionKind::Plain | ProjectionKind::Resizable => {
            build_plain(p, template, src, dest, units, streams)
        }
    }
}

/// One local unit's placement.
struct Local {
    x: f64,
    y: f64,
    placement: Placement,
    /// This CF's draw of a numbergen-valued orientation (per_cf_draws.rs).
    orientation: Option<f64>,
}

/// The owned units in local order (row-major over the owned rows).
fn block_units(units: &Ownership) -> impl Iterator<Item = (usize, usize)> + '_ {
    units
        .blocks()
        .flat_map(|b| (b.r0..b.r1).flat_map(move |r| (b.c0..b.c1).map(move |c| (r, c))))
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

/// Renders a unit's cropped mask and float32 weights into its slots.
fn render_unit<R: Randomness + ?Sized>(
    rng: &mut R,
    p: &CfParams,
    template: &Template,
    src: &SheetCoords,
    unit: &Local,
    weights: &mut [f32],
    mask: &mut [f32],
) -> Result<(), BuildError> {
    let pl = &unit.placement;
    if pl.is_empty() {
        return Ok(());
    }
    let name = cf_name(Some(&p.label), unit.x, unit.y);
    let full_mask;
    let mask_template = if p.same_cf_shape_for_all_cfs {
        &template.mask
    } else {
        full_mask = render_mask(rng, p, &template.bounds, template.shape, src, &name)?;
        &full_mask
    };
    let (cols, w) = (template.shape.1, &pl.weights);
    let width = (w.c2 - w.c1) as usize;
    for (i, r) in (w.r1 as usize..w.r2 as usize).enumerate() {
        let from = r * cols + w.c1 as usize;
        mask[i * width..(i + 1) * width].copy_from_slice(&mask_template[from..from + width]);
    }
    let args = RenderArgs {
        x: unit.x,
        y: unit.y,
        bounds: src.slice2bounds(&pl.input),
        xdensity: src.xdensity(),
        ydensity: src.ydensity(),
        mask: Some(mask),
        name: &name,
        shape: pl.shape(),
    };
    let values = match unit.orientation {
        Some(o) => render_with(rng, &with_orientation(&p.weights_generator, o), &args)?,
        None => render_with(rng, &p.weights_generator, &args)?,
    };
    for (o, v) in weights.iter_mut().zip(values) {
        *o = v as f32;
    }
    Ok(())
}

/// Local units rendered together from one copy of the shared stream.
struct Chunk {
    /// First local unit.
    first: usize,
    /// One past the last local unit.
    end: usize,
    /// The shared stream where the chunk's first unit starts drawing
    /// (`None` when nothing draws from it).
    start: Option<NumpyRandomState>,
}

/// Splits `v` into consecutive pieces of the given lengths.
fn split_lengths<T>(mut v: &mut [T], lengths: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for len in lengths {
        let (a, b) = std::mem::take(&mut v).split_at_mut(len);
        out.push(a);
        v = b;
    }
    out
}

fn build_plain(
    p: &CfParams,
    template: Template,
    src: &SheetCoords,
    dest: &SheetCoords,
    units: Ownership,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    let block = units.bounds();
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
    let random_seed = streams.random_seed();
    let draws = |pl: &Placement| {
        if pl.is_empty() {
            0
        } else {
            k_mask * template.len() as u64 + k_weights * pl.len() as u64
        }
    };
    let mapper = match &p.coord_mapper {
        None => None,
        Some(m) => {
            let classes = streams.user_classes();
            let class = classes.get(&m.class).cloned().ok_or_else(|| {
                BuildError::Unsupported(format!("coord_mapper of unknown class {}", m.class))
            })?;
            Some((class, m))
        }
    };
    let locate = |r: usize, c: usize| -> Result<Local, BuildError> {
        let (x, y) = dest.matrixidx2sheet(r as i64, c as i64);
        // CFProjection._create_cfs places each CF at coord_mapper(x, y).
        let (x, y) = match &mapper {
            None => (x, y),
            Some((class, m)) => topo_numbergen::userfn::coord_map_value(class, m, x, y)
                .map_err(BuildError::Unsupported)?,
        };
        let placement = place(&template, src, x, y, p.allow_null_cfs)?;
        Ok(Local {
            x,
            y,
            placement,
            orientation: None,
        })
    };

    let mut locals: Vec<Local> = Vec::with_capacity(units.len());
    for (r, c) in block_units(&units) {
        locals.push(locate(r, c)?);
    }
    let n = locals.len();
    // The per-CF orientation draws, made for every CF of the sheet in
    // creation order (per_cf_draws.rs) and kept for the local ones.
    if let Some(gen) = per_cf_orientation(&p.weights_generator)? {
        let mut u = 0usize;
        for r in 0..dest.rows() {
            for c in 0..dest.cols() {
                let local = units.contains(r, c);
                let empty = if local {
                    locals[u].placement.is_empty()
                } else {
                    locate(r, c)?.placement.is_empty()
                };
                if !empty {
                    let o = streams
                        .force_new(gen, time_zero())
                        .map_err(|e| BuildError::Pattern(e.to_string()))?;
                    if local {
                        locals[u].orientation = Some(o);
                    }
                }
                u += usize::from(local);
            }
        }
    }
    let chunk_len = (n / (8 * rayon::current_num_threads().max(1))).clamp(16, 1024);
    // Draws to skip before each local unit: those of the non-local units
    // since the previous local unit of its chunk.
    let mut skip_before = vec![0u64; n];
    let mut chunks: Vec<Chunk> = Vec::new();
    if sequential {
        // One pass over the whole sheet in CF creation order positions the
        // shared stream at each chunk's start and finally past every CF.
        let shared = streams.shared_numpy();
        // draws not yet applied to `shared`, and draws of non-local units
        // since the previous local unit
        let (mut pending, mut gap) = (0u64, 0u64);
        let mut u = 0usize;
        for r in 0..dest.rows() {
            for c in 0..dest.cols() {
                if units.contains(r, c) {
                    if u.is_multiple_of(chunk_len) {
                        shared.skip(pending);
                        pending = 0;
                        chunks.push(Chunk {
                            first: u,
                            end: (u + chunk_len).min(n),
                            start: Some(shared.clone()),
                        });
                    } else {
                        skip_before[u] = gap;
                    }
                    gap = 0;
                    pending += draws(&locals[u].placement);
                    u += 1;
                } else {
                    let d = draws(&locate(r, c)?.placement);
                    gap += d;
                    pending += d;
                }
            }
        }
        shared.skip(pending);
    } else {
        let mut first = 0;
        while first < n {
            chunks.push(Chunk {
                first,
                end: (first + chunk_len).min(n),
                start: None,
            });
            first += chunk_len;
        }
    }

    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0usize);
    for u in &locals {
        offsets.push(offsets[offsets.len() - 1] + u.placement.len());
    }
    let total = offsets[n];
    let mut weights = vec![0.0f32; total];
    let mut masks = vec![0.0f32; total];
    {
        let chunk_sizes = chunks.iter().map(|c| offsets[c.end] - offsets[c.first]);
        let w_parts = split_lengths(&mut weights, chunk_sizes.clone());
        let m_parts = split_lengths(&mut masks, chunk_sizes);
        chunks
            .into_par_iter()
            .zip(w_parts)
            .zip(m_parts)
            .try_for_each(|((chunk, w_part), m_part)| -> Result<(), BuildError> {
                let mut rng = match chunk.start {
                    Some(s) => Independent::with_shared(s, random_seed),
                    None => Independent::hashed(random_seed),
                };
                let base = offsets[chunk.first];
                for u in chunk.first..chunk.end {
                    if let Some(s) = rng.shared_mut() {
                        s.skip(skip_before[u]);
                    }
                    let (a, b) = (offsets[u] - base, offsets[u + 1] - base);
                    render_unit(
                        &mut rng,
                        p,
                        &template,
                        src,
                        &locals[u],
                        &mut w_part[a..b],
                        &mut m_part[a..b],
                    )?;
                }
                if rng.used_shared() {
                    return Err(BuildError::Unsupported(
                        "a weights pattern drawing from the shared stream unexpectedly".into(),
                    ));
                }
                Ok(())
            })?;
    }

    let slices: Vec<[usize; 4]> = locals
        .iter()
        .map(|u| to_usize(&u.placement.input))
        .collect();
    let mut cfs = ConnectionFields {
        template_shape: template.shape,
        n_units: template.n_units,
        dest_block: block,
        dest_units: units,
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
    units: Ownership,
    streams: &mut Streams,
) -> Result<ConnectionFields, BuildError> {
    let block = units.bounds();
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

    let mut slices = Vec::with_capacity(units.len());
    let mut views = Vec::with_capacity(units.len());
    let mut unit_xy = Vec::with_capacity(units.len());
    for (r, c) in block_units(&units) {
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
        dest_units: units,
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
