//! User-defined components (`class X(LearningFn)`, time functions): what
//! compiles into a kernel, and a located error for every refusal.

use crate::common;
use common::*;
use topo_lang::LangError;
use topo_spec::userclass::{BinOp, Family, KExpr, KStmt};

const HEAD: &str =
    "import param\nimport numpy\nimport topo\nfrom topo.base.functionfamily import LearningFn\n";

fn err(text: &str) -> LangError {
    match load_src(&format!("{HEAD}{text}")) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

/// `line` counts from the first line after HEAD (4 lines).
fn at(e: &LangError, line: usize, col: usize, needle: &str) {
    assert_eq!((e.line, e.col), (line + 4, col), "location of: {e}");
    assert!(
        e.message.contains(needle),
        "message {:?} should contain {needle:?}",
        e.message
    );
    assert_eq!(
        e.to_string(),
        format!("test.ty:{}:{col}: {}", line + 4, e.message)
    );
}

/// A LearningFn with a dead local and state that never reaches the weights.
const RULE: &str = "\
class Rule(LearningFn):
    gain = param.Number(default=0.1, bounds=(0, None))
    start = param.Number(default=0.8)

    def __init__(self, **params):
        super(Rule, self).__init__(**params)
        self.level = self.start

    def __call__(self, x, y, w, rate):
        w += rate * y * x
        unused = self.gain * self.level * y
        self.level = self.level * 0.5
";

#[test]
fn a_learning_fn_compiles_to_its_live_statements() {
    let spec = load_src(&format!("{HEAD}{RULE}r = Rule(gain=0.5)\n")).unwrap();
    let c = &spec.user_classes["__main__.Rule"];
    assert_eq!(c.family, Family::LearningFn);
    assert_eq!(c.params, vec!["gain", "start"]);
    assert_eq!(c.location, "test.ty:5:1");
    // only `w += (rate * y) * x` survives, in Python's evaluation order
    let want = KStmt::InPlace {
        arg: 2,
        op: Some(BinOp::Add),
        value: KExpr::Binary(
            BinOp::Mul,
            Box::new(KExpr::Binary(
                BinOp::Mul,
                Box::new(KExpr::Arg(3)),
                Box::new(KExpr::Arg(1)),
            )),
            Box::new(KExpr::Arg(0)),
        ),
    };
    assert_eq!(c.call.body, vec![want]);
}

#[test]
fn instances_carry_their_parameters() {
    let text = format!(
        "{HEAD}{RULE}from topo import learningfn\nplug = learningfn.projfn.CFPLF_Plugin(single_cf_fn=Rule(gain=0.5))\n"
    );
    let spec = load_src(&text);
    // the plugin is only stored when used by a connection; check the class
    // instance through an error-free load and a bad keyword
    assert!(spec.is_ok(), "{spec:?}");
    let e = err(&format!("{RULE}r = Rule(gian=0.5)\n"));
    at(
        &e,
        13,
        10,
        "unknown keyword 'gian' for Rule; valid keywords: gain, start",
    );
    let e = err(&format!("{RULE}r = Rule(gain=-1.0)\n"));
    at(&e, 13, 10, "out of bounds");
}

#[test]
fn a_time_function_compiles() {
    let text = format!(
        "{HEAD}class Decay(param.Parameterized):\n    v0 = param.Number(0.09)\n    time_fn = topo.sim.time\n    def __call__(self):\n        if self.time_fn() < 10:\n            return self.v0 - 0.001*float(self.time_fn())\n        else:\n            return self.v0\n"
    );
    let spec = load_src(&text).unwrap();
    let c = &spec.user_classes["__main__.Decay"];
    assert_eq!(c.family, Family::TimeFn);
    assert!(matches!(c.call.body[0], KStmt::If { .. }));
}

#[test]
fn a_time_function_is_a_dynamic_number() {
    let text = format!(
        "{HEAD}from topo import projection\nclass Decay(param.Parameterized):\n    v0 = param.Number(0.09)\n    time_fn = topo.sim.time\n    def __call__(self):\n        return self.v0 / (1.0 + self.time_fn())\nprojection.CFProjection.learning_rate = Decay(v0=0.5)\n"
    );
    assert!(load_src(&text).is_ok());
}

#[test]
fn state_that_feeds_a_result_is_refused() {
    let e = err(
        "class Bad(LearningFn):\n    def __init__(self, **params):\n        super(Bad, self).__init__(**params)\n        self.level = 1.0\n    def __call__(self, x, y, w, rate):\n        w += self.level * x\n        self.level = self.level * 0.9\n",
    );
    at(
        &e,
        6,
        14,
        "self.level is instance state (written in __call__ at line 11)",
    );
    assert!(e.message.contains("update order"), "{e}");
}

#[test]
fn state_through_a_local_is_refused() {
    let e = err(
        "class Bad(LearningFn):\n    count = 0.0\n    def __call__(self, x, y, w, rate):\n        k = self.count + 1.0\n        self.count = k\n        w *= k\n",
    );
    at(&e, 4, 13, "self.count is instance state");
}

#[test]
fn changing_the_shared_input_is_refused() {
    let e =
        err("class Bad(LearningFn):\n    def __call__(self, x, y, w, rate):\n        x *= 2.0\n");
    at(
        &e,
        3,
        9,
        "'x' is the projection's input, shared by every unit",
    );
}

#[test]
fn wrong_call_signature() {
    let e = err("class Bad(LearningFn):\n    def __call__(self, x, w):\n        w += x\n");
    at(&e, 2, 5, "wrong signature for Bad.__call__(self, x, w): a LearningFn has __call__(self, input_activity, unit_activity, weights, single_connection_learning_rate)");
    let e = err("class T(param.Parameterized):\n    def __call__(self, t):\n        return t\n");
    at(&e, 2, 5, "a time function has __call__(self)");
}

#[test]
fn unsupported_constructs_are_named() {
    let body = |s: &str| {
        format!("class Bad(LearningFn):\n    def __call__(self, x, y, w, rate):\n        {s}\n")
    };
    at(
        &err(&body("for i in range(3): w += x")),
        3,
        9,
        "a for loop is not supported in Bad.__call__",
    );
    at(
        &err(&body("w += x[0]")),
        3,
        14,
        "indexing or slicing is not supported",
    );
    at(
        &err(&body("w += x % 2")),
        3,
        14,
        "operator % is not supported",
    );
    at(
        &err(&body("w += numpy.dot(x, x)")),
        3,
        14,
        "function 'numpy.dot' is not supported",
    );
    at(
        &err(&body("w += x.sum(axis=0)")),
        3,
        14,
        "keyword arguments",
    );
    at(
        &err(&body("if x > 0: w += 1.0")),
        3,
        12,
        "the truth value of an array is ambiguous",
    );
    at(&err(&body("w = x")), 3, 9, "only rebinds the name");
    at(&err(&body("w += z")), 3, 14, "name 'z' is not defined");
    let e = err("class Bad(LearningFn):\n    def helper(self):\n        pass\n");
    at(&e, 2, 5, "method 'helper' is not supported");
    let e = err("from topo.base.functionfamily import TransferFn\nclass Bad(TransferFn):\n    def __call__(self, x):\n        x *= 2\n");
    at(&e, 2, 11, "user TransferFns are not supported yet");
}

#[test]
fn a_time_function_must_return_on_every_path() {
    let e = err("class T(param.Parameterized):\n    time_fn = topo.sim.time\n    def __call__(self):\n        if self.time_fn() < 1:\n            return 1.0\n");
    at(&e, 3, 5, "must return a number on every path");
}

#[test]
fn spec_round_trips_through_json() {
    let spec = load_src(&format!("{HEAD}{RULE}")).unwrap();
    let json = serde_json::to_string(&spec).unwrap();
    let back: topo_spec::ModelSpec = serde_json::from_str(&json).unwrap();
    assert_eq!(back, spec);
}

#[test]
fn script_repr_writes_the_class_back() {
    let text = format!(
        "{HEAD}from topo import sheet, projection, learningfn, pattern\n{RULE}\
topo.sim['R'] = sheet.GeneratorSheet(nominal_density=4, input_generator=pattern.Gaussian())\n\
topo.sim['V1'] = sheet.CFSheet(nominal_density=4)\n\
topo.sim.connect('R', 'V1', name='A', connection_type=projection.CFProjection,\n\
    learning_fn=learningfn.projfn.CFPLF_Plugin(single_cf_fn=Rule(gain=0.25)))\n"
    );
    let spec = load_src(&text).unwrap();
    let repr = topo_lang::script_repr(&spec);
    let mut back = topo_lang::load_model_source("repr.ty", &repr, &[])
        .unwrap_or_else(|e| panic!("{e}\n{repr}"));
    back.source = spec.source.clone();
    for c in back.user_classes.values_mut() {
        c.location = spec.user_classes[&c.name].location.clone();
    }
    assert_eq!(back, spec);
}

/// models/sullivan_neurocomputing04.ty's and lissom_whisker_barrels.ty's
/// construct: a CoordinateMapperFn subclass used as a coord_mapper.
const MAPPER: &str = "\
from math import fmod
from topo import coordmapper, projection, sheet
class Grid(coordmapper.CoordinateMapperFn):
    width = param.Number(0.2)
    def __call__(self, x, y):
        return x - fmod(x, self.width), round(y)
";

#[test]
fn a_coordinate_mapper_compiles_to_a_pair() {
    let text = format!(
        "{HEAD}{MAPPER}topo.sim['R'] = sheet.GeneratorSheet()\ntopo.sim['V'] = sheet.CFSheet()\ntopo.sim.connect('R', 'V', connection_type=projection.CFProjection, coord_mapper=Grid(width=0.5))\n"
    );
    let spec = load_src(&text).unwrap();
    let c = &spec.user_classes["__main__.Grid"];
    assert_eq!(c.family, Family::CoordinateMapperFn);
    let [KStmt::ReturnPair(x, y)] = c.call.body.as_slice() else {
        panic!("{:?}", c.call.body)
    };
    assert!(matches!(x, KExpr::Binary(BinOp::Sub, ..)), "{x:?}");
    assert!(
        matches!(y, KExpr::Call(topo_spec::userclass::Func::Round, _)),
        "{y:?}"
    );
    let m = spec.connections[0].component.get("coord_mapper").unwrap();
    let m = m.as_object().unwrap();
    assert_eq!(
        (m.class.as_str(), m.f64("width")),
        ("__main__.Grid", Some(0.5))
    );
    // without a mapper, CFProjection's default is the identity
    let plain = load_src(&format!(
        "{HEAD}from topo import projection, sheet\ntopo.sim['R'] = sheet.GeneratorSheet()\ntopo.sim['V'] = sheet.CFSheet()\ntopo.sim.connect('R', 'V', connection_type=projection.CFProjection)\n"
    ))
    .unwrap();
    let m = plain.connections[0].component.get("coord_mapper").unwrap();
    assert_eq!(m.as_object().unwrap().short_class(), "IdentityMF");
}

#[test]
fn a_coordinate_mapper_must_return_a_pair_of_numbers() {
    let head = "from topo import coordmapper\nclass M(coordmapper.CoordinateMapperFn):\n    def __call__(self, x, y):\n";
    at(
        &err(&format!("{head}        return x\n")),
        4,
        9,
        "must return a pair x, y",
    );
    at(
        &err(&format!("{head}        return x, y, x\n")),
        4,
        9,
        "returns 3 values",
    );
    at(
        &err(&format!(
            "{head}        if x > 0:\n            return x, y\n"
        )),
        3,
        5,
        "on every path",
    );
    let e = err("from topo import coordmapper\nclass M(coordmapper.CoordinateMapperFn):\n    def __call__(self, x):\n        return x, x\n");
    at(&e, 3, 5, "a CoordinateMapperFn has __call__(self, x, y)");
}

/// A stateful PatternGenerator: state machine, then the returned line.
const BAR: &str = "\
from math import sin, radians
from topo import pattern
from topo.misc import patternfn
class Bar(pattern.PatternGenerator):
    width = param.Number(default=0.1)
    turn = param.Number(default=0.0)
    fresh = 1
    def function(self, params):
        if self.fresh == 1 and params['turn'] > 10:
            self.dx = 0.1 / sin(radians(params['turn']))
            self.fresh = 0
        else:
            self.x += self.dx
        return patternfn.line(self.pattern_y, params['width'], 0.05)
";

#[test]
fn a_pattern_generator_keeps_its_state_statements() {
    let src = format!("{HEAD}{BAR}b = Bar(turn=topo.numbergen.UniformRandom(seed=1))\n");
    let spec = load_src(&src).unwrap();
    let c = &spec.user_classes["__main__.Bar"];
    assert_eq!(c.family, Family::PatternGenerator);
    assert_eq!(c.consts.get("fresh"), Some(&1.0));
    let [KStmt::If { body, orelse, .. }, KStmt::Return(ret)] = c.call.body.as_slice() else {
        panic!("{:?}", c.call.body)
    };
    assert!(matches!(&body[1], KStmt::SetState { name, op: None, .. } if name == "fresh"));
    assert!(
        matches!(&orelse[0], KStmt::SetState { name, op: Some(BinOp::Add), value: KExpr::Param(p) } if name == "x" && p == "self.dx")
    );
    // patternfn.line(self.pattern_y, params['width'], 0.05)
    let KExpr::Call(_, args) = ret else {
        panic!("{ret:?}")
    };
    assert_eq!(args[0], KExpr::Arg(2));
    assert_eq!(args[1], KExpr::Param("width".into()));
}

#[test]
fn pattern_generator_refusals_are_located() {
    let head = "from topo import pattern\nclass P(pattern.PatternGenerator):\n    def function(self, params):\n";
    // an array in a local: the state machine is scalar
    let e = err(&format!(
        "{head}        a = self.pattern_x * 2\n        return a\n"
    ));
    at(&e, 4, 9, "may only be used in the returned expression");
    // loops are not part of the subset
    let e = err(&format!(
        "{head}        for i in [1]:\n            pass\n        return self.pattern_x\n"
    ));
    at(&e, 4, 9, "a for loop is not supported");
    // params used other than params['name']
    let e = err(&format!("{head}        return params\n"));
    at(&e, 4, 16, "can only be read as params['parameter']");
    // a parameter the class does not have
    let e = err(&format!(
        "{head}        return params['nope'] * self.pattern_y\n"
    ));
    at(&e, 4, 16, "has no parameter 'nope'");
    // replacing __call__
    let e = err("from topo import pattern\nclass P(pattern.PatternGenerator):\n    def __call__(self):\n        return 1\n");
    at(&e, 3, 5, "replaces __call__");
}
