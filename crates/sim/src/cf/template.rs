//! A projection's CF template: the odd slice every CF is a translated copy
//! of, its bounds, its mask and the learning-rate divisor
//! (`CFProjection.__init__`, `Slice._createoddslicespec`, `_create_mask`,
//! `_calc_n_units`).

use super::render::{render_with, RenderArgs};
use super::{BuildError, CfParams};
use topo_pattern::coords::{BoundingBox, SheetCoords, Slice};
use topo_pattern::pattern::Randomness;

/// The template of one projection.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// Nominal bounds it was made from.
    pub nominal: BoundingBox,
    /// The odd slice, centred on the source's centre unit, in source
    /// matrix coordinates (may extend past the source).
    pub slice: Slice,
    /// The sheet bounds exactly covered by `slice` (`bounds_template`).
    pub bounds: BoundingBox,
    /// `(rows, cols)` of the slice (both odd).
    pub shape: (usize, usize),
    /// The mask template, row-major, values below the threshold zeroed.
    pub mask: Vec<f32>,
    /// Learning-rate divisor: non-zero mask entries, capped at the source
    /// size.
    pub n_units: usize,
    /// Matrix index of the centre of `bounds` on the source
    /// (`positionedcrop` moves the template by the CF's index minus this).
    pub anchor: (i64, i64),
}

impl Template {
    /// Builds the template for `nominal` on `src`, rendering the mask.
    pub fn new<R: Randomness + ?Sized>(
        p: &CfParams,
        nominal: BoundingBox,
        src: &SheetCoords,
        rng: &mut R,
    ) -> Result<Template, BuildError> {
        let slice = src.odd_slice(&nominal, p.min_matrix_radius);
        let bounds = src.slice2bounds(&slice);
        let (rows, cols) = slice.shape();
        let shape = (rows as usize, cols as usize);
        let mask = render_mask(rng, p, &bounds, shape, src, "Mask")?;
        let nonzero = mask.iter().filter(|v| **v != 0.0).count();
        let n_units = nonzero.min(src.rows() * src.cols());
        let (bx, by) = bounds.centroid();
        let anchor = src.sheet2matrixidx(bx, by);
        Ok(Template {
            nominal,
            slice,
            bounds,
            shape,
            mask,
            n_units,
            anchor,
        })
    }

    /// Number of elements of the uncropped template.
    pub fn len(&self) -> usize {
        self.shape.0 * self.shape.1
    }

    /// True if the template has no element (never, for valid templates).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `_create_mask`: the cf_shape pattern, autosized to the template bounds,
/// rendered at the source's centre unit at time 0, thresholded, float32.
pub fn render_mask<R: Randomness + ?Sized>(
    rng: &mut R,
    p: &CfParams,
    bounds: &BoundingBox,
    shape: (usize, usize),
    src: &SheetCoords,
    name: &str,
) -> Result<Vec<f32>, BuildError> {
    let mut shape_pg = p.cf_shape.clone();
    if p.autosize_mask && shape_pg.params.contains_key("size") {
        let size = bounds.t - bounds.b;
        shape_pg
            .params
            .insert("size".into(), topo_spec::Value::Float(size));
        shape_pg.params.insert(
            "aspect_ratio".into(),
            topo_spec::Value::Float((bounds.r - bounds.l) / size),
        );
    }
    let (cr, cc) = src.sheet2matrixidx(0.0, 0.0);
    let (cx, cy) = src.matrixidx2sheet(cr, cc);
    let args = RenderArgs {
        x: cx,
        y: cy,
        bounds: *bounds,
        xdensity: src.xdensity(),
        ydensity: src.ydensity(),
        mask: None,
        name,
        shape,
    };
    let values = render_with(rng, &shape_pg, &args)?;
    let threshold = p.mask_threshold;
    Ok(values
        .into_iter()
        .map(|v| if v >= threshold { v as f32 } else { 0.0 })
        .collect())
}
