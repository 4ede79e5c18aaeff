//! Prints the spec of a model file as JSON (a debugging aid).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(&args[1]);
    let ov: Vec<(String, String)> = args[2..]
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    match topo_lang::load_model(path, &ov) {
        Ok(spec) => {
            if std::env::var("REPR").is_ok() {
                println!("{}", topo_lang::script_repr(&spec));
            } else {
                println!("{}", serde_json::to_string_pretty(&spec).unwrap());
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
