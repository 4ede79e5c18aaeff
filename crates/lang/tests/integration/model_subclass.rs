//! Issue 12: subclasses of the class-based GCAL model whose methods change
//! components (examples/gcal_sparse.ty's form), the sparse projection
//! names on the dense path, and scheduled commands that see the model
//! file's namespace (models/obermayer_pnas90.ty's last line). Every input
//! here is our own text.

use crate::common;
use common::*;
use topo_spec::{ModelSpec, SimCommand, Value};

fn same(a: &topo_spec::Component, b: &topo_spec::Component) -> bool {
    anonymous(&Value::Object(Box::new(a.clone()))) == anonymous(&Value::Object(Box::new(b.clone())))
}

fn load_with(text: &str, p: &[(&str, &str)]) -> Result<ModelSpec, topo_lang::LangError> {
    let ov: Vec<(String, String)> = p
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    topo_lang::load_model_source("sub.ty", text, &ov)
}

/// Our own ModelGCAL subclass in the shape of examples/gcal_sparse.ty.
const SUBCLASS: &str = r#"
import param
from topo.sparse.sparsecf import SparseConnectionField, CFPLF_Hebbian_Sparse, \
    CFPOF_DivisiveNormalizeL1_Sparse, CFPRF_DotProduct_Sparse, compute_sparse_joint_norm_totals
from topo.misc.commandline import global_params as p
p.add(cortex_density=param.Number(default=10.0), use_cuda=param.Boolean(default=False))
if p.use_cuda:
    from topo.gpu.sheet import something
from topo.submodel.gcal import ModelGCAL
from topo.submodel import Model
proj_kind = Model.SparseCFProjection

@Model.definition
class Thinned(ModelGCAL):
    "a subclass"
    @Model.SettlingCFSheet
    def V1(self, properties):
        base = super(Thinned, self).V1(properties)
        return dict(base, nominal_density=p.cortex_density, joint_norm_fn=compute_sparse_joint_norm_totals)

    @proj_kind
    def V1_afferent(self, src_properties, dest_properties):
        base = super(Thinned, self).V1_afferent(src_properties, dest_properties)
        return dict(base[0], cf_type=SparseConnectionField, response_fn=CFPRF_DotProduct_Sparse,
                    learning_fn=CFPLF_Hebbian_Sparse, weights_output_fns=[CFPOF_DivisiveNormalizeL1_Sparse])

    @proj_kind
    def lateral_inhibitory(self, src_properties, dest_properties):
        base = super(Thinned, self).lateral_inhibitory(src_properties, dest_properties)
        return dict(base, strength=-2.5, learning_fn=CFPLF_Hebbian_Sparse)

topo.sim.model = Thinned()
"#;

const PLAIN: &str = "from topo.submodel.gcal import ModelGCAL\ntopo.sim.model = ModelGCAL()\n";

#[test]
fn a_subclass_changes_only_the_keys_it_returns() {
    let sub = load_with(SUBCLASS, &[("cortex_density", "6")]).unwrap();
    let plain = load_with(PLAIN, &[("cortex_density", "6")]).unwrap();
    // the sparse names become the dense components ModelGCAL uses, so the
    // afferent projections are the plain model's
    for name in ["LGNOnAfferent", "LGNOffAfferent", "LateralExcitatory"] {
        assert!(
            same(conn(&sub, "V1", name), conn(&plain, "V1", name)),
            "{name}"
        );
    }
    let inh = conn(&sub, "V1", "LateralInhibitory");
    assert_eq!(inh.get("strength").and_then(Value::as_f64), Some(-2.5));
    assert_eq!(
        conn(&plain, "V1", "LateralInhibitory")
            .get("strength")
            .and_then(Value::as_f64),
        Some(-1.4)
    );
    assert_eq!(
        obj(inh, "learning_fn").class,
        "topo.learningfn.CFPLF_Hebbian"
    );
    // V1's density is the file's own cortex_density (-p 6)
    let v1 = sheet(&sub, "V1");
    assert_eq!(v1.get("nominal_density").and_then(Value::as_f64), Some(6.0));
    assert!(same(v1, sheet(&plain, "V1")));
}

#[test]
fn subclass_keys_are_evaluated_when_the_model_is_instantiated() {
    // without -p the later ModelGCAL registration (default 47) replaces
    // the file's cortex_density default, as global_params.add does
    let sub = load_with(SUBCLASS, &[]).unwrap();
    assert_eq!(
        sheet(&sub, "V1")
            .get("nominal_density")
            .and_then(Value::as_f64),
        Some(47.0)
    );
}

fn error(text: &str) -> String {
    match load_with(text, &[]) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn what_a_subclass_cannot_do_is_a_located_error() {
    let gpu = load_with(SUBCLASS, &[("use_cuda", "True")])
        .unwrap_err()
        .to_string();
    assert!(gpu.contains("sub.ty:8:5") && gpu.contains("CUDA"), "{gpu}");

    let head = "from topo.submodel.gcal import ModelGCAL\nfrom topo.submodel import Model\n";
    let retyped = format!("{head}@Model.definition\nclass A(ModelGCAL):\n    @Model.SharedWeightCFProjection\n    def lateral_excitatory(self, s, d):\n        q = super(A, self).lateral_excitatory(s, d)\n        return dict(q, strength=1.0)\n");
    let e = error(&retyped);
    assert!(
        e.contains("sub.ty:5:6") && e.contains("changing a component's type"),
        "{e}"
    );

    let other = format!("{head}@Model.definition\nclass A(ModelGCAL):\n    @Model.CFProjection\n    def afferent(self, s, d):\n        return {{}}\n");
    let e = error(&other);
    assert!(
        e.contains("sub.ty:6:5") && e.contains("overriding 'afferent' is not supported"),
        "{e}"
    );

    let shape = format!("{head}@Model.definition\nclass A(ModelGCAL):\n    @Model.CFProjection\n    def lateral_excitatory(self, s, d):\n        return dict(strength=1.0)\n");
    let e = error(&shape);
    assert!(
        e.contains("sub.ty:7:9") && e.contains("super(A, self).lateral_excitatory"),
        "{e}"
    );

    let unlisted = format!("{head}@Model.definition\nclass A(ModelGCAL):\n    @Model.CFProjection\n    def lateral_excitatory(self, s, d):\n        q = super(A, self).lateral_excitatory(s, d)\n        return dict(q, cf_type=ModelGCAL)\ntopo.sim.model = A()\n");
    let e = error(&unlisted);
    assert!(e.contains("sub.ty:8:32") && e.contains("cf_type"), "{e}");

    let opt = "from topo.sparse.sparsecf import CFPLF_Hebbian_Sparse_opt\n";
    let e = error(opt);
    assert!(e.contains("sub.ty:1:34") && e.contains("below 1e-6"), "{e}");
    let prune = "from topo.sparse.sparsecf import CFSPOF_Prune\n";
    assert!(error(prune).contains("structural plasticity"));
}

/// A file in the shape of models/obermayer_pnas90.ty's ending: the
/// scheduled command uses a name the file imported.
const SCHEDULED: &str = r#"
import param
from topo import sheet, projection
from topo.transferfn import IdentityTF as Nothing
topo.sim['In'] = sheet.GeneratorSheet(nominal_density=4)
topo.sim['Out'] = sheet.CFSheet(nominal_density=4)
topo.sim.connect('In', 'Out', connection_type=projection.CFProjection, name='P')
topo.sim.schedule_command(0, 'topo.sim["Out"].weights_output_fn=Nothing()')
"#;

#[test]
fn scheduled_commands_see_the_model_files_names() {
    let s = load_with(SCHEDULED, &[]).unwrap();
    assert_eq!(s.scheduled.len(), 1);
    // weights_output_fn is read by nothing in Topographica: the command
    // runs and changes nothing
    assert_eq!(s.scheduled[0].command, SimCommand::Pass);
    // a name nobody defined is still an error, and so is a missing sheet
    let undefined = SCHEDULED.replace("=Nothing()", "=Missing()");
    let e = error(&undefined);
    assert!(
        e.contains("sub.ty:8:1") && e.contains("'Missing' is not defined"),
        "{e}"
    );
    let nosheet = SCHEDULED.replace("[\"Out\"]", "[\"V9\"]");
    assert!(error(&nosheet).contains("no sheet named 'V9'"));
    // another sheet attribute stays a parameter the engine must know
    let other = SCHEDULED.replace("weights_output_fn=Nothing()", "plastic=False");
    let s = load_with(&other, &[]).unwrap();
    assert!(matches!(
        s.scheduled[0].command,
        SimCommand::SetSheetParam { .. }
    ));
}
