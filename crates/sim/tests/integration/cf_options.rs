//! Projection options around CF construction: per-CF masks, the CF label
//! that names the time-dependent weight streams, min_matrix_radius, and
//! errors for bad input.

use crate::cf_support;

use cf_support::load;
use topo_sim::cf::{self, BuildError};
use topo_sim::exchange::Block;
use topo_spec::Value;

fn full(model: &cf_support::Model, key: &str) -> (topo_spec::ConnectionSpec, Block) {
    let c = model
        .conns
        .iter()
        .find(|(k, _)| k == key)
        .unwrap()
        .1
        .clone();
    let d = model.dest(&c);
    (c.clone(), Block::full(d.rows(), d.cols()))
}

#[test]
fn per_cf_masks_equal_the_shared_template_for_fixed_shapes() {
    for (m, key) in [
        ("D_tiny", "V1.Afferent"),
        ("B_lissom_oo_or", "V1.LGNOnAfferent"),
    ] {
        let model = load(m);
        let (c, b) = full(&model, key);
        let mut s1 = model.streams();
        let a = cf::build(&c, model.src(&c), model.dest(&c), b, &mut s1).unwrap();
        let mut c2 = c.clone();
        c2.component
            .params
            .insert("same_cf_shape_for_all_cfs".into(), Value::Bool(false));
        let mut s2 = model.streams();
        let p = cf::build(&c2, model.src(&c), model.dest(&c), b, &mut s2).unwrap();
        assert_eq!(a, p, "{m} {key}");
        assert!(s1 == s2, "{m} {key}: streams");
    }
}

#[test]
fn cf_label_seeds_time_dependent_weights() {
    let model = load("A_gcal");
    let (c, b) = full(&model, "V1.LGNOnAfferent");
    let build = |c: &topo_spec::ConnectionSpec| {
        let mut s = model.streams();
        cf::build(c, model.src(c), model.dest(c), b, &mut s).unwrap()
    };
    let base = build(&c);
    assert_eq!(base, build(&c), "rebuild is identical");
    let mut seeded = c.clone();
    seeded.component.params.insert("seed".into(), Value::Int(3));
    let mut renamed = c.clone();
    renamed
        .component
        .params
        .insert("hash_format".into(), Value::Str("{name}".into()));
    for other in [build(&seeded), build(&renamed)] {
        assert_eq!(other.slices, base.slices);
        assert_eq!(other.masks, base.masks);
        assert_ne!(other.weights, base.weights);
    }
}

#[test]
fn min_matrix_radius_zero_allows_one_unit_templates() {
    let model = load("D_tiny");
    let (mut c, b) = full(&model, "V1.Afferent");
    c.component.params.insert(
        "nominal_bounds_template".into(),
        Value::BoundingBox([-0.01, -0.01, 0.01, 0.01]),
    );
    c.component
        .params
        .insert("min_matrix_radius".into(), Value::Int(0));
    let mut s = model.streams();
    let cfs = cf::build(&c, model.src(&c), model.dest(&c), b, &mut s).unwrap();
    assert_eq!(cfs.template_shape, (1, 1));
    assert_eq!(cfs.n_units, 1);
    // one weight per unit, L1-normalised to 1: w * f32(1/w) is within two
    // float32 roundings (2^-23 relative each) of 1
    assert_eq!(cfs.weights.len(), 25);
    assert!(cfs.weights.iter().all(|w| (*w - 1.0).abs() <= 2.4e-7));
}

#[test]
fn bad_input_is_an_error() {
    let model = load("D_tiny");
    let (c, _) = full(&model, "V1.Afferent");
    let mut s = model.streams();
    let mut no_shape = c.clone();
    no_shape.component.params.remove("cf_shape");
    match cf::build(
        &no_shape,
        model.src(&c),
        model.dest(&c),
        Block::full(5, 5),
        &mut s,
    ) {
        Err(BuildError::Param { message, .. }) => assert!(message.contains("cf_shape")),
        other => panic!("expected a parameter error, got {other:?}"),
    }
    let outside = Block {
        r0: 0,
        r1: 6,
        c0: 0,
        c1: 5,
    };
    assert!(cf::build(&c, model.src(&c), model.dest(&c), outside, &mut s).is_err());
    let mut bad_class = c.clone();
    bad_class.component.class = "topo.projection.OneToOneProjection".into();
    assert!(cf::build(
        &bad_class,
        model.src(&c),
        model.dest(&c),
        Block::full(5, 5),
        &mut s
    )
    .is_err());
}
