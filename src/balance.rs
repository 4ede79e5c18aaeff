//! The default split of every sheet among ranks, chosen from the model's
//! spec alone (so every rank, and `topo-hpc plan`, choose the same).
//!
//! A unit's cost follows the active input inside its connection fields.
//! When a sheet's lateral connection fields are wide, its activity (the
//! training blobs and the bubbles they settle into) drives most of its
//! cost, and contiguous blocks take turns holding it: on 2 ranks the
//! grid's efficiency at GCAL's density 192 was 0.83 against 1.00 with the
//! rows dealt cyclically (benches/RESULTS.md, "Scaling study re-run on an
//! idle machine"). A wide lateral halo also spans most of the sheet on a
//! grid already, so dealing the rows costs little extra traffic (the sparse
//! (index, value) messages carry only the active units). Narrow lateral
//! fields (large areas) keep the grid, whose halos are then far smaller.

use crate::footprint::ModelFootprints;
use crate::par::{SheetSplit, SplitChoice};
use anyhow::{anyhow, Result};
use topo_sim::ownership::Dealing;
use topo_spec::ModelSpec;

/// The environment variable that overrides the default split: comma-
/// separated `MODE` (every sheet) or `SHEET=MODE` items, MODE one of
/// `grid`, `rows-cyclic`, `rows-cyclic:K`, `row-blocks`, `col-blocks`
/// (see [`crate::par::SheetSplit`]). When set, it is the whole choice:
/// sheets it does not name (and no `MODE` item) take the grid.
pub const SPLIT_ENV: &str = "TOPO_HPC_SPLIT";

/// A lateral connection field at least this fraction of its sheet's rows
/// high makes the sheet's rows dealt cyclically by default.
pub const WIDE_LATERAL_FRACTION: f64 = 0.25;

/// Rows are dealt only when every rank gets at least this many: dealing
/// `rows` rows to `ranks` ranks gives some ranks `ceil(rows/ranks)` rows
/// and others one fewer, an imbalance of up to `1 / (rows/ranks)` in unit
/// count (12.5 % at 8 rows per rank, about what dealing wins back from the
/// activity's imbalance on 2 ranks), and with fewer rows than ranks some
/// ranks would own none of the sheet. The grid splits both axes and keeps
/// every rank busy down to one unit each.
pub const MIN_DEALT_ROWS_PER_RANK: usize = 8;

/// The split used when [`SPLIT_ENV`] is unset: `rows-cyclic` for every
/// sheet with a lateral projection (source = destination, own weights per
/// unit) whose connection-field template is at least
/// [`WIDE_LATERAL_FRACTION`] of the sheet's rows high and at least
/// [`MIN_DEALT_ROWS_PER_RANK`] rows for each of the `ranks` ranks; the grid
/// for the others.
pub fn default_split(spec: &ModelSpec, ranks: usize) -> Result<SplitChoice> {
    let model = ModelFootprints::new(spec)?;
    let mut choice = SplitChoice::default();
    for c in &model.conns {
        if c.src_index != c.dest_index || c.shared {
            continue;
        }
        let rows = model.sheets[c.dest_index].1.rows();
        let wide = c.template_rows() as f64 >= WIDE_LATERAL_FRACTION * rows as f64;
        if wide && rows > 0 && rows >= MIN_DEALT_ROWS_PER_RANK * ranks.max(1) {
            choice.per_sheet.insert(
                c.dest.clone(),
                SheetSplit::Dealt(Dealing::Stripes { stripe: 1 }),
            );
        }
    }
    Ok(choice)
}

/// The split of a run on `ranks` ranks: [`SPLIT_ENV`] when set, else
/// [`default_split`].
pub fn split_choice(spec: &ModelSpec, ranks: usize) -> Result<SplitChoice> {
    match std::env::var(SPLIT_ENV) {
        Err(_) => default_split(spec, ranks),
        Ok(s) => SplitChoice::parse(&s).map_err(|e| anyhow!("{SPLIT_ENV}={s}: {e}")),
    }
}

/// One line naming each sheet's split and where it came from.
pub fn describe(spec: &ModelSpec, choice: &SplitChoice) -> String {
    let from = if std::env::var(SPLIT_ENV).is_ok() {
        format!("from {SPLIT_ENV}")
    } else {
        format!(
            "default: rows-cyclic for sheets with wide lateral connection fields \
             and at least {MIN_DEALT_ROWS_PER_RANK} rows per rank"
        )
    };
    let sheets: Vec<String> = spec
        .sheets
        .iter()
        .map(|s| format!("{}={}", s.name, choice.of(&s.name)))
        .collect();
    format!("Split: {} ({from})", sheets.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(file: &str, params: &[(&str, &str)]) -> ModelSpec {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(file);
        let p: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        topo_lang::load_model(&path, &p).unwrap()
    }

    #[test]
    fn gcal_deals_v1_rows_and_keeps_the_grid_elsewhere() {
        let s = spec("gcal_class.ty", &[("cortex_density", "12")]);
        let c = default_split(&s, 1).unwrap();
        assert_eq!(
            c.of("V1"),
            SheetSplit::Dealt(Dealing::Stripes { stripe: 1 })
        );
        for other in ["Retina", "LGNOn", "LGNOff"] {
            assert_eq!(c.of(other), SheetSplit::Grid, "{other}");
        }
    }

    #[test]
    fn too_few_rows_per_rank_keep_the_grid() {
        // V1 has 12 rows: dealt on 1 rank (12 rows each), grid on 2 (6).
        let s = spec("gcal_class.ty", &[("cortex_density", "12")]);
        let dealt = SheetSplit::Dealt(Dealing::Stripes { stripe: 1 });
        assert_eq!(default_split(&s, 1).unwrap().of("V1"), dealt);
        assert_eq!(default_split(&s, 2).unwrap().of("V1"), SheetSplit::Grid);
        let s = spec("gcal_class.ty", &[("cortex_density", "48")]);
        assert_eq!(default_split(&s, 6).unwrap().of("V1"), dealt);
        assert_eq!(default_split(&s, 7).unwrap().of("V1"), SheetSplit::Grid);
    }

    #[test]
    fn a_large_area_keeps_the_grid() {
        // Lateral fields fixed in sheet coordinates: at 10x the area they
        // span a tenth of the rows.
        let s = spec(
            "gcal.ty",
            &[
                ("cortex_density", "4"),
                ("area", "10"),
                ("retina_density", "4"),
                ("lgn_density", "4"),
            ],
        );
        assert_eq!(default_split(&s, 1).unwrap().of("V1"), SheetSplit::Grid);
    }
}
