//! A weights generator whose orientation is a numbergen stream draws one
//! orientation per connection field, in the dest sheet's row-major
//! creation order (topo/base/cf.py, `CFProjection._create_cfs`; the
//! construct of Topographica's models/sullivan_neurocomputing04.ty), and a
//! unit's draw does not depend on which rows a rank builds.

use topo_numbergen::Streams;
use topo_pattern::coords::{BoundingBox, SheetCoords};
use topo_sim::cf;
use topo_sim::exchange::Block;
use topo_spec::{ConnectionSpec, ModelSpec, Value};

/// Own text: a Line weights generator with a random orientation.
const MODEL: &str = r#"
import param
from math import pi
from topo import numbergen, pattern, sheet, projection
param.Dynamic.time_fn = None
topo.sim['In'] = sheet.GeneratorSheet(nominal_density=10, period=1.0, phase=0.05,
                                      input_generator=pattern.Gaussian())
topo.sim['Out'] = sheet.CFSheet(nominal_density=6)
topo.sim.connect('In', 'Out', delay=0.05, connection_type=projection.CFProjection,
                 name='A', nominal_bounds_template=sheet.BoundingBox(radius=0.25),
                 weights_generator=pattern.Line(thickness=0.05, smoothing=0.04,
                     orientation=numbergen.UniformRandom(lbound=0.0, ubound=2*pi, seed=30)))
"#;

fn setup() -> (ModelSpec, ConnectionSpec, SheetCoords, SheetCoords) {
    let spec = topo_lang::load_model_source("per_cf.ty", MODEL, &[]).unwrap();
    let conn = spec.connections[0].clone();
    let unit = BoundingBox::from_lbrt([-0.5, -0.5, 0.5, 0.5]);
    let src = SheetCoords::from_nominal(unit, 10.0).unwrap();
    let dest = SheetCoords::from_nominal(unit, 6.0).unwrap();
    (spec, conn, src, dest)
}

fn streams(spec: &ModelSpec) -> Streams {
    Streams::new(spec.shared_random_seed.as_deref()).with_random_seed(spec.param_random_seed.0)
}

#[test]
fn orientation_is_the_k_th_draw_for_the_k_th_cf() {
    let (spec, conn, src, dest) = setup();
    let (rows, cols) = (dest.rows(), dest.cols());
    let all = cf::build(
        &conn,
        &src,
        &dest,
        Block::full(rows, cols),
        &mut streams(&spec),
    )
    .unwrap();

    // The stream's own sequence, drawn as param does with time_fn None.
    let gen = conn.component.params["weights_generator"]
        .as_object()
        .unwrap()
        .params["orientation"]
        .clone();
    let mut s = streams(&spec);
    let draws: Vec<f64> = (0..rows * cols)
        .map(|_| {
            s.force_new(&gen, topo_sim::cf::render::time_zero())
                .unwrap()
        })
        .collect();
    let distinct: std::collections::BTreeSet<u64> = draws.iter().map(|d| d.to_bits()).collect();
    assert_eq!(distinct.len(), rows * cols, "draws are not all different");

    for (k, &draw) in draws.iter().enumerate() {
        // The same projection with orientation fixed to the k-th draw.
        let mut fixed = conn.clone();
        let mut wg = fixed.component.params["weights_generator"]
            .as_object()
            .unwrap()
            .clone();
        wg.params.insert("orientation".into(), Value::Float(draw));
        fixed
            .component
            .params
            .insert("weights_generator".into(), Value::Object(Box::new(wg)));
        let one = cf::build(
            &fixed,
            &src,
            &dest,
            Block::full(rows, cols),
            &mut streams(&spec),
        )
        .unwrap();
        assert_eq!(all.unit_weights(k), one.unit_weights(k), "CF {k}");
        if k > 0 {
            assert_ne!(
                all.unit_weights(k - 1),
                one.unit_weights(k - 1),
                "CF {k} vs {}",
                k - 1
            );
        }
    }

    // Rows built apart (as on two ranks) give the same CFs.
    let top = cf::build(
        &conn,
        &src,
        &dest,
        Block {
            r0: 0,
            r1: 2,
            c0: 0,
            c1: cols,
        },
        &mut streams(&spec),
    )
    .unwrap();
    let rest = cf::build(
        &conn,
        &src,
        &dest,
        Block {
            r0: 2,
            r1: rows,
            c0: 0,
            c1: cols,
        },
        &mut streams(&spec),
    )
    .unwrap();
    for u in 0..rows * cols {
        let part = if u < 2 * cols {
            top.unit_weights(u)
        } else {
            rest.unit_weights(u - 2 * cols)
        };
        assert_eq!(all.unit_weights(u), part, "CF {u} built on its own rows");
    }
}

#[test]
fn other_numbergen_weight_parameters_stay_refused() {
    let (spec, conn, src, dest) = setup();
    let mut c = conn.clone();
    let mut wg = c.component.params["weights_generator"]
        .as_object()
        .unwrap()
        .clone();
    let gen = wg.params["orientation"].clone();
    wg.params.insert("thickness".into(), gen);
    c.component
        .params
        .insert("weights_generator".into(), Value::Object(Box::new(wg)));
    let e = cf::build(
        &c,
        &src,
        &dest,
        Block::full(dest.rows(), dest.cols()),
        &mut streams(&spec),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("'thickness'"), "{e}");
}
