//! Topographica's own command line: `-a`, `-c CMD`, `-p NAME=VAL`, files,
//! processed left to right.

pub use crate::shell::Item;

/// Whether argv (without the program name) is Topographica's form rather
/// than a subcommand.
pub fn is_legacy(args: &[String]) -> bool {
    match args.first() {
        None => false,
        Some(a) => {
            matches!(
                a.as_str(),
                "-a" | "--auto-import-commands"
                    | "-c"
                    | "--command"
                    | "-p"
                    | "--set-parameter"
                    | "-o"
                    | "--output-path"
            ) || a.starts_with("--output-path=")
                || a.ends_with(".ty")
        }
    }
}

/// Parse Topographica's form.
pub fn parse(args: &[String]) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let mut value = |flag: &str| -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("option {flag} needs a value"))
        };
        match a.as_str() {
            "-a" | "--auto-import-commands" => items.push(Item::AutoImport),
            "-c" | "--command" => items.push(Item::Command(value("-c")?)),
            "-p" | "--set-parameter" => items.push(Item::Param(value("-p")?)),
            "-o" | "--output-path" => items.push(Item::OutputPath(value("-o")?)),
            s if s.starts_with("--output-path=") => {
                items.push(Item::OutputPath(s["--output-path=".len()..].to_string()))
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!(
                    "unsupported option '{s}' (topo-hpc accepts -a, -c CMD, -p NAME=VALUE, -o PATH and files)"
                ))
            }
            _ => items.push(Item::File(a.clone())),
        }
        i += 1;
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn keeps_order_of_commands_and_params() {
        let a = s(&[
            "-a",
            "-c",
            "save_script_repr()",
            "-p",
            "cortex_density=3",
            "-c",
            "run_batch('t.ty')",
        ]);
        assert!(is_legacy(&a));
        let items = parse(&a).unwrap();
        assert_eq!(
            items,
            vec![
                Item::AutoImport,
                Item::Command("save_script_repr()".into()),
                Item::Param("cortex_density=3".into()),
                Item::Command("run_batch('t.ty')".into()),
            ]
        );
    }

    #[test]
    fn rejects_unknown_options_and_missing_values() {
        assert!(parse(&s(&["-x"])).unwrap_err().contains("-x"));
        assert!(parse(&s(&["-c"])).unwrap_err().contains("needs a value"));
        assert!(!is_legacy(&s(&["run", "x.ty"])));
    }

    #[test]
    fn long_options_first_are_topographica_form() {
        for first in [
            "--command",
            "--set-parameter",
            "--auto-import-commands",
            "--output-path=out",
        ] {
            let a = s(&[first, "run_batch('t.ty')"]);
            assert!(is_legacy(&a), "{first}");
        }
        assert_eq!(
            parse(&s(&["--output-path=out", "--command", "x"])).unwrap(),
            vec![Item::OutputPath("out".into()), Item::Command("x".into())]
        );
    }
}
