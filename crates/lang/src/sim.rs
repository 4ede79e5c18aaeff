//! `topo.sim`: sheets, connections and scheduled commands.

use crate::calls::Kwargs;
use crate::interp::{Conn, Interp, R};
use crate::obj::Obj;
use crate::registry::registry;
use topo_spec::{ScheduledCommand, Time};

impl Interp {
    /// `topo.sim['NAME'] = sheet`.
    pub(crate) fn add_sheet(&mut self, name: String, v: Obj, off: usize) -> R<()> {
        let Obj::Comp(c) = v else {
            return Err(self.err(
                off,
                format!("topo.sim['{name}'] needs a sheet, not {}", v.type_name()),
            ));
        };
        let class = c.borrow().class.clone();
        if !registry().is_subclass(&class, "topo.base.sheet.Sheet") {
            return Err(self.err(
                off,
                format!("topo.sim['{name}'] needs a sheet, not a {class}"),
            ));
        }
        if self.sheets.iter().any(|(n, _)| *n == name) {
            return Err(self.err(off, format!("a sheet named '{name}' already exists")));
        }
        if self.sheets.iter().any(|(_, s)| std::rc::Rc::ptr_eq(s, &c)) {
            return Err(self.err(
                off,
                "this sheet object was already added under another name",
            ));
        }
        c.borrow_mut()
            .params
            .insert("name".into(), Obj::Str(name.clone()));
        self.sheets.push((name, c));
        Ok(())
    }

    /// `topo.sim.connect(src, dest, connection_type=..., name=..., ...)`.
    pub(crate) fn connect(&mut self, args: Vec<Obj>, kwargs: Kwargs, off: usize) -> R<Obj> {
        let mut pos = args.into_iter();
        let mut kw = Vec::new();
        let mut src = pos.next();
        let mut dest = pos.next();
        if pos.next().is_some() {
            return Err(self.err(
                off,
                "connect(src, dest, **params) takes two positional arguments",
            ));
        }
        let mut ctype: Option<String> = None;
        for (k, v) in kwargs {
            match k.as_str() {
                "src" => src = Some(v),
                "dest" => dest = Some(v),
                "connection_type" => match v {
                    Obj::Class(c) if registry().is_subclass(&c, "topo.base.projection.Projection") => ctype = Some(c),
                    other => return Err(self.err(off, format!("connection_type must be a projection class such as projection.CFProjection, not {}", other.type_name()))),
                },
                _ => kw.push((k, v)),
            }
        }
        let sheet_name = |o: Option<Obj>, what: &str, s: &Self| -> R<String> {
            match o {
                Some(Obj::Str(n)) => Ok(n),
                Some(Obj::Comp(c)) => match c.borrow().params.get("name") {
                    Some(Obj::Str(n)) => Ok(n.clone()),
                    _ => Err(s.err(off, format!("{what} sheet has no name"))),
                },
                Some(other) => Err(s.err(
                    off,
                    format!("{what} must be a sheet name, not {}", other.type_name()),
                )),
                None => Err(s.err(off, format!("connect needs a {what} sheet"))),
            }
        };
        let src = sheet_name(src, "source", self)?;
        let dest = sheet_name(dest, "destination", self)?;
        for n in [&src, &dest] {
            if !self.sheets.iter().any(|(s, _)| s == n) {
                return Err(self.err(
                    off,
                    format!("no sheet named '{n}' (sheets: {})", self.sheet_names()),
                ));
            }
        }
        let dest_is_projection_sheet = self
            .sheets
            .iter()
            .find(|(s, _)| *s == dest)
            .map(|(_, c)| {
                registry().is_subclass(&c.borrow().class, "topo.base.projection.ProjectionSheet")
            })
            .unwrap_or(false);
        if !dest_is_projection_sheet {
            return Err(self.err(
                off,
                format!("sheet '{dest}' cannot receive connections (it is not a ProjectionSheet)"),
            ));
        }
        let Some(ctype) = ctype else {
            return Err(self.err(off, "connect needs connection_type=... (e.g. projection.CFProjection): Topographica's default, a plain EPConnection, cannot feed a sheet"));
        };
        let src_port = kw
            .iter()
            .rev()
            .find(|(k, _)| k == "src_port")
            .map(|(_, v)| v);
        self.check_src_port(&src, src_port, off)?;
        if !kw.iter().any(|(k, _)| k == "name") {
            // Topographica names an unnamed connection 'srcTodest'
            kw.push(("name".into(), Obj::Str(format!("{src}To{dest}"))));
        }
        let proj = self.construct(&ctype, kw, off)?;
        let Obj::Comp(c) = &proj else {
            unreachable!("construct returns a component")
        };
        let name = match c.borrow().params.get("name") {
            Some(Obj::Str(n)) => n.clone(),
            _ => String::new(),
        };
        if self.conns.iter().any(|x| x.dest == dest && x.name == name) {
            return Err(self.err(
                off,
                format!("sheet '{dest}' already has a connection named '{name}'"),
            ));
        }
        self.conns.push(Conn {
            src,
            dest,
            name,
            comp: c.clone(),
        });
        Ok(proj)
    }

    /// `topo.sim.schedule_command(time, "text")`.
    pub(crate) fn schedule_command(
        &mut self,
        args: Vec<Obj>,
        kwargs: Kwargs,
        off: usize,
    ) -> R<Obj> {
        if !kwargs.is_empty() || args.len() != 2 {
            return Err(self.err(off, "schedule_command(time, 'command') takes two arguments"));
        }
        let t = args[0].num().ok_or_else(|| {
            self.err(
                off,
                format!(
                    "schedule_command time must be a number, not {}",
                    args[0].type_name()
                ),
            )
        })?;
        let Obj::Str(text) = &args[1] else {
            return Err(self.err(
                off,
                format!(
                    "schedule_command needs the command as a string, not {}",
                    args[1].type_name()
                ),
            ));
        };
        let time = self.time_value(t, off)?;
        self.schedule_text(time, text, off)?;
        Ok(Obj::None)
    }

    /// Parses command text and appends the scheduled commands.
    pub(crate) fn schedule_text(&mut self, time: Time, text: &str, off: usize) -> R<()> {
        let main = self.scopes.first().cloned().unwrap_or_default();
        let cmds = crate::command::parse_sim_commands(text, &main)
            .map_err(|m| self.err(off, format!("in scheduled command {text:?}: {m}")))?;
        for (part, command) in cmds {
            self.check_sim_command(&command)
                .map_err(|m| self.err(off, format!("in scheduled command {text:?}: {m}")))?;
            let command = match command {
                topo_spec::SimCommand::SetSheetParam { ref param, .. }
                    if param == crate::command::NOOP_SHEET_ATTRIBUTE =>
                {
                    topo_spec::SimCommand::Pass
                }
                c => c,
            };
            self.scheduled.push(ScheduledCommand {
                time,
                text: part,
                command,
            });
        }
        Ok(())
    }

    fn check_sim_command(&self, c: &topo_spec::SimCommand) -> Result<(), String> {
        use topo_spec::SimCommand as S;
        let sheet = match c {
            S::ChangeBounds { sheet, .. }
            | S::SetProjectionParam { sheet, .. }
            | S::SetLearningRatePerUnit { sheet, .. }
            | S::SetSheetParam { sheet, .. }
            | S::SetOutputFnParam { sheet, .. } => sheet,
            S::Pass => return Ok(()),
        };
        if !self.sheets.iter().any(|(n, _)| n == sheet) {
            return Err(format!("no sheet named '{sheet}'"));
        }
        match c {
            S::ChangeBounds { projection, .. }
            | S::SetProjectionParam { projection, .. }
            | S::SetLearningRatePerUnit { projection, .. }
                if !self
                    .conns
                    .iter()
                    .any(|x| x.dest == *sheet && x.name == *projection) =>
            {
                return Err(format!("sheet '{sheet}' has no projection '{projection}'"));
            }
            S::SetOutputFnParam { index, .. } => {
                let n = self
                    .sheets
                    .iter()
                    .find(|(n, _)| n == sheet)
                    .and_then(|(_, c)| match c.borrow().params.get("output_fns") {
                        Some(Obj::List(v)) => Some(v.len()),
                        _ => None,
                    });
                if n.map(|n| *index >= n).unwrap_or(true) {
                    return Err(format!("sheet '{sheet}' has no output_fns[{index}]"));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A number as an exact time (errors instead of panicking on values
    /// the rational type cannot hold).
    pub(crate) fn time_value(&self, t: f64, off: usize) -> R<Time> {
        if !(t.is_finite() && (t == 0.0 || (1e-9..=1e12).contains(&t.abs()))) {
            return Err(self.err(off, format!("time {t} is out of range")));
        }
        std::panic::catch_unwind(|| Time::from_f64(t))
            .map_err(|_| self.err(off, format!("time {t} cannot be represented exactly")))
    }
}
