//! Where every rank's connection fields lie, from geometry alone: the
//! source rectangle a block of destination units reads (the engine's
//! `ConnectionFields::needed`) and how many weights the block holds,
//! without building a weight.
//!
//! A CF is the projection's template slice moved to the matrix index of
//! the unit's centre on the source and cropped to the source
//! (`ConnectionField._create_input_sheet_slice` in Topographica's
//! `topo/base/cf.py`; `cf::placement::place` here). The row of that index
//! depends only on the unit's row and the column only on its column, so a
//! block's CFs are the products of one row range per block row and one
//! column range per block column: the needed rectangle is their bounding
//! box and the weight count the product of the two sums, in time
//! proportional to the block's rows plus columns.

use anyhow::{anyhow, Result};
use std::sync::Arc;
use topo_numbergen::Streams;
use topo_pattern::coords::SheetCoords;
use topo_sim::cf::{CfParams, ProjectionKind, Template};
use topo_sim::exchange::Block;
use topo_sim::ownership::Ownership;
use topo_spec::ModelSpec;

/// One connection's geometry.
#[derive(Clone, Debug)]
pub struct ConnGeometry {
    /// Destination sheet.
    pub dest: String,
    /// Connection name.
    pub name: String,
    /// Source sheet.
    pub src: String,
    /// Index of the source sheet in the spec.
    pub src_index: usize,
    /// Index of the destination sheet in the spec.
    pub dest_index: usize,
    /// Whether one kernel is shared by all units (`SharedWeightCFProjection`).
    pub shared: bool,
    /// Elements of the uncropped template.
    pub template_len: usize,
    slice: [i64; 4],
    anchor: (i64, i64),
    allow_null: bool,
    src_coords: SheetCoords,
    dest_coords: SheetCoords,
}

/// What a block of destination units reads and holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The source rectangle (the engine's `needed`).
    pub needed: Block,
    /// Weights of the block's CFs (cropped).
    pub weights: u64,
}

impl ConnGeometry {
    /// `Dest.Name`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.dest, self.name)
    }

    /// Rows of the uncropped template (the connection field's height).
    pub fn template_rows(&self) -> usize {
        (self.slice[1] - self.slice[0]).max(0) as usize
    }

    fn row_range(&self, r: usize) -> (i64, i64) {
        let (_, y) = self.dest_coords.matrixidx2sheet(r as i64, 0);
        let (row, _) = self.src_coords.sheet2matrixidx(0.0, y);
        let d = row - self.anchor.0;
        let n = self.src_coords.rows() as i64;
        ((self.slice[0] + d).max(0), (self.slice[1] + d).min(n))
    }

    fn col_range(&self, c: usize) -> (i64, i64) {
        let (x, _) = self.dest_coords.matrixidx2sheet(0, c as i64);
        let (_, col) = self.src_coords.sheet2matrixidx(x, 0.0);
        let d = col - self.anchor.1;
        let n = self.src_coords.cols() as i64;
        ((self.slice[2] + d).max(0), (self.slice[3] + d).min(n))
    }

    /// The footprint of the destination units in `block`; an error where
    /// the engine's build fails (a CF cropped to nothing without
    /// `allow_null_cfs`).
    pub fn footprint(&self, block: &Block) -> Result<Footprint> {
        if block.is_empty() {
            return Ok(Footprint::default());
        }
        let span = |ranges: &mut dyn Iterator<Item = (i64, i64)>| {
            let (mut lo, mut hi, mut sum, mut empty) = (i64::MAX, i64::MIN, 0u64, false);
            for (a, b) in ranges {
                if b > a {
                    lo = lo.min(a);
                    hi = hi.max(b);
                    sum += (b - a) as u64;
                } else {
                    empty = true;
                }
            }
            (lo, hi, sum, empty)
        };
        let (r0, r1, rsum, rempty) = span(&mut (block.r0..block.r1).map(|r| self.row_range(r)));
        let (c0, c1, csum, cempty) = span(&mut (block.c0..block.c1).map(|c| self.col_range(c)));
        if (rempty || cempty) && !self.allow_null {
            return Err(anyhow!(
                "projection {}: a connection field in rows {}..{}, columns {}..{} of {} has no weight after cropping to {} (NullCFError); a larger nominal_bounds_template or a denser sheet is needed",
                self.label(),
                block.r0,
                block.r1,
                block.c0,
                block.c1,
                self.dest,
                self.src
            ));
        }
        if rsum == 0 || csum == 0 {
            return Ok(Footprint::default());
        }
        Ok(Footprint {
            needed: Block {
                r0: r0 as usize,
                r1: r1 as usize,
                c0: c0 as usize,
                c1: c1 as usize,
            },
            weights: rsum * csum,
        })
    }

    /// The footprint of the destination units `own` holds (a block, or
    /// rows dealt in stripes): the bounding box of its rectangles' needed
    /// rectangles (as the engine's `needed` bounds every owned unit's CF)
    /// and the sum of their weights.
    pub fn footprint_owned(&self, own: &Ownership) -> Result<Footprint> {
        let mut f = Footprint::default();
        for b in own.blocks() {
            let g = self.footprint(&b)?;
            f.needed = f.needed.union_bounds(&g.needed);
            f.weights += g.weights;
        }
        Ok(f)
    }
}

/// Every sheet's coordinates and every connection's geometry, in spec
/// order.
pub struct ModelFootprints {
    /// Sheet names and coordinates.
    pub sheets: Vec<(String, SheetCoords)>,
    /// Connections.
    pub conns: Vec<ConnGeometry>,
}

impl ModelFootprints {
    /// From the spec: the engine's sheet coordinates and each projection's
    /// template (rendered on a fresh copy of the model's random streams,
    /// in spec order: only the template's slice and anchor are used, which
    /// do not depend on random values).
    pub fn new(spec: &ModelSpec) -> Result<ModelFootprints> {
        let sheets = spec
            .sheets
            .iter()
            .map(|s| {
                let c = topo_sim::sheet_coords(s).map_err(|e| anyhow!("sheet {}: {e}", s.name))?;
                Ok((s.name.clone(), c))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut streams = Streams::new(spec.shared_random_seed.as_deref())
            .with_random_seed(spec.param_random_seed.0)
            .with_user_classes(Arc::new(spec.user_classes.clone()));
        let find = |name: &str| {
            sheets
                .iter()
                .position(|(n, _)| n == name)
                .ok_or_else(|| anyhow!("unknown sheet {name}"))
        };
        let mut conns = Vec::with_capacity(spec.connections.len());
        for conn in &spec.connections {
            let label = format!("{}.{}", conn.dest, conn.name);
            let si = find(&conn.src).map_err(|e| anyhow!("projection {label}: {e}"))?;
            let di = find(&conn.dest).map_err(|e| anyhow!("projection {label}: {e}"))?;
            let p = CfParams::from_spec(conn).map_err(|e| anyhow!("{e}"))?;
            let src = &sheets[si].1;
            let t = Template::new(&p, p.nominal_bounds_template, src, &mut streams)
                .map_err(|e| anyhow!("projection {label}: {e}"))?;
            conns.push(ConnGeometry {
                dest: conn.dest.clone(),
                name: conn.name.clone(),
                src: conn.src.clone(),
                src_index: si,
                dest_index: di,
                shared: p.kind == ProjectionKind::SharedWeight,
                template_len: t.len(),
                slice: [t.slice.r1, t.slice.r2, t.slice.c1, t.slice.c2],
                anchor: t.anchor,
                // A shared-weight projection places every CF strictly.
                allow_null: p.allow_null_cfs && p.kind != ProjectionKind::SharedWeight,
                src_coords: src.clone(),
                dest_coords: sheets[di].1.clone(),
            });
        }
        Ok(ModelFootprints { sheets, conns })
    }
}
