//! Spec values back into run-time objects: a `-p` value evaluated once on
//! the command line (or given to `run_batch(...)`) reaches the model as the
//! value it is, not as text printed and read again.

use crate::interp::Interp;
use crate::obj::{Comp, CompRef, Obj};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use topo_spec::Value;

impl Interp {
    /// `v` as a run-time object. Components get ids of this interpreter
    /// (one per distinct spec id, so shared components stay shared).
    pub(crate) fn obj_of_value(&mut self, v: &Value) -> Obj {
        let mut memo = HashMap::new();
        self.obj_of_value_memo(v, &mut memo)
    }

    fn obj_of_value_memo(&mut self, v: &Value, memo: &mut HashMap<u64, CompRef>) -> Obj {
        match v {
            Value::None => Obj::None,
            Value::Bool(b) => Obj::Bool(*b),
            Value::Int(i) => Obj::Int(*i),
            Value::Float(f) => Obj::Float(*f),
            Value::Str(s) => Obj::Str(s.clone()),
            Value::List(items) => Obj::List(
                items
                    .iter()
                    .map(|x| self.obj_of_value_memo(x, memo))
                    .collect(),
            ),
            Value::Tuple(items) => Obj::Tuple(
                items
                    .iter()
                    .map(|x| self.obj_of_value_memo(x, memo))
                    .collect(),
            ),
            Value::Dict(items) => Obj::Dict(
                items
                    .iter()
                    .map(|(k, x)| (k.clone(), self.obj_of_value_memo(x, memo)))
                    .collect(),
            ),
            // The interpreter turns numbers into exact times where a
            // parameter is a time (`build.rs`).
            Value::Time(t) => Obj::Float(t.to_f64()),
            Value::BoundingBox(b) => Obj::BBox(*b),
            // `to_value` writes built-in functions by dotted name and a
            // `def` by its bare name.
            Value::Function(f) if f.contains('.') => Obj::Func(f.clone()),
            Value::Function(f) => Obj::UserFn(f.clone()),
            Value::Object(c) => {
                if let Some(r) = memo.get(&c.id) {
                    return Obj::Comp(r.clone());
                }
                let id = self.alloc_id();
                let r = Rc::new(RefCell::new(Comp {
                    class: c.class.clone(),
                    id,
                    params: BTreeMap::new(),
                }));
                memo.insert(c.id, r.clone());
                let params = c
                    .params
                    .iter()
                    .map(|(k, x)| (k.clone(), self.obj_of_value_memo(x, memo)))
                    .collect();
                r.borrow_mut().params = params;
                Obj::Comp(r)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Source;
    use crate::interp::Interp;
    use topo_spec::Value;

    #[test]
    fn plain_values_round_trip() {
        let mut it = Interp::new(Source::new("<test>", ""));
        let v = Value::List(vec![
            Value::Float(1e-7),
            Value::Tuple(vec![Value::Str("a'b".into()), Value::None]),
            Value::Dict(vec![("k".into(), Value::Bool(true))]),
            Value::BoundingBox([-0.5, -0.5, 0.5, 0.5]),
            Value::Function("numpy.add".into()),
        ]);
        let o = it.obj_of_value(&v);
        assert_eq!(it.to_value(&o, 0).unwrap(), v);
    }
}
