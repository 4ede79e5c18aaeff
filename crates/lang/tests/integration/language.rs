//! The Python subset: values are read back through global parameter
//! defaults (p.add(name=param.X(default=<expr>))).

use crate::common;
use common::*;
use topo_spec::Value;

fn eval_all(exprs: &[(&str, &str)]) -> Vec<Value> {
    let mut text = String::from("import param, math, numpy\nfrom math import pi, sqrt\nfrom topo.misc.commandline import global_params as p\n");
    for (i, (kind, e)) in exprs.iter().enumerate() {
        text.push_str(&format!("p.add(v{i}=param.{kind}(default={e}))\n"));
    }
    let spec = load_src(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    spec.global_params.iter().map(|g| g.value.clone()).collect()
}

#[test]
fn python2_arithmetic() {
    let v = eval_all(&[
        ("Number", "7/2"),
        ("Number", "-7/2"),
        ("Number", "7/2.0"),
        ("Number", "7 % -3"),
        ("Number", "-7.5 % 2"),
        ("Number", "2**10"),
        ("Number", "2**-1"),
        ("Number", "7//2.0"),
        ("Number", "int(-2.7)"),
        ("Number", "round(2.5)"),
        ("Number", "abs(-3) + max(1, 4.5) + min([3, 2])"),
        ("Number", "sqrt(16) + math.exp(0) + pi - math.pi"),
        ("Number", "40000/6.0"),
    ]);
    assert_eq!(
        v,
        vec![
            Value::Int(3),
            Value::Int(-4),
            Value::Float(3.5),
            Value::Int(-2),
            Value::Float(0.5),
            Value::Int(1024),
            Value::Float(0.5),
            Value::Float(3.0),
            Value::Int(-2),
            Value::Float(3.0),
            Value::Float(9.5),
            Value::Float(5.0),
            Value::Float(40000.0 / 6.0),
        ]
    );
}

#[test]
fn strings_lists_and_control_flow() {
    let v = eval_all(&[
        ("String", "'%s_%03d_%5.3f_%g' % ('a', 7, 0.0925, 1e-5)"),
        ("String", "'x' + str(3) + str(0.1) + str(2.0)"),
        ("List", "[i*i for i in range(5) if i % 2 == 0]"),
        ("List", "[(a, b) for a in [1, 2] for b in 'xy']"),
        ("Number", "len(dict(a=1, b=2)) + len([1, 2, 3][1:])"),
        ("Boolean", "1 < 2 <= 2 and not (3 in [1, 2]) or False"),
        ("Number", "10 if 'a' in 'abc' else 20"),
        ("Number", "(0 or 5) + (3 and 4)"),
        ("List", "list(range(10, 0, -3))"),
        ("String", "'-'.join(['a', 'b'])"),
    ]);
    assert_eq!(v[0], Value::Str("a_007_0.092_1e-05".into()));
    assert_eq!(v[1], Value::Str("x30.12.0".into()));
    assert_eq!(
        v[2],
        Value::List(vec![Value::Int(0), Value::Int(4), Value::Int(16)])
    );
    assert_eq!(v[3].as_seq().unwrap().len(), 4);
    assert_eq!(v[4], Value::Int(4));
    assert_eq!(v[5], Value::Bool(true));
    assert_eq!(v[6], Value::Int(10));
    assert_eq!(v[7], Value::Int(9));
    assert_eq!(
        v[8],
        Value::List(vec![
            Value::Int(10),
            Value::Int(7),
            Value::Int(4),
            Value::Int(1)
        ])
    );
    assert_eq!(v[9], Value::Str("a-b".into()));
}

#[test]
fn statements() {
    let s = load_src(
        "import param\nfrom topo.misc.commandline import global_params as p\n\
         total = 0\nfor i in xrange(4):\n    if i == 1:\n        continue_ = 1\n    elif i == 2:\n        total += 10\n    else:\n        total += i\n\
         a, b = 1, 2\nd = {'k': a + b}\np.add(t=param.Number(default=total), u=param.Number(default=d['k']))\n",
    )
    .unwrap();
    assert_eq!(s.global_params[0].value, Value::Int(13));
    assert_eq!(s.global_params[1].value, Value::Int(3));
}

#[test]
fn numbergen_arithmetic_builds_operators() {
    let s = load_src(
        "import topo, numbergen\nfrom topo import sheet, pattern\n\
         x = numbergen.UniformRandom(seed=1)\ng = pattern.Gaussian(x=2*x, y=-x)\ntopo.sim['R'] = sheet.GeneratorSheet(input_generator=g)\n",
    )
    .unwrap();
    let g = obj(sheet(&s, "R"), "input_generator");
    let bx = obj(g, "x");
    assert_eq!(bx.class, "numbergen.BinaryOperator");
    assert_eq!(bx.get("lhs"), Some(&Value::Int(2)));
    assert_eq!(
        bx.get("operator"),
        Some(&Value::Function("operator.mul".into()))
    );
    let neg = obj(g, "y");
    assert_eq!(neg.class, "numbergen.UnaryOperator");
    assert_eq!(
        obj(bx, "rhs").id,
        obj(neg, "operand").id,
        "one shared generator"
    );
}

/// models/lissom.ty's colour helpers (`def h_to_b(h): ... return
/// hsv_to_rgb(h,1.0,1.0)[2]`) become operators of numbergen.UnaryOperator
/// that give colorsys' channel of the operand's value.
#[test]
fn colour_helper_defs_are_unary_operators() {
    let s = load_src(
        "import topo, numbergen\nfrom topo import sheet, pattern\n\
         def h_to_b(h):\n    from colorsys import hsv_to_rgb\n    return hsv_to_rgb(h,1.0,1.0)[2]\n\
         def h_to_g(h):\n    import colorsys\n    return colorsys.hsv_to_rgb(h,0.5,1.0)[1]\n\
         b = numbergen.UnaryOperator(numbergen.UniformRandom(lbound=0,ubound=1,seed=78),h_to_b)\n\
         g = numbergen.UnaryOperator(numbergen.UniformRandom(lbound=0,ubound=1,seed=79),h_to_g)\n\
         topo.sim['R'] = sheet.GeneratorSheet(input_generator=pattern.Gaussian(scale=2*b, offset=g))\n",
    )
    .unwrap();
    let gen = obj(sheet(&s, "R"), "input_generator");
    let b = obj(obj(gen, "scale"), "rhs");
    assert_eq!(
        b.get("operator"),
        Some(&Value::Function(
            "colorsys.hsv_to_rgb(h, 1.0, 1.0)[2]".into()
        ))
    );
    let mut streams = topo_numbergen::streams::Streams::new(None);
    let t = topo_spec::Time::from_int(0);
    for (name, channel, sat) in [("scale", 2, 1.0), ("offset", 1, 0.5)] {
        let v = streams.value(gen.get(name).unwrap(), t).unwrap();
        let op = if name == "scale" {
            obj(obj(gen, name), "rhs")
        } else {
            obj(gen, name)
        };
        // the operand's first draw, from streams of its own
        let h = topo_numbergen::streams::Streams::new(None)
            .value(op.get("operand").unwrap(), t)
            .unwrap();
        let want = topo_numbergen::colour::hsv_to_rgb(h, sat, 1.0)[channel];
        let factor = if name == "scale" { 2.0 } else { 1.0 };
        assert_eq!(v, factor * want, "{name}: h = {h}");
        assert!((0.0..=1.0).contains(&h));
    }
    // Any other function with parameters is still refused where used.
    let e = load_src(
        "import topo, numbergen\nfrom topo import sheet, pattern\n\
         def twice(h):\n    return 2*h\n\
         topo.sim['R'] = sheet.GeneratorSheet(input_generator=pattern.Gaussian(scale=numbergen.UnaryOperator(numbergen.UniformRandom(seed=1),twice)))\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("parameters") || e.contains("operator"), "{e}");
}
