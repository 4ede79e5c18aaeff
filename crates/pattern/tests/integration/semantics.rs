//! imagen behaviours that the reference data do not exercise.

use crate::common;

use common::{comp, Builder};
use topo_numbergen::Streams;
use topo_pattern::{render_whole, BoundingBox, Overrides, SheetCoords};
use topo_spec::{Time, Value};

fn grid() -> SheetCoords {
    SheetCoords::exact(BoundingBox::from_radius(0.5), 6.0, 6.0).unwrap()
}

fn f(v: f64) -> Value {
    Value::Float(v)
}

/// `Selector` passes `scale = pg.scale * p.scale` to the chosen generator
/// and then, being a PatternGenerator, scales the result by `p.scale` again.
#[test]
fn selector_picks_by_wrapped_index_and_scales_twice() {
    let mut b = Builder::default();
    let c1 = b.pattern("imagen.Constant", vec![("scale", f(1.0))]);
    let c2 = b.pattern(
        "imagen.Constant",
        vec![("scale", f(3.0)), ("offset", f(0.5))],
    );
    // Chosen generator value: (pg.scale * 2) * 1 + (pg.offset + 0.25);
    // then the selector's own * 2 + 0.25. Index 1.6 wraps to 0.6.
    let second = (3.0 * 2.0 + (0.5 + 0.25)) * 2.0 + 0.25;
    let first = (2.0 + 0.25) * 2.0 + 0.25;
    for (index, want) in [(0.6, second), (0.2, first), (1.6, second)] {
        let sel = b.pattern(
            "imagen.Selector",
            vec![
                ("generators", Value::List(vec![c1.clone(), c2.clone()])),
                ("index", f(index)),
                ("scale", f(2.0)),
                ("offset", f(0.25)),
            ],
        );
        let got = render_whole(
            comp(&sel),
            &Overrides::default(),
            &grid(),
            &mut Streams::new(None),
            Time::ZERO,
        )
        .unwrap();
        // index 1.6 wraps to 0.6; the chosen generator's offset is c2's 0.5
        // plus the selector's 0.25.
        let want = if index == 1.6 {
            (3.0 * 2.0 + 0.75) * 2.0 + 0.25
        } else {
            want
        };
        assert!(
            got.iter().all(|&v| v == want),
            "index {index}: {} vs {want}",
            got[0]
        );
    }
}

/// An explicit override hides the component's dynamic value: its stream is
/// not drawn. A dynamic value is drawn once per time.
#[test]
fn overrides_do_not_draw_and_values_are_cached_per_time() {
    let mut b = Builder::default();
    let x = b.uniform(-0.5, 0.5, 12, "x", false);
    let g = b.pattern("imagen.Gaussian", vec![("x", x.clone())]);
    let mut streams = Streams::new(None);
    let ov = Overrides {
        x: Some(0.1),
        ..Overrides::default()
    };
    render_whole(comp(&g), &ov, &grid(), &mut streams, Time::new(1, 20)).unwrap();
    assert_eq!(streams, Streams::new(None), "an overridden x was drawn");

    let t1 = Time::new(1, 20);
    let a = render_whole(comp(&g), &Overrides::default(), &grid(), &mut streams, t1).unwrap();
    let again = render_whole(comp(&g), &Overrides::default(), &grid(), &mut streams, t1).unwrap();
    assert_eq!(a, again, "same time, same pattern");
    let later = render_whole(
        comp(&g),
        &Overrides::default(),
        &grid(),
        &mut streams,
        Time::new(21, 20),
    )
    .unwrap();
    assert_ne!(a, later, "a new time draws a new x");
}

/// `mask_shape` builds the mask from another pattern placed relative to
/// the pattern (here a Disk cutting a Constant).
#[test]
fn mask_shape_masks() {
    let mut b = Builder::default();
    let disk = b.pattern("imagen.Disk", vec![("smoothing", f(0.0)), ("size", f(0.5))]);
    let masked = b.pattern(
        "imagen.Constant",
        vec![("mask_shape", disk.clone()), ("scale", f(2.0))],
    );
    let g = grid();
    let m = render_whole(
        comp(&disk),
        &Overrides::default(),
        &g,
        &mut Streams::new(None),
        Time::ZERO,
    )
    .unwrap();
    let got = render_whole(
        comp(&masked),
        &Overrides::default(),
        &g,
        &mut Streams::new(None),
        Time::ZERO,
    )
    .unwrap();
    let want: Vec<f64> = m.iter().map(|v| 2.0 * v).collect();
    assert_eq!(got, want);
    assert!(m.contains(&0.0) && m.contains(&1.0));
}
