//! Prints the spec of a model file as JSON, or its script_repr with
//! `REPR=1` (a debugging aid): `dump FILE.ty [name=value ...]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(file) = args.get(1) else {
        eprintln!("usage: dump FILE.ty [name=value ...]");
        std::process::exit(2);
    };
    let ov: Vec<(String, String)> = args[2..]
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    match topo_lang::load_model(std::path::Path::new(file), &ov) {
        Ok(spec) => {
            if std::env::var("REPR").is_ok() {
                println!("{}", topo_lang::script_repr(&spec));
            } else {
                match serde_json::to_string_pretty(&spec) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("{e}"),
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
