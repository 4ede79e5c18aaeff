//! Bad input gives errors (never panics).

use crate::common;

use common::{comp, Builder};
use topo_numbergen::Streams;
use topo_pattern::{render, BoundingBox, Mask, Overrides, PatternError, Region, SheetCoords};
use topo_spec::{Component, Time, Value};

fn grid() -> SheetCoords {
    SheetCoords::exact(BoundingBox::from_radius(0.5), 4.0, 4.0).unwrap()
}

fn run(gen: &Component, ov: &Overrides, region: Region, len: usize) -> Result<(), PatternError> {
    let mut out = vec![0.0; len];
    render(
        gen,
        ov,
        &grid(),
        region,
        &mut Streams::new(None),
        Time::ZERO,
        &mut out,
    )
}

#[test]
fn bad_inputs_are_errors() {
    let mut b = Builder::default();
    let gauss = b.pattern("imagen.Gaussian", vec![]);
    let whole = Region {
        r0: 0,
        r1: 4,
        c0: 0,
        c1: 4,
    };
    assert!(run(comp(&gauss), &Overrides::default(), whole, 16).is_ok());

    let outside = Region {
        r0: 0,
        r1: 5,
        c0: 0,
        c1: 4,
    };
    assert!(matches!(
        run(comp(&gauss), &Overrides::default(), outside, 20),
        Err(PatternError::BadRegion(_))
    ));
    assert!(matches!(
        run(comp(&gauss), &Overrides::default(), whole, 15),
        Err(PatternError::BadRegion(_))
    ));

    let ov = Overrides {
        mask: Some(Mask {
            data: vec![1.0; 9],
            rows: 3,
            cols: 3,
        }),
        ..Overrides::default()
    };
    assert!(matches!(
        run(comp(&gauss), &ov, whole, 16),
        Err(PatternError::BadMask(_))
    ));

    let unknown = b.pattern("imagen.Spiral", vec![]);
    assert!(matches!(
        run(comp(&unknown), &Overrides::default(), whole, 16),
        Err(PatternError::UnsupportedClass(_))
    ));

    let mut tf = comp(&b.l1()).clone();
    tf.class = "imagen.transferfn.DivisiveNormalizeL2".into();
    let odd = b.pattern(
        "imagen.Gaussian",
        vec![("output_fns", Value::List(vec![Value::Object(Box::new(tf))]))],
    );
    assert!(matches!(
        run(comp(&odd), &Overrides::default(), whole, 16),
        Err(PatternError::Unsupported(_))
    ));

    let stringy = b.pattern("imagen.Gaussian", vec![("size", Value::Str("big".into()))]);
    assert!(matches!(
        run(comp(&stringy), &Overrides::default(), whole, 16),
        Err(PatternError::BadParam { .. })
    ));

    let bad_op = b.pattern(
        "imagen.Composite",
        vec![
            ("generators", Value::List(vec![gauss.clone()])),
            ("operator", Value::Function("numpy.power".into())),
        ],
    );
    assert!(matches!(
        run(comp(&bad_op), &Overrides::default(), whole, 16),
        Err(PatternError::Unsupported(_))
    ));
}

#[test]
fn bad_grids_are_errors() {
    let unit = BoundingBox::from_radius(0.5);
    assert!(SheetCoords::exact(unit, 0.0, 4.0).is_err());
    assert!(SheetCoords::exact(unit, 4.0, f64::NAN).is_err());
    assert!(SheetCoords::exact(BoundingBox::from_lbrt([0.0, 0.0, 0.0, 1.0]), 4.0, 4.0).is_err());
    assert!(SheetCoords::from_nominal(unit, 0.5).is_err());
    assert!(SheetCoords::from_nominal(unit, 1.0).is_ok());
}
