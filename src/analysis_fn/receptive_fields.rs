//! featuremapper's `measure_rfs` (`featuremapper/command.py`) run by
//! `ReverseCorrelation` (`featuremapper/__init__.py`), wired as
//! Topographica wires it (`topo/analysis/featureresponses.py`
//! `pattern_response`, the 'RF Projection' plot group of
//! `topo/plotting/plotgroup.py`).
//!
//! Each of `presentations` presentations shows a copy of
//! `pattern_generator` (default `imagen.random.UniformRandom(name=
//! 'UniformNoise', time_dependent=False)`) with the static `scale` (30)
//! and `offset` (0.5) on every sheet of `inputs` (default: every
//! GeneratorSheet; the others get `Constant(scale=0)` as
//! `pattern_response` gives them), and every unit of the `outputs` sheets
//! (default: the sheets that measure maps) in the region of interest adds
//! its response times each input sheet's activity to its receptive field.
//! Results: `/analysis/<time>/<sheet>/<Input>_Reverse_Correlation`, the
//! name featuremapper gives the view (`ReverseCorrelation.
//! _collate_results`), shape `(rows, cols, input rows, input cols)` over
//! the region of interest.
//!
//! The noise comes from imagen's shared `RandomGenerator.random_generator`
//! stream (`imagen/random.py`), which Topographica's `state_push` /
//! `state_pop` do not save (it is a class attribute, not simulation
//! state): the stream stays where the presentations left it, so later
//! draws from it (initial weights of later-built objects, non-time-
//! dependent noise inputs) differ from a run that did not measure, as in
//! Topographica. Everything else is restored.
//!
//! Where this differs from featuremapper at the pinned commit:
//! * non-square sheets and regions work (see
//!   `topo_analysis::reverse_correlation`); a region reaching outside the
//!   sheet or holding no unit is an error instead of numpy's wrapped
//!   indices;
//! * an `inputs` name that is not a GeneratorSheet, or an `outputs` name
//!   that is not a sheet, is an error (featuremapper warns, and with no
//!   valid input falls back to noise on every generator sheet);
//! * only the last of `durations` is recorded (as the other maps here);
//! * `measurement_prefix` is accepted and, as in featuremapper (which
//!   does not pass it to `ReverseCorrelation`), changes no name;
//! * the 'RF Projection' plot group measures all its sheets in one pass
//!   (Topographica measures once per plotted sheet).

use super::feature_maps::Kwargs;
use super::present::{self, PresentSettings};
use super::state;
use crate::io::h5::{Attr, H5File};
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::{sheet_coords, Session};
use anyhow::{anyhow, bail, Result};
use std::path::Path;
use topo_analysis::plot::{cf_grid_image, CfGridStyle};
use topo_analysis::{roi_block, Grid, ReverseCorrelation, RoiBlock};
use topo_sim::exchange::{Block, Exchange};
use topo_sim::ownership::Ownership;
use topo_spec::{Call, Component, Value};

/// `measure_rfs` with every argument resolved.
#[derive(Clone, Debug)]
pub struct RfMeasurement {
    /// `presentations` (default 100).
    pub presentations: usize,
    /// `roi` as (l, b, r, t); all zero: the whole sheet.
    pub roi: [f64; 4],
    /// Static `scale` set on every pattern (default 30).
    pub scale: f64,
    /// Static `offset` set on every pattern (default 0.5).
    pub offset: f64,
    /// `inputs`: generator sheets shown the pattern (empty: all).
    pub inputs: Vec<String>,
    /// `outputs`: sheets whose units are measured (empty: those that
    /// measure maps).
    pub outputs: Vec<String>,
    /// `pattern_generator`.
    pub pattern: Component,
    /// Presentation settings (`durations`, `apply_output_fns`).
    pub settings: PresentSettings,
    /// `measurement_prefix` (no effect, as in featuremapper).
    pub prefix: String,
}

/// featuremapper's default noise: `UniformRandom(name='UniformNoise',
/// time_dependent=False)`.
pub fn uniform_noise() -> Component {
    let mut c = present::pattern_base("imagen.random.UniformRandom", "UniformRandom");
    c.params
        .insert("name".into(), Value::Str("UniformNoise".into()));
    c.params.insert("time_dependent".into(), Value::Bool(false));
    c
}

fn names(k: &mut Kwargs, name: &'static str) -> Result<Vec<String>> {
    match k.get(name) {
        None => Ok(vec![]),
        Some(v) => {
            let items = v
                .as_seq()
                .ok_or_else(|| anyhow!("{}: {name} must be a list of sheet names", k.where_()))?;
            items
                .iter()
                .map(|x| match x {
                    Value::Str(s) => Ok(s.clone()),
                    other => bail!(
                        "{}: {name} must be a list of sheet names, got {other:?}",
                        k.where_()
                    ),
                })
                .collect()
        }
    }
}

impl RfMeasurement {
    /// The measurement with `call`'s keyword arguments (none:
    /// featuremapper's defaults) and the model's presentation settings.
    pub fn from_call(call: Option<&Call>, settings: &PresentSettings) -> Result<RfMeasurement> {
        let mut k = Kwargs::new(call, None);
        let settings = k.presentation_settings(settings)?;
        // param.Number, used as the step count of a Presentation feature.
        let presentations = match k.get("presentations") {
            None => 100,
            Some(v) => match v.as_f64() {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => n as usize,
                _ => bail!(
                    "{}: presentations must be a whole number >= 1, got {v:?}",
                    k.where_()
                ),
            },
        };
        let roi = match k.get("roi") {
            None => [0.0; 4],
            Some(v) => {
                let vals: Option<Vec<f64>> = v
                    .as_seq()
                    .map(|s| s.iter().map(Value::as_f64).collect())
                    .unwrap_or(None);
                match vals.as_deref() {
                    Some(&[l, b, r, t]) => [l, b, r, t],
                    _ => bail!(
                        "{}: roi must be four numbers (l, b, r, t), got {v:?}",
                        k.where_()
                    ),
                }
            }
        };
        let scale = k.f64("scale", 30.0)?;
        let offset = k.f64("offset", 0.5)?;
        let inputs = names(&mut k, "inputs")?;
        let outputs = names(&mut k, "outputs")?;
        let pattern = match k.get("pattern_generator") {
            None => uniform_noise(),
            Some(Value::Object(c)) => (**c).clone(),
            Some(v) => bail!(
                "{}: pattern_generator must be a pattern, got {v:?}",
                k.where_()
            ),
        };
        if let Some(v) = k.get("store_responses") {
            if v.as_bool() != Some(false) {
                bail!("{}: only store_responses=False is supported", k.where_());
            }
        }
        let prefix = k.string("measurement_prefix")?;
        k.finish()?;
        Ok(RfMeasurement {
            presentations,
            roi,
            scale,
            offset,
            inputs,
            outputs,
            pattern,
            settings,
            prefix,
        })
    }

    /// The pattern of each generator sheet (`_coordinate_inputs` then
    /// `pattern_response`'s blank for the sheets not in `inputs`).
    fn patterns(&self, gens: &[String], inputs: &[String]) -> Vec<Component> {
        let mut shown = self.pattern.clone();
        shown
            .params
            .insert("scale".into(), Value::Float(self.scale));
        shown
            .params
            .insert("offset".into(), Value::Float(self.offset));
        let mut blank = present::pattern_base("imagen.Constant", "Constant");
        blank.params.insert("scale".into(), Value::Float(0.0));
        gens.iter()
            .map(|g| {
                if inputs.contains(g) {
                    shown.clone()
                } else {
                    blank.clone()
                }
            })
            .collect()
    }
}

/// One output sheet's receptive fields on one input sheet, this rank's
/// units of the region of interest.
pub struct SheetRfs {
    /// Measured sheet.
    pub sheet: String,
    /// Input sheet.
    pub input: String,
    /// Region of interest in the measured sheet.
    pub roi: RoiBlock,
    /// Input sheet shape.
    pub input_shape: (usize, usize),
    /// This rank's units of the region, in local-data order.
    pub units: Vec<(usize, usize)>,
    /// Their fields, in the same order.
    pub rfs: ReverseCorrelation,
}

/// The dataset name featuremapper gives the receptive fields on `input`.
pub fn dataset_name(input: &str) -> String {
    format!("{input}_Reverse_Correlation")
}

/// Where one measured sheet's units are.
struct Output {
    name: String,
    roi: RoiBlock,
    own: Ownership,
    /// Local indices (into the rank's activity block) of `units`.
    local: Vec<usize>,
    units: Vec<(usize, usize)>,
}

/// Collective: runs `m`, writes every field to `f` under `group` and
/// returns them.
pub fn measure(
    ctx: &Context,
    sess: &mut Session,
    m: &RfMeasurement,
    f: &H5File,
    group: &str,
    log: &OutLog,
) -> Result<Vec<SheetRfs>> {
    let gens = present::generator_sheets(sess);
    let inputs = if m.inputs.is_empty() {
        gens.clone()
    } else {
        for i in &m.inputs {
            if !gens.contains(i) {
                bail!(
                    "measure_rfs: input sheet '{i}' is not a GeneratorSheet of the model (generator sheets: {})",
                    gens.join(", ")
                );
            }
        }
        m.inputs.clone()
    };
    if inputs.is_empty() {
        bail!("measure_rfs: the model has no GeneratorSheet to present noise on");
    }
    let all = sess.net.sheet_names();
    let outputs = if m.outputs.is_empty() {
        super::or_map::measured_sheets(sess)
    } else {
        for o in &m.outputs {
            if !all.contains(o) {
                bail!(
                    "measure_rfs: output sheet '{o}' is not a sheet of the model (sheets: {})",
                    all.join(", ")
                );
            }
        }
        m.outputs.clone()
    };
    if !m.prefix.is_empty() && ctx.is_root() {
        log.warning("measure_rfs: measurement_prefix changes no result name (featuremapper does not pass it to ReverseCorrelation)");
    }
    if outputs.is_empty() {
        return Ok(vec![]);
    }
    let mut outs = Vec::with_capacity(outputs.len());
    for name in &outputs {
        let spec = sess
            .spec
            .sheets
            .iter()
            .find(|s| &s.name == name)
            .ok_or_else(|| anyhow!("no sheet {name}"))?;
        let coords = sheet_coords(spec)?;
        let (rows, cols) = coords.shape();
        let roi = roi_block(m.roi, rows, cols, |x, y| coords.sheet2matrixidx(x, y))
            .map_err(|e| anyhow!("measure_rfs on {name}: {e}"))?;
        let own = sess.net.sheet_ownership(name).map_err(|e| anyhow!("{e}"))?;
        let rect = Block {
            r0: roi.r0,
            r1: roi.r1,
            c0: roi.c0,
            c1: roi.c1,
        };
        let mut units = Vec::new();
        let mut local = Vec::new();
        for b in own.intersect(&rect) {
            for r in b.r0..b.r1 {
                for c in b.c0..b.c1 {
                    units.push((r, c));
                    local.push(own.local_index(r, c).expect("an owned unit"));
                }
            }
        }
        outs.push(Output {
            name: name.clone(),
            roi,
            own,
            local,
            units,
        });
    }
    let mut ins = Vec::with_capacity(inputs.len());
    for i in &inputs {
        let shape = sess.net.sheet_shape(i).map_err(|e| anyhow!("{e}"))?;
        let own = sess.net.sheet_ownership(i).map_err(|e| anyhow!("{e}"))?;
        ins.push((i.clone(), shape, own));
    }
    // featuremapper records the outputs, then the inputs.
    let mut measured: Vec<String> = outputs.clone();
    measured.extend(inputs.iter().cloned());
    let patterns = m.patterns(&gens, &inputs);
    let mut acc: Vec<ReverseCorrelation> = Vec::with_capacity(ins.len() * outs.len());
    for (_, (r, c), _) in &ins {
        for o in &outs {
            acc.push(ReverseCorrelation::new(o.units.len(), r * c));
        }
    }
    let started = std::time::Instant::now();
    let saved = state::state_push(sess)?;
    let mut picked = Vec::new();
    for _ in 0..m.presentations {
        let responses = present::present_inputs(sess, &patterns, &measured, &m.settings)?;
        for (ii, (_, (r, c), own)) in ins.iter().enumerate() {
            let input = sess
                .ex
                .allgather_sheet(*r, *c, own, &responses[outs.len() + ii]);
            for (oi, o) in outs.iter().enumerate() {
                picked.clear();
                picked.extend(o.local.iter().map(|&l| responses[oi][l]));
                acc[ii * outs.len() + oi]
                    .add(&picked, &input)
                    .map_err(|e| anyhow!("{e}"))?;
            }
        }
    }
    // Topographica's state_pop leaves imagen's shared stream advanced.
    let shared = sess.net.streams_mut().shared_numpy().clone();
    state::state_pop(ctx, sess, saved)?;
    *sess.net.streams_mut().shared_numpy() = shared;
    if ctx.is_root() {
        log.line(&format!(
            "measure_rfs: {} presentations in {:.2} s",
            m.presentations,
            started.elapsed().as_secs_f64()
        ));
    }
    let mut result = Vec::with_capacity(acc.len());
    let mut acc = acc.into_iter();
    for (input, (ir, ic), _) in &ins {
        for o in &outs {
            let rfs = acc.next().expect("one accumulator per pair");
            let path = format!("{group}/{}/{}", o.name, dataset_name(input));
            write_rfs(f, &path, o, (*ir, *ic), rfs.fields())?;
            f.set_attr(&path, "input_sheet", &Attr::Str(input.clone()))?;
            f.set_attr(&path, "roi_first_row", &Attr::I64(o.roi.r0 as i64))?;
            f.set_attr(&path, "roi_first_col", &Attr::I64(o.roi.c0 as i64))?;
            f.set_attr(&path, "presentations", &Attr::I64(m.presentations as i64))?;
            result.push(SheetRfs {
                sheet: o.name.clone(),
                input: input.clone(),
                roi: o.roi,
                input_shape: (*ir, *ic),
                units: o.units.clone(),
                rfs,
            });
        }
    }
    Ok(result)
}

/// Collective: the fields as one `(roi rows, roi cols, in rows, in cols)`
/// dataset, each rank writing its own units.
fn write_rfs(
    f: &H5File,
    path: &str,
    o: &Output,
    input: (usize, usize),
    data: &[f64],
) -> Result<()> {
    let rect = Block {
        r0: o.roi.r0,
        r1: o.roi.r1,
        c0: o.roi.c0,
        c1: o.roi.c1,
    };
    let parts: Vec<([usize; 4], [usize; 4])> = o
        .own
        .intersect(&rect)
        .map(|b| {
            (
                [b.r0 - o.roi.r0, b.c0 - o.roi.c0, 0, 0],
                [b.rows(), b.cols(), input.0, input.1],
            )
        })
        .collect();
    let slabs: Vec<(&[usize], &[usize])> = parts
        .iter()
        .map(|(s, c)| (s.as_slice(), c.as_slice()))
        .collect();
    f.write_slabs(
        path,
        &[o.roi.rows(), o.roi.cols(), input.0, input.1],
        &slabs,
        data,
    )
}

/// Collective: rank 0 writes `png`, the 'RF Projection' plot of `r`: the
/// receptive fields of the units Topographica's grid plots show (those of
/// the region when the grid leaves it), each normalised on its own.
pub fn save_rfs_png(ctx: &Context, sess: &mut Session, r: &SheetRfs, png: &Path) -> Result<()> {
    let (grid, mut shown) = super::cf_plot::plot_grid_units(sess, &r.sheet)?;
    let (mut grid_rows, mut grid_cols) = (grid.rows, grid.cols);
    let in_roi = |&(rr, cc): &(usize, usize)| {
        rr >= r.roi.r0 && rr < r.roi.r1 && cc >= r.roi.c0 && cc < r.roi.c1
    };
    if shown.is_empty() || !shown.iter().all(in_roi) {
        shown = (r.roi.r0..r.roi.r1)
            .flat_map(|rr| (r.roi.c0..r.roi.c1).map(move |cc| (rr, cc)))
            .collect();
        (grid_rows, grid_cols) = (r.roi.rows(), r.roi.cols());
    }
    let fields = gather_fields(sess, r, &shown)?;
    if !ctx.is_root() {
        return Ok(());
    }
    let (ir, ic) = r.input_shape;
    let views: Vec<Grid> = fields
        .iter()
        .map(|d| Grid::new(d, ir, ic, "receptive field"))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    let style = CfGridStyle {
        scale: (64 / ir.max(ic).max(1)).clamp(1, 8),
        ..CfGridStyle::default()
    };
    cf_grid_image(&views, grid_rows, grid_cols, style)
        .and_then(|img| img.save_png(png))
        .map_err(|e| anyhow!("{}: {e}", png.display()))
}

/// Collective: the fields of `units` on every rank, in the order given.
/// Each rank packs the ones it holds as `[index, field...]` behind a
/// count, gathered as the rows of a `ranks x longest` matrix.
fn gather_fields(
    sess: &mut Session,
    r: &SheetRfs,
    units: &[(usize, usize)],
) -> Result<Vec<Vec<f64>>> {
    let n = r.input_shape.0 * r.input_shape.1;
    let mut pack = vec![0.0];
    for (k, u) in units.iter().enumerate() {
        if let Some(i) = r.units.iter().position(|x| x == u) {
            pack[0] += 1.0;
            pack.push(k as f64);
            pack.extend_from_slice(r.rfs.field(i));
        }
    }
    let (all, width) = super::cf_plot::allgather_packs(sess, pack);
    let mut out: Vec<Option<Vec<f64>>> = vec![None; units.len()];
    for row in all.chunks(width) {
        let mut at = 1;
        for _ in 0..row[0] as usize {
            let k = row[at] as usize;
            out[k] = Some(row[at + 1..at + 1 + n].to_vec());
            at += 1 + n;
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(k, v)| v.ok_or_else(|| anyhow!("{}: no rank holds plotted unit {k}", r.sheet)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use topo_spec::Time;

    fn call(kwargs: Vec<(&str, Value)>) -> Call {
        Call {
            name: "measure_rfs".into(),
            args: Vec::new(),
            kwargs: kwargs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            location: "m.ty:9:5".into(),
        }
    }

    fn settings() -> PresentSettings {
        PresentSettings {
            durations: vec![Time::from_int(1)],
            apply_output_fns: true,
            restore_state: true,
        }
    }

    #[test]
    fn defaults_are_featuremappers() {
        let m = RfMeasurement::from_call(None, &settings()).unwrap();
        assert_eq!(m.presentations, 100);
        assert_eq!((m.scale, m.offset, m.roi), (30.0, 0.5, [0.0; 4]));
        assert!(m.inputs.is_empty() && m.outputs.is_empty());
        assert_eq!(m.pattern.class, "imagen.random.UniformRandom");
        assert_eq!(
            m.pattern.get("name"),
            Some(&Value::Str("UniformNoise".into()))
        );
        let p = m.patterns(&["A".into(), "B".into()], &["B".into()]);
        assert_eq!(p[0].class, "imagen.Constant");
        assert_eq!(p[0].get("scale"), Some(&Value::Float(0.0)));
        assert_eq!(p[1].get("scale"), Some(&Value::Float(30.0)));
        assert_eq!(p[1].get("offset"), Some(&Value::Float(0.5)));
    }

    #[test]
    fn bad_arguments_are_located() {
        for (kw, v, what) in [
            ("presentations", Value::Int(0), "presentations must be"),
            ("presentations", Value::Float(2.5), "presentations must be"),
            ("roi", Value::List(vec![Value::Float(0.1)]), "roi must be"),
            ("inputs", Value::Str("Retina".into()), "inputs must be"),
            ("store_responses", Value::Bool(true), "store_responses"),
            ("num_phase", Value::Int(3), "no argument 'num_phase'"),
        ] {
            let e = RfMeasurement::from_call(Some(&call(vec![(kw, v)])), &settings())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("m.ty:9:5: measure_rfs") && e.contains(what),
                "{e}"
            );
        }
        let m = RfMeasurement::from_call(
            Some(&call(vec![
                ("presentations", Value::Int(7)),
                (
                    "roi",
                    Value::Tuple(vec![
                        Value::Float(-0.1),
                        Value::Float(-0.2),
                        Value::Float(0.1),
                        Value::Float(0.2),
                    ]),
                ),
                ("inputs", Value::List(vec![Value::Str("Retina".into())])),
                ("scale", Value::Float(2.0)),
            ])),
            &settings(),
        )
        .unwrap();
        assert_eq!(m.presentations, 7);
        assert_eq!(m.roi, [-0.1, -0.2, 0.1, 0.2]);
        assert_eq!(m.inputs, ["Retina"]);
        assert_eq!((m.scale, m.offset), (2.0, 0.5));
    }
}
