//! Typed reads of a component's resolved parameters, with errors naming
//! the owner (the model spec carries every parameter, so a missing one is
//! an error of the spec, never a reason to guess a default).

use crate::error::SimError;
use topo_spec::{Component, Time, Value};

/// Reads parameters of one component, naming `owner` in errors.
pub struct Params<'a> {
    /// The component.
    pub comp: &'a Component,
    /// Name used in error messages.
    pub owner: &'a str,
}

impl<'a> Params<'a> {
    /// Reader for `comp`, errors mention `owner`.
    pub fn new(comp: &'a Component, owner: &'a str) -> Self {
        Params { comp, owner }
    }

    fn bad(&self, param: &str, expected: &str) -> SimError {
        SimError::BadParam {
            owner: self.owner.to_string(),
            param: param.to_string(),
            expected: expected.to_string(),
        }
    }

    /// The raw value, if present.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.comp.params.get(name)
    }

    /// A number (int or float).
    pub fn f64(&self, name: &str) -> Result<f64, SimError> {
        self.get(name)
            .and_then(Value::as_f64)
            .ok_or_else(|| self.bad(name, "a number"))
    }

    /// A number, or `default` when absent or None.
    pub fn f64_or(&self, name: &str, default: f64) -> Result<f64, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(default),
            Some(v) => v.as_f64().ok_or_else(|| self.bad(name, "a number")),
        }
    }

    /// An optional number (None when absent or Python None).
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.bad(name, "a number")),
        }
    }

    /// A non-negative integer (an integral float is accepted).
    pub fn usize_or(&self, name: &str, default: usize) -> Result<usize, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(default),
            Some(Value::Int(i)) if *i >= 0 => Ok(*i as usize),
            Some(Value::Float(f)) if *f >= 0.0 && f.fract() == 0.0 => Ok(*f as usize),
            Some(Value::Bool(b)) => Ok(*b as usize),
            _ => Err(self.bad(name, "a non-negative integer")),
        }
    }

    /// A boolean (Python truthiness of ints allowed), `default` if absent.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Int(i)) => Ok(*i != 0),
            _ => Err(self.bad(name, "a boolean")),
        }
    }

    /// An exact time (numbers convert as gmpy's mpq does).
    pub fn time_or(&self, name: &str, default: Time) -> Result<Time, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(default),
            Some(Value::Time(t)) => Ok(*t),
            Some(Value::Int(i)) => Ok(Time::from_int(*i)),
            Some(Value::Float(f)) => Ok(Time::from_f64(*f)),
            _ => Err(self.bad(name, "a time")),
        }
    }

    /// A list of components (`output_fns`, `weights_output_fns`).
    pub fn objects(&self, name: &str) -> Result<Vec<&'a Component>, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(Vec::new()),
            Some(Value::Object(c)) => Ok(vec![c]),
            Some(v) => v
                .as_seq()
                .ok_or_else(|| self.bad(name, "a list of objects"))?
                .iter()
                .map(|x| {
                    x.as_object()
                        .ok_or_else(|| self.bad(name, "a list of objects"))
                })
                .collect(),
        }
    }

    /// One component.
    pub fn object(&self, name: &str) -> Result<&'a Component, SimError> {
        self.get(name)
            .and_then(Value::as_object)
            .ok_or_else(|| self.bad(name, "an object"))
    }

    /// One component, or None when absent / Python None.
    pub fn opt_object(&self, name: &str) -> Result<Option<&'a Component>, SimError> {
        match self.get(name) {
            None | Some(Value::None) => Ok(None),
            Some(Value::Object(c)) => Ok(Some(c)),
            _ => Err(self.bad(name, "an object or None")),
        }
    }
}

/// The sheet-port part of a `dest_port`/`src_port`: a string, or the first
/// element of a tuple; plus the joint-normalisation group
/// (`('Activity', 'JointNormalize', GROUP)`).
pub fn port_parts(v: Option<&Value>) -> (String, Option<String>) {
    match v {
        None | Some(Value::None) => ("Activity".to_string(), None),
        Some(Value::Str(s)) => (s.clone(), None),
        Some(Value::List(items)) | Some(Value::Tuple(items)) => {
            let first = items
                .first()
                .and_then(Value::as_str)
                .unwrap_or("Activity")
                .to_string();
            let group = if items.len() > 2 && items[1].as_str() == Some("JointNormalize") {
                items[2].as_str().map(str::to_string)
            } else {
                None
            };
            (first, group)
        }
        Some(_) => ("Activity".to_string(), None),
    }
}

/// Whether the third element of a tuple port is the string `Afferent`
/// (the `strict_tsettle` test of SettlingCFSheet.send_output).
pub fn port_is_afferent(v: Option<&Value>) -> bool {
    match v {
        Some(Value::List(items)) | Some(Value::Tuple(items)) => {
            items.len() > 2 && items[2].as_str() == Some("Afferent")
        }
        _ => false,
    }
}
