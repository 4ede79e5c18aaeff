//! Source ports of `topo.sim.connect`: Topographica's
//! `EventProcessor._src_connect` (topo/base/simulation.py) accepts a
//! `src_port` only if the source sheet offers it. Every sheet offers
//! `Activity`; a `ChannelGeneratorSheet` (topo/base/generatorsheet.py,
//! `set_input_generator`) also `Activity0`..`Activity<N-1>` when its
//! input pattern has N > 1 channels (imagen's `num_channels()`).

use crate::interp::{Interp, R};
use crate::obj::Obj;

/// imagen's `num_channels()` of a pattern as the model file built it:
/// a `FileImage`'s channel count (0 for a single-band image, the file
/// was read when the pattern was made), a `Selector`'s first
/// generator's, a `ComposeChannels`' generator count, 1 otherwise.
fn num_channels(pattern: &Obj) -> usize {
    let Obj::Comp(c) = pattern else { return 1 };
    let c = c.borrow();
    match c.class.as_str() {
        "imagen.image.FileImage" => match c.params.get("filename") {
            Some(Obj::Str(path)) => topo_pattern::image::load(std::path::Path::new(path))
                .map(|img| img.channels.len())
                .unwrap_or(0),
            _ => 0,
        },
        "imagen.Selector" => match c.params.get("generators") {
            Some(Obj::List(g)) => g.first().map_or(0, num_channels),
            _ => 0,
        },
        "imagen.ComposeChannels" => match c.params.get("generators") {
            Some(Obj::List(g)) => g.len(),
            _ => 0,
        },
        _ => 1,
    }
}

impl Interp {
    /// The ports sheet `src` sends on, or an error for a `src_port` it
    /// does not offer (located at the `connect` call).
    pub(crate) fn check_src_port(&self, src: &str, port: Option<&Obj>, off: usize) -> R<()> {
        let port = match port {
            None | Some(Obj::None) => return Ok(()),
            Some(Obj::Str(p)) => p.clone(),
            Some(Obj::Tuple(items)) | Some(Obj::List(items)) => match items.first() {
                Some(Obj::Str(p)) => p.clone(),
                _ => return Ok(()),
            },
            Some(_) => return Ok(()),
        };
        if port == "Activity" {
            return Ok(());
        }
        let Some((_, sheet)) = self.sheets.iter().find(|(s, _)| s == src) else {
            return Ok(());
        };
        let sheet = sheet.borrow();
        let channel_sheet = sheet.class == "topo.sheet.ChannelGeneratorSheet";
        if !channel_sheet && sheet.class != "topo.sheet.GeneratorSheet" {
            return Ok(());
        }
        let n = if channel_sheet {
            sheet.params.get("input_generator").map_or(1, num_channels)
        } else {
            1
        };
        let ports: Vec<String> = std::iter::once("Activity".to_string())
            .chain((0..if n > 1 { n } else { 0 }).map(|i| format!("Activity{i}")))
            .collect();
        if ports.contains(&port) {
            return Ok(());
        }
        let why = if channel_sheet {
            format!(
                "a ChannelGeneratorSheet offers Activity0..Activity<N-1> only for an input pattern with N > 1 channels (a colour image), and {src}'s has {n}"
            )
        } else {
            "a GeneratorSheet sends only on 'Activity'".to_string()
        };
        Err(self.err(
            off,
            format!(
                "sheet '{src}' has no output port '{port}' (its ports: {}): {why}; Topographica's \
                 topo.sim.connect refuses it (ValueError in EventProcessor._src_connect, \
                 topo/base/simulation.py)",
                ports.join(", ")
            ),
        ))
    }
}
