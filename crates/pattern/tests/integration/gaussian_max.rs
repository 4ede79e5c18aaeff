//! The maximum-of-Gaussians path (`set_fast_gaussians_off(false)`, one
//! `exp` per pixel where only one Gaussian can be the maximum) gives the
//! generic evaluation's bits and leaves the streams in the same state, on
//! GCAL's training pattern and on composites built to hit every branch:
//! exact and near ties, exponents below the normal range and below the
//! zero threshold, NaN, a zero sigma, unequal or negative scales,
//! offsets, sequential and time-dependent dynamic parameters, blocks.

use crate::common;

use common::Builder;
use topo_numbergen::Streams;
use topo_pattern::pattern::set_fast_gaussians_off;
use topo_pattern::{render, BoundingBox, Mask, Overrides, Region, SheetCoords};
use topo_spec::{Component, Time, Value};

fn f(v: f64) -> Value {
    Value::Float(v)
}

fn obj(v: &Value) -> &Component {
    match v {
        Value::Object(c) => c,
        other => panic!("not a component: {other:?}"),
    }
}

/// GCAL's retina at cortex_density 48: radius 1.646, 24 units per unit.
fn retina() -> SheetCoords {
    SheetCoords::from_nominal(BoundingBox::from_radius(1.645833), 24.0).unwrap()
}

/// `imagen.Composite(generators=gens, operator=numpy.maximum)`.
fn max_of(b: &mut Builder, gens: Vec<Value>, extra: Vec<(&str, Value)>) -> Value {
    let mut given = vec![("generators", Value::List(gens))];
    given.extend(extra);
    b.pattern("imagen.Composite", given)
}

/// A GCAL training Gaussian: x, y, orientation `0.0 + UniformRandom`
/// (time-dependent, or sequential with `td` false).
fn gcal_gaussian(b: &mut Builder, i: i64, td: bool, scale: f64) -> Value {
    let bound = 0.75;
    let ux = b.uniform(-bound, bound, 12 + i, &format!("XCoordinator{i}"), td);
    let x = b.zero_plus(ux);
    let uy = b.uniform(-bound, bound, 35 + i, &format!("YCoordinator{i}"), td);
    let y = b.zero_plus(uy);
    let uo = b.uniform(
        -std::f64::consts::PI,
        std::f64::consts::PI,
        21 + i,
        &format!("OrientationCoordinator{i}"),
        td,
    );
    let o = b.zero_plus(uo);
    b.pattern(
        "imagen.Gaussian",
        vec![
            ("size", f(0.088388)),
            ("aspect_ratio", f(4.66667)),
            ("scale", f(scale)),
            ("x", x),
            ("y", y),
            ("orientation", o),
        ],
    )
}

fn gaussian(b: &mut Builder, params: Vec<(&str, Value)>) -> Value {
    b.pattern("imagen.Gaussian", params)
}

/// The cases: (name, pattern, call overrides).
fn cases() -> Vec<(&'static str, Value, Overrides)> {
    let mut b = Builder::default();
    let mut out = Vec::new();
    let none = Overrides::default;
    let gs = vec![
        gcal_gaussian(&mut b, 0, true, 0.7),
        gcal_gaussian(&mut b, 1, true, 0.7),
    ];
    out.push(("GCAL", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gcal_gaussian(&mut b, 0, false, 1.0),
        gcal_gaussian(&mut b, 1, false, 1.0),
        gcal_gaussian(&mut b, 2, false, 1.0),
    ];
    out.push((
        "three, sequential streams",
        max_of(&mut b, gs, vec![]),
        none(),
    ));
    let same = vec![("x", f(0.1)), ("y", f(-0.2)), ("orientation", f(0.3))];
    let gs = vec![gaussian(&mut b, same.clone()), gaussian(&mut b, same)];
    out.push(("exact tie", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("x", f(0.1))]),
        gaussian(&mut b, vec![("x", f(0.1 + 1e-9))]),
        gaussian(&mut b, vec![("x", f(0.1 - 3e-7))]),
    ];
    out.push(("near ties", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("size", f(0.004)), ("x", f(-1.0))]),
        gaussian(
            &mut b,
            vec![("size", f(0.006)), ("x", f(1.2)), ("aspect_ratio", f(1.0))],
        ),
    ];
    out.push((
        "mostly below zero and floor",
        max_of(&mut b, gs, vec![]),
        none(),
    ));
    // Round Gaussians at the same random places (the same streams) with
    // nearly equal sizes: around a ring of radius ~1.5 both exponents
    // fall below NORMAL_FLOOR together and some pixels land in the band
    // just above ln(2^-1075) (exp = the smallest subnormal) and below.
    let mut band = Vec::new();
    for size in [0.078, 0.0781] {
        let g = gcal_gaussian(&mut b, 0, true, 1.0);
        let mut c = obj(&g).clone();
        c.params.insert("size".into(), f(size));
        c.params.insert("aspect_ratio".into(), f(1.0));
        band.push(Value::Object(Box::new(c)));
    }
    out.push((
        "band around the zero threshold",
        max_of(&mut b, band, vec![]),
        none(),
    ));
    let gs = vec![
        gaussian(&mut b, vec![("size", f(40.0))]),
        gaussian(&mut b, vec![("size", f(40.0)), ("y", f(1e-6))]),
    ];
    out.push(("wide, all close", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("scale", f(0.5))]),
        gaussian(&mut b, vec![("scale", f(0.7)), ("x", f(0.2))]),
    ];
    out.push(("unequal scales", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("scale", f(-0.5))]),
        gaussian(&mut b, vec![("scale", f(-0.5)), ("x", f(0.2))]),
    ];
    out.push(("negative scale", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("offset", f(-0.25)), ("scale", f(3.0))]),
        gaussian(
            &mut b,
            vec![("offset", f(-0.25)), ("scale", f(3.0)), ("y", f(0.3))],
        ),
    ];
    out.push(("offset", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("size", f(0.0))]),
        gaussian(&mut b, vec![("y", f(0.3))]),
    ];
    out.push(("zero sigma", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("x", f(f64::NAN))]),
        gaussian(&mut b, vec![("y", f(0.3))]),
    ];
    out.push(("NaN first", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gaussian(&mut b, vec![("y", f(0.3))]),
        gaussian(&mut b, vec![("x", f(f64::NAN))]),
    ];
    out.push(("NaN second", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![gaussian(
        &mut b,
        vec![("x", f(0.4)), ("orientation", f(1.0))],
    )];
    out.push(("one Gaussian", max_of(&mut b, gs, vec![]), none()));
    let gs = vec![
        gcal_gaussian(&mut b, 0, true, 1.0),
        gcal_gaussian(&mut b, 1, true, 1.0),
    ];
    let composite = max_of(
        &mut b,
        gs,
        vec![("size", f(1.5)), ("scale", f(0.3)), ("offset", f(0.1))],
    );
    let ov = Overrides {
        x: Some(0.2),
        orientation: Some(0.7),
        ..Overrides::default()
    };
    out.push(("composite moved, scaled, offset", composite, ov));
    let gs = vec![
        gcal_gaussian(&mut b, 0, true, 1.0),
        gcal_gaussian(&mut b, 1, true, 1.0),
    ];
    let g = retina();
    let ov = Overrides {
        mask: Some(Mask {
            data: (0..g.rows() * g.cols())
                .map(|i| (i % 5) as f64 / 4.0)
                .collect(),
            rows: g.rows(),
            cols: g.cols(),
        }),
        ..Overrides::default()
    };
    out.push(("masked (generic path)", max_of(&mut b, gs, vec![]), ov));
    out
}

fn regions(g: &SheetCoords) -> Vec<Region> {
    let (rows, cols) = g.shape();
    vec![
        Region::whole(g),
        Region {
            r0: 0,
            r1: 47,
            c0: 0,
            c1: cols,
        },
        Region {
            r0: 31,
            r1: rows,
            c0: 0,
            c1: cols,
        },
        Region {
            r0: 10,
            r1: 11,
            c0: 5,
            c1: 70,
        },
        Region {
            r0: 3,
            r1: 60,
            c0: 40,
            c1: 41,
        },
        Region {
            r0: 7,
            r1: 7,
            c0: 0,
            c1: cols,
        },
    ]
}

/// Renders `pattern` at times 1..=12 over `region` with the switch set to
/// `off`: the values (as bits) and the streams after.
fn run(
    pattern: &Value,
    ov: &Overrides,
    g: &SheetCoords,
    region: Region,
    off: bool,
) -> (Vec<u64>, Streams) {
    set_fast_gaussians_off(off);
    let mut streams = Streams::new(None);
    let mut bits = Vec::new();
    let mut out = vec![0.0; region.len()];
    for t in 1..=12 {
        render(
            obj(pattern),
            ov,
            g,
            region,
            &mut streams,
            Time::from_int(t),
            &mut out,
        )
        .unwrap();
        bits.extend(out.iter().map(|v| v.to_bits()));
    }
    set_fast_gaussians_off(false);
    (bits, streams)
}

#[test]
fn the_maximum_of_gaussians_path_equals_the_generic_one_bit_for_bit() {
    let g = retina();
    for (name, pattern, ov) in cases() {
        for region in regions(&g) {
            let (fast, fast_streams) = run(&pattern, &ov, &g, region, false);
            let (generic, generic_streams) = run(&pattern, &ov, &g, region, true);
            if let Some(i) = (0..fast.len()).find(|&i| fast[i] != generic[i]) {
                panic!(
                    "{name}, {region:?}: value {i} is {} here, {} generically",
                    f64::from_bits(fast[i]),
                    f64::from_bits(generic[i])
                );
            }
            assert_eq!(fast_streams, generic_streams, "{name}, {region:?}: streams");
        }
    }
}
