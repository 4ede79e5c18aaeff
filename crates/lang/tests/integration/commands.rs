//! `-c` / `-p` / file / `-a` command-line items, in order.

use topo_lang::{parse_commands, CommandLineItem as I};
use topo_spec::{Time, TopCommand, Value};

#[test]
fn command_line_items_in_order() {
    let items = vec![
        I::AutoImport,
        I::Param("cortex_density=8".into()),
        I::File("examples/tiny.ty".into()),
        I::Command("topo.sim.run(1); save_snapshot('x.typ')".into()),
        I::Command("run_batch('examples/gcal.ty', times=[1, 100], cortex_density=8, tag='t', analysis_fn=my_analysis, snapshot=False)".into()),
        I::Command("from topo.command import *\nload_snapshot('a.typ')\nsave_script_repr()\nretina_density=24.0".into()),
    ];
    let out = parse_commands(&items).unwrap();
    assert!(matches!(&out[0], TopCommand::Call(c) if c.name == "auto_import_commands"));
    assert_eq!(
        out[1],
        TopCommand::SetGlobalParam {
            name: "cortex_density".into(),
            value: Value::Int(8)
        }
    );
    assert_eq!(
        out[2],
        TopCommand::ExecFile {
            script: "examples/tiny.ty".into()
        }
    );
    assert_eq!(
        out[3],
        TopCommand::Run {
            duration: Time::from_int(1)
        }
    );
    match &out[4] {
        TopCommand::Call(c) => {
            assert_eq!(c.name, "save_snapshot");
            assert_eq!(c.args, vec![Value::Str("x.typ".into())]);
            assert_eq!(c.location, "<-c>:1:18");
        }
        other => panic!("{other:?}"),
    }
    match &out[5] {
        TopCommand::RunBatch {
            script,
            options,
            params,
        } => {
            assert_eq!(script, "examples/gcal.ty");
            assert_eq!(
                options,
                &vec![
                    (
                        "times".to_string(),
                        Value::List(vec![Value::Int(1), Value::Int(100)])
                    ),
                    ("tag".to_string(), Value::Str("t".into())),
                    (
                        "analysis_fn".to_string(),
                        Value::Function("my_analysis".into())
                    ),
                    ("snapshot".to_string(), Value::Bool(false)),
                ]
            );
            assert_eq!(params, &vec![("cortex_density".to_string(), Value::Int(8))]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&out[6], TopCommand::Call(c) if c.name == "load_snapshot"));
    assert!(
        matches!(&out[7], TopCommand::Call(c) if c.name == "save_script_repr" && c.args.is_empty())
    );
    assert_eq!(
        out[8],
        TopCommand::SetGlobalParam {
            name: "retina_density".into(),
            value: Value::Float(24.0)
        }
    );
    assert_eq!(out.len(), 9);
}

#[test]
fn fractional_run_is_exact() {
    let out = parse_commands(&[I::Command("topo.sim.run(0.05)".into())]).unwrap();
    assert_eq!(
        out,
        vec![TopCommand::Run {
            duration: Time::new(1, 20)
        }]
    );
}

#[test]
fn command_errors_are_located() {
    let e = parse_commands(&[I::Command("x = 1\nwhile True: pass".into())]).unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.col), ("<-c>", 2, 1), "{e}");
    let e = parse_commands(&[I::Command("open('f')".into())]).unwrap_err();
    assert!(e.message.contains("cannot access files"), "{e}");
    let e = parse_commands(&[I::Command("run_batch(times=[1])".into())]).unwrap_err();
    assert!(e.message.contains("model file name"), "{e}");
    let e = parse_commands(&[I::Param("8=cortex".into())]).unwrap_err();
    assert!(e.message.contains("not a valid parameter name"), "{e}");
    let e = parse_commands(&[I::Command("run_batch('a.ty',".into())]).unwrap_err();
    assert!(e.message.starts_with("syntax error"), "{e}");
}

#[test]
fn param_random_seed_in_c_text() {
    let out =
        parse_commands(&[I::Command("import param\nparam.random_seed = 3*2+1".into())]).unwrap();
    assert_eq!(out, vec![TopCommand::SetRandomSeed(7)]);
    let e = parse_commands(&[I::Command("x = 1\nparam.random_seed = 1.5".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("<-c>:2:1") && e.contains("integer"), "{e}");
    let e = parse_commands(&[I::Command("topo.sim.x = 1".into())])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("<-c>:1:1") && e.contains("param.random_seed=N"),
        "{e}"
    );
}

#[test]
fn a_model_file_starts_from_the_command_line_seed_and_may_replace_it() {
    let dir = std::env::temp_dir().join(format!("topo-lang-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tiny = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tiny.ty"),
    )
    .unwrap();
    let plain = dir.join("plain.ty");
    std::fs::write(&plain, &tiny).unwrap();
    let own = dir.join("own.ty");
    // The assignment must come before the first connect: put it first.
    std::fs::write(&own, format!("import param\nparam.random_seed = 5\n{tiny}")).unwrap();
    let seeded = |p: &std::path::Path, seed| {
        topo_lang::load_model_seeded(p, &[], seed)
            .unwrap()
            .param_random_seed
            .0
    };
    assert_eq!(seeded(&plain, 7), 7);
    assert_eq!(seeded(&plain, 42), 42);
    assert_eq!(seeded(&own, 7), 5);
    assert_eq!(
        topo_lang::load_model(&plain, &[])
            .unwrap()
            .param_random_seed
            .0,
        42
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
