//! Region evaluation: rendering a grid as blocks (each block with its own
//! copy of the random streams, as each MPI rank has) gives bit-identical
//! values to the whole-grid render, and leaves every stream in the same
//! state, over several presentations.

use crate::common;

use common::{comp, Builder};
use std::f64::consts::PI;
use topo_numbergen::Streams;
use topo_pattern::{render, render_whole, BoundingBox, Mask, Overrides, Region, SheetCoords};
use topo_spec::{Time, Value};

fn f(v: f64) -> Value {
    Value::Float(v)
}

/// Cut points `0 = p0 < p1 < ... = n` from a small deterministic generator.
fn cuts(n: usize, seed: &mut u64) -> Vec<usize> {
    let mut pts = vec![0];
    while *pts.last().unwrap() < n {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let step = 1 + ((*seed >> 33) as usize) % (n / 2).max(1);
        pts.push((pts.last().unwrap() + step).min(n));
    }
    pts
}

/// Blocks of a `rows x cols` grid: several random tilings plus single
/// rows, single columns and single elements.
fn tilings(rows: usize, cols: usize) -> Vec<Vec<Region>> {
    let mut seed = 12345;
    let mut all = Vec::new();
    for _ in 0..4 {
        let (rc, cc) = (cuts(rows, &mut seed), cuts(cols, &mut seed));
        let mut t = Vec::new();
        for r in rc.windows(2) {
            for c in cc.windows(2) {
                t.push(Region {
                    r0: r[0],
                    r1: r[1],
                    c0: c[0],
                    c1: c[1],
                });
            }
        }
        all.push(t);
    }
    all.push(
        (0..rows)
            .map(|r| Region {
                r0: r,
                r1: r + 1,
                c0: 0,
                c1: cols,
            })
            .collect(),
    );
    all.push(
        (0..cols)
            .map(|c| Region {
                r0: 0,
                r1: rows,
                c0: c,
                c1: c + 1,
            })
            .collect(),
    );
    all.push(vec![
        Region {
            r0: rows / 2,
            r1: rows / 2 + 1,
            c0: cols - 1,
            c1: cols,
        },
        Region {
            r0: 0,
            r1: 0,
            c0: 0,
            c1: cols,
        },
    ]);
    all
}

/// Renders `gen` at `times` whole and block by block and compares bits
/// and the final stream states.
fn check(
    label: &str,
    gen: &Value,
    ov: &Overrides,
    grid: &SheetCoords,
    start: &Streams,
    times: &[Time],
) {
    let mut whole_streams = start.clone();
    let wholes: Vec<Vec<f64>> = times
        .iter()
        .map(|&t| render_whole(comp(gen), ov, grid, &mut whole_streams, t).unwrap())
        .collect();
    let cols = grid.cols();
    for tiling in tilings(grid.rows(), grid.cols()) {
        for region in tiling {
            let mut streams = start.clone();
            for (k, &t) in times.iter().enumerate() {
                let mut out = vec![f64::NAN; region.len()];
                render(comp(gen), ov, grid, region, &mut streams, t, &mut out).unwrap();
                for (i, v) in out.iter().enumerate() {
                    let (r, c) = (region.r0 + i / region.cols(), region.c0 + i % region.cols());
                    let w = wholes[k][r * cols + c];
                    assert_eq!(
                        v.to_bits(),
                        w.to_bits(),
                        "{label}: block {region:?} at t={t}, element ({r},{c}): {v:e} vs whole {w:e}"
                    );
                }
            }
            assert!(
                streams == whole_streams,
                "{label}: block {region:?} left the streams in another state"
            );
        }
    }
}

fn grid() -> SheetCoords {
    SheetCoords::from_nominal(BoundingBox::from_radius(0.6), 17.0).unwrap()
}

fn times() -> Vec<Time> {
    vec![Time::new(1, 20), Time::new(21, 20), Time::new(41, 20)]
}

#[test]
fn geometric_patterns() {
    let mut b = Builder::default();
    let g = grid();
    let start = Streams::new(None);
    let gauss = b.pattern(
        "imagen.Gaussian",
        vec![
            ("size", f(0.3)),
            ("aspect_ratio", f(2.0)),
            ("x", f(0.1)),
            ("orientation", f(0.7)),
        ],
    );
    check(
        "gaussian",
        &gauss,
        &Overrides::default(),
        &g,
        &start,
        &times(),
    );
    let disk = b.pattern(
        "imagen.Disk",
        vec![("size", f(0.6)), ("smoothing", f(0.05))],
    );
    check("disk", &disk, &Overrides::default(), &g, &start, &times());
    let sine = b.pattern(
        "imagen.SineGrating",
        vec![("phase", f(1.0)), ("orientation", f(2.0))],
    );
    check("sine", &sine, &Overrides::default(), &g, &start, &times());
    let line = b.pattern(
        "imagen.Line",
        vec![
            ("thickness", f(0.01)),
            ("enforce_minimal_thickness", Value::Bool(true)),
            ("orientation", f(0.4)),
        ],
    );
    check(
        "line (minimal thickness)",
        &line,
        &Overrides::default(),
        &g,
        &start,
        &times(),
    );
}

#[test]
fn normalised_difference_of_gaussians_with_mask() {
    let mut b = Builder::default();
    let g = grid();
    let mut gens = Vec::new();
    for size in [0.07385, 0.2954] {
        let l1 = b.l1();
        gens.push(b.pattern(
            "imagen.Gaussian",
            vec![
                ("size", f(size)),
                ("aspect_ratio", f(1.0)),
                ("output_fns", Value::List(vec![l1])),
            ],
        ));
    }
    let dog = b.pattern(
        "imagen.Composite",
        vec![
            ("generators", Value::List(gens)),
            ("operator", Value::Function("numpy.subtract".into())),
        ],
    );
    let data = (0..g.rows() * g.cols())
        .map(|i| ((i % 7) as f64) / 6.0)
        .collect();
    let ov = Overrides {
        mask: Some(Mask {
            data,
            rows: g.rows(),
            cols: g.cols(),
        }),
        x: Some(0.05),
        ..Overrides::default()
    };
    check("DoG", &dog, &ov, &g, &Streams::new(None), &times());
}

#[test]
fn random_patterns_shared_and_hashed() {
    let mut b = Builder::default();
    let g = grid();
    // Start the shared stream somewhere else than its seed.
    let mut start = Streams::new(None);
    start.shared_numpy().skip(17);
    let uniform = b.pattern(
        "imagen.random.UniformRandom",
        vec![("scale", f(0.5)), ("offset", f(0.25))],
    );
    check(
        "uniform (shared)",
        &uniform,
        &Overrides::default(),
        &g,
        &start,
        &times(),
    );
    let cloud = b.pattern(
        "imagen.random.GaussianCloud",
        vec![("gaussian_size", f(0.5))],
    );
    check(
        "cloud (shared)",
        &cloud,
        &Overrides::default(),
        &g,
        &start,
        &times(),
    );
    let cloud_td = b.pattern(
        "imagen.random.GaussianCloud",
        vec![
            ("gaussian_size", f(0.5)),
            ("time_dependent", Value::Bool(true)),
        ],
    );
    let ov = Overrides {
        name: Some("LGNOnAfferent-LGNOn-V1_CF (0.06250, -0.18750)".into()),
        ..Overrides::default()
    };
    check(
        "cloud (time-dependent)",
        &cloud_td,
        &ov,
        &g,
        &start,
        &times(),
    );
}

#[test]
fn dynamic_parameters_separated_composite_and_selector() {
    let mut b = Builder::default();
    let g = grid();
    let mut gens = Vec::new();
    for i in 0..3i64 {
        let x = b.uniform(-0.5, 0.5, 12 + i, "ux", false);
        let y = b.uniform(-0.5, 0.5, 34 + i, "uy", false);
        let o = b.uniform(-PI, PI, 56 + i, "uo", false);
        gens.push(b.pattern(
            "imagen.Gaussian",
            vec![
                ("size", f(0.1)),
                ("aspect_ratio", f(3.0)),
                ("x", x),
                ("y", y),
                ("orientation", o),
            ],
        ));
    }
    let sep = b.pattern(
        "imagen.SeparatedComposite",
        vec![
            ("generators", Value::List(gens.clone())),
            ("min_separation", f(0.5)),
        ],
    );
    check(
        "separated composite",
        &sep,
        &Overrides::default(),
        &g,
        &Streams::new(None),
        &times(),
    );
    let index = b.uniform(0.0, 1.0, 76, "index", false);
    let sel = b.pattern(
        "imagen.Selector",
        vec![("generators", Value::List(gens)), ("index", index)],
    );
    check(
        "selector",
        &sel,
        &Overrides::default(),
        &g,
        &Streams::new(None),
        &times(),
    );
}
