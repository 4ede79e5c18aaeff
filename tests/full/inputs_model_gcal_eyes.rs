//! Two eyes in the class-based GCAL: `ModelGCAL(dims=['xy','or','od'])`
//! (topo/submodel/earlyvision.py with topo/misc/featurecoordinators.py's
//! OcularityCoordinator) trained for a few steps on 1 and 3 ranks. There
//! is no Topographica trace of this model, so the test checks what the
//! coordinators define: with one pattern per eye both retinas show the
//! same Gaussian (one position and orientation stream of the same name
//! and seed in each eye), scaled by s_L = (1-df) + df*(2-u) and
//! s_R = (1-df) + df*u, so s_L + s_R = 2 and L / R is one number per
//! presentation; and every sheet bit-identical across rank counts.

use crate::model_gcal_ranks::{trace_on_1_and_3_ranks, values};

const SHEETS: [&str; 5] = [
    "LeftRetina",
    "RightRetina",
    "LeftLGNOn",
    "RightLGNOff",
    "V1",
];
const TIMES: [&str; 3] = ["1", "2", "3"];

#[test]
fn model_gcal_od_eyes_share_the_pattern_and_split_its_brightness() {
    let one = trace_on_1_and_3_ranks("['xy', 'or', 'od']", &SHEETS, &TIMES);
    let df = 0.7;
    let mut scales = Vec::new();
    for t in TIMES {
        let (l, r) = (
            values(&one, "LeftRetina", t),
            values(&one, "RightRetina", t),
        );
        // s_L = 2 L / (L + R) wherever the Gaussian is not negligible; the
        // same everywhere to rounding (relative 1e-12: one multiplication
        // and one division of doubles per pixel).
        let peak = l.iter().zip(&r).map(|(a, b)| a + b).fold(0.0, f64::max);
        let s: Vec<f64> = l
            .iter()
            .zip(&r)
            .filter(|(a, b)| *a + *b > 1e-3 * peak)
            .map(|(a, b)| 2.0 * a / (a + b))
            .collect();
        assert!(s.len() > 10, "t={t}: the pattern is visible");
        for x in &s {
            assert!((x - s[0]).abs() <= 1e-12 * s[0], "t={t}: {x} vs {}", s[0]);
        }
        assert!(
            (1.0 - df..=1.0 + df).contains(&s[0]),
            "t={t}: s_L = {} outside [1-df, 1+df]",
            s[0]
        );
        scales.push(s[0]);
    }
    assert!(
        scales.windows(2).all(|w| w[0] != w[1]),
        "a new brightness split per presentation: {scales:?}"
    );
}
