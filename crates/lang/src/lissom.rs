//! `topo.sheet.lissom.schedule_events`: the LISSOM schedule of
//! Miikkulainen et al. (2005), written as the same command strings
//! Topographica schedules (topo/sheet/lissom.py: `schedule_events`), then
//! parsed like any `schedule_command` text.

use crate::calls::Kwargs;
use crate::interp::{Interp, R};
use crate::obj::Obj;

const LE_RADII: [(f64, &str); 10] = [
    (200.0, "0.06250"),
    (500.0, "0.04375"),
    (1000.0, "0.03500"),
    (2000.0, "0.02800"),
    (3000.0, "0.02240"),
    (4000.0, "0.01344"),
    (5000.0, "0.00806"),
    (6500.0, "0.00484"),
    (8000.0, "0.00290"),
    (20000.0, "0.00174"),
];

const BOUND_STEPS: [(f64, f64, f64); 10] = [
    (200.0, 0.01, 0.01),
    (500.0, 0.02, 0.02),
    (1000.0, 0.05, 0.03),
    (2000.0, 0.08, 0.05),
    (3000.0, 0.10, 0.08),
    (4000.0, 0.10, 0.11),
    (5000.0, 0.11, 0.14),
    (6500.0, 0.12, 0.17),
    (8000.0, 0.13, 0.20),
    (20000.0, 0.14, 0.23),
];

impl Interp {
    pub(crate) fn lissom_schedule_events(
        &mut self,
        args: Vec<Obj>,
        kwargs: Kwargs,
        off: usize,
    ) -> R<Obj> {
        let names = [
            "sheet_str",
            "st",
            "aff_name",
            "ids",
            "ars",
            "increase_inhibition",
        ];
        let mut vals: Vec<Option<Obj>> = vec![None; names.len()];
        if args.len() > names.len() {
            return Err(self.err(off, "schedule_events takes at most 6 arguments"));
        }
        for (i, a) in args.into_iter().enumerate() {
            vals[i] = Some(a);
        }
        for (k, v) in kwargs {
            let Some(i) = names.iter().position(|n| *n == k) else {
                return Err(self.err(
                    off,
                    format!(
                        "unknown keyword '{k}' for schedule_events; valid keywords: {}",
                        names.join(", ")
                    ),
                ));
            };
            vals[i] = Some(v);
        }
        let sheet_str = match vals[0].take() {
            Some(Obj::Str(s)) => s,
            None => "topo.sim['V1']".to_string(),
            Some(o) => {
                return Err(self.err(
                    off,
                    format!(
                        "sheet_str must be a string such as \"topo.sim['V1']\", not {}",
                        o.type_name()
                    ),
                ))
            }
        };
        let num = |o: Option<Obj>, d: f64, s: &Self, what: &str| -> R<f64> {
            match o {
                None => Ok(d),
                Some(v) => v
                    .num()
                    .ok_or_else(|| s.err(off, format!("{what} must be a number"))),
            }
        };
        let st = num(vals[1].take(), 0.5, self, "st")?;
        let aff_name = match vals[2].take() {
            None => "Afferent".to_string(),
            Some(Obj::Str(s)) => s,
            Some(_) => return Err(self.err(off, "aff_name must be a string")),
        };
        let ids = num(vals[3].take(), 1.0, self, "ids")?;
        let ars = num(vals[4].take(), 1.0, self, "ars")?;
        let inc = vals[5].take().map(|v| v.truthy()).unwrap_or(false);
        let sheet = crate::command::parse_sheet_expr(&sheet_str).ok_or_else(|| {
            self.err(
                off,
                format!("sheet_str {sheet_str:?} must look like \"topo.sim['V1']\""),
            )
        })?;
        let Some(comp) = self
            .sheets
            .iter()
            .find(|(n, _)| *n == sheet)
            .map(|(_, c)| c.clone())
        else {
            return Err(self.err(
                off,
                format!("no sheet named '{sheet}' (sheets: {})", self.sheet_names()),
            ));
        };

        let mut cmds: Vec<(f64, String)> = Vec::new();
        let le = format!("{sheet_str}.projections()['LateralExcitatory']");
        for (t, r) in LE_RADII {
            cmds.push((
                t * st,
                format!("{le}.change_bounds(sheet.BoundingBox(radius={r}))"),
            ));
        }
        let idss = if ids == 1.0 {
            String::new()
        } else {
            format!("/{ids:3.1}")
        };
        for (i, (t, _)) in LE_RADII.iter().enumerate() {
            let v = if i == 0 { "0.12168" } else { "0.06084" };
            cmds.push((t * st, format!("{le}.learning_rate={v}{idss}*{le}.n_units")));
        }
        if inc {
            let li = format!("{sheet_str}.projections()['LateralInhibitory']");
            for (t, v) in [
                (1000.0, "1.80873/5.0*2.0"),
                (2000.0, "1.80873/5.0*3.0"),
                (5000.0, "1.80873/5.0*5.0"),
            ] {
                cmds.push((t * st, format!("{li}.learning_rate={v}{idss}")));
            }
            cmds.push((1000.0 * st, format!("{li}.strength=-2.2")));
            cmds.push((2000.0 * st, format!("{li}.strength=-2.6")));
        }
        let projs: Vec<String> = self
            .conns
            .iter()
            .filter(|c| c.dest == sheet && c.name.contains(aff_name.as_str()))
            .map(|c| c.name.clone())
            .collect();
        let num_aff = projs.len();
        let arss = if ars == 1.0 {
            String::new()
        } else {
            format!("*{ars:3.1}")
        };
        for pn in &projs {
            let div = if num_aff == 1 {
                idss.clone()
            } else {
                format!("{idss}/{num_aff}")
            };
            for (t, v) in [
                (500.0, "0.6850"),
                (2000.0, "0.5480"),
                (4000.0, "0.4110"),
                (20000.0, "0.2055"),
            ] {
                cmds.push((
                    t * st,
                    format!("{sheet_str}.projections()['{pn}'].learning_rate={v}{div}{arss}"),
                ));
            }
        }
        let (lbi, ubi) = {
            let c = comp.borrow();
            let first = match c.params.get("output_fns") {
                Some(Obj::List(v)) => v.first().cloned(),
                _ => None,
            };
            let bounds = first.and_then(|f| match f {
                Obj::Comp(fc) => {
                    let b = fc.borrow();
                    Some((
                        b.params.get("lower_bound").and_then(|v| v.num()),
                        b.params.get("upper_bound").and_then(|v| v.num()),
                    ))
                }
                _ => None,
            });
            match bounds {
                Some((Some(l), Some(u))) => (l, u),
                _ => return Err(self.err(off, format!("schedule_events needs sheet '{sheet}' to have output_fns[0] with lower_bound and upper_bound (e.g. PiecewiseLinear)"))),
            }
        };
        for (t, dl, du) in BOUND_STEPS {
            cmds.push((t * st, format!("{sheet_str}.output_fns[0].lower_bound={:5.3};{sheet_str}.output_fns[0].upper_bound={:5.3}", lbi + dl, ubi + du)));
        }
        cmds.push((12000.0 * st, "pass".into()));
        cmds.push((16000.0 * st, "pass".into()));
        for (t, n) in [(2000.0, 10), (5000.0, 11), (6500.0, 12), (8000.0, 13)] {
            cmds.push((t * st, format!("{sheet_str}.tsettle={n}")));
        }
        for (t, text) in cmds {
            let time = self.time_value(t, off)?;
            self.schedule_text(time, &text, off)?;
        }
        Ok(Obj::None)
    }
}
