//! Direction of motion in the class-based GCAL:
//! `ModelGCAL(dims=['xy','or','dr'])` (topo/misc/featurecoordinators.py's
//! MotionCoordinator wraps each Gaussian in an imagen Sweeper;
//! topo/submodel/gcal.py's V1 afferents per lag) trained for a few steps
//! on 1 and 3 ranks. There is no Topographica trace of this model (wave2
//! has none), so the test checks what the model defines: within one
//! reset period (4 steps with num_lags 4) the retina shows the same
//! pattern moved by `speed` per step, and every sheet is bit-identical
//! across rank counts.

use crate::model_gcal_ranks::trace_on_1_and_3_ranks;

const SHEETS: [&str; 3] = ["Retina", "LGNOn", "V1"];
const TIMES: [&str; 5] = ["1", "2", "3", "4", "5"];

#[test]
fn model_gcal_dr_sweeps_patterns_bit_identically_on_1_and_3_ranks() {
    let one = trace_on_1_and_3_ranks("['xy', 'or', 'dr']", &SHEETS, &TIMES);
    // Times 1 to 4 show the presentations at 0.05, 1.05, 2.05, 3.05: one
    // reset period [0, 4), so one Gaussian moved by `speed` (2/24 in sheet
    // coordinates) per step, perpendicular to its long axis. Its centre of
    // mass moves by speed * the retina's true density (int(24*2r)/(2r),
    // r = 0.5+0.27083+0.375+0.5, holoviews core/sheetcoords.py) units per
    // step. Tolerance 0.01 units: the Gaussian lies inside the retina and
    // is about one unit wide across, so the sampled centroid is exact to
    // far better than that; a new random pattern would land elsewhere.
    let r: f64 = 0.5 + 0.27083 + 0.375 + 0.5;
    let density = (24.0 * 2.0 * r).trunc() / (2.0 * r);
    let step = 2.0 / 24.0 * density;
    let centroid = |t: &str| -> (f64, f64) {
        let rows = &one["sheets"]["Retina"][t];
        let (mut m, mut x, mut y) = (0.0, 0.0, 0.0);
        for (i, row) in rows.as_array().unwrap().iter().enumerate() {
            for (j, v) in row.as_array().unwrap().iter().enumerate() {
                let v = v.as_f64().unwrap();
                m += v;
                x += v * j as f64;
                y += v * i as f64;
            }
        }
        assert!(m > 0.0, "t={t}: a pattern on the retina");
        (x / m, y / m)
    };
    let c: Vec<(f64, f64)> = TIMES.iter().map(|t| centroid(t)).collect();
    for k in 0..3 {
        let d = (c[k + 1].0 - c[k].0).hypot(c[k + 1].1 - c[k].1);
        assert!(
            (d - step).abs() <= 0.01,
            "t={} to t={}: moved {d} units, speed gives {step}",
            TIMES[k],
            TIMES[k + 1]
        );
    }
}
