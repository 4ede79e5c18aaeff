//! The projection parameters connection-field construction reads, taken
//! from a [`ConnectionSpec`]'s component (every parameter is resolved by
//! topo-lang, so absence is an error, except for a few parameters that only
//! some projection classes have).

use super::BuildError;
use crate::normalize::WeightsOutputFn;
use topo_pattern::coords::BoundingBox;
use topo_spec::{Component, ConnectionSpec, Value};

/// Which kind of projection the component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectionKind {
    /// `CFProjection`.
    Plain,
    /// `ResizableCFProjection` (supports `change_bounds`).
    Resizable,
    /// `SharedWeightCFProjection`: one kernel shared by every unit.
    SharedWeight,
}

/// Parameters of one projection relevant to its connection fields.
#[derive(Clone, Debug)]
pub struct CfParams {
    /// Projection class.
    pub kind: ProjectionKind,
    /// `nominal_bounds_template`.
    pub nominal_bounds_template: BoundingBox,
    /// `min_matrix_radius`.
    pub min_matrix_radius: i64,
    /// `cf_shape` (mask pattern).
    pub cf_shape: Component,
    /// `autosize_mask`.
    pub autosize_mask: bool,
    /// `mask_threshold`.
    pub mask_threshold: f64,
    /// `same_cf_shape_for_all_cfs`.
    pub same_cf_shape_for_all_cfs: bool,
    /// `weights_generator`.
    pub weights_generator: Component,
    /// `apply_output_fns_init`.
    pub apply_output_fns_init: bool,
    /// `weights_output_fns`.
    pub weights_output_fns: Vec<WeightsOutputFn>,
    /// `allow_null_cfs`.
    pub allow_null_cfs: bool,
    /// The CF label (`hash_format` filled in, plus the seed).
    pub label: String,
    /// `coord_mapper`, unless it is the identity (`IdentityMF`): a user
    /// `CoordinateMapperFn` instance that moves each unit's CF centre.
    pub coord_mapper: Option<Component>,
}

fn err(conn: &ConnectionSpec, msg: impl Into<String>) -> BuildError {
    BuildError::Param {
        connection: format!("{}.{}", conn.dest, conn.name),
        message: msg.into(),
    }
}

fn object(conn: &ConnectionSpec, name: &str) -> Result<Component, BuildError> {
    match conn.component.get(name) {
        Some(Value::Object(c)) => Ok((**c).clone()),
        Some(v) => Err(err(
            conn,
            format!("{name} must be a pattern object, got {v:?}"),
        )),
        None => Err(err(conn, format!("missing parameter {name}"))),
    }
}

fn boolean(conn: &ConnectionSpec, name: &str, default: bool) -> Result<bool, BuildError> {
    match conn.component.get(name) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Int(i)) => Ok(*i != 0),
        Some(v) => Err(err(conn, format!("{name} must be a boolean, got {v:?}"))),
    }
}

impl CfParams {
    /// Reads the parameters of `conn`.
    pub fn from_spec(conn: &ConnectionSpec) -> Result<CfParams, BuildError> {
        let c = &conn.component;
        let kind = match c.short_class() {
            "CFProjection" => ProjectionKind::Plain,
            "ResizableCFProjection" => ProjectionKind::Resizable,
            "SharedWeightCFProjection" => ProjectionKind::SharedWeight,
            other => {
                return Err(err(
                    conn,
                    format!("projection class {other} has no connection fields here"),
                ))
            }
        };
        let nominal_bounds_template = match c.get("nominal_bounds_template") {
            Some(Value::BoundingBox(lbrt)) => BoundingBox::from_lbrt(*lbrt),
            Some(v) => {
                return Err(err(
                    conn,
                    format!("nominal_bounds_template must be a BoundingBox, got {v:?}"),
                ))
            }
            None => BoundingBox::from_radius(0.1),
        };
        let min_matrix_radius = match c.get("min_matrix_radius") {
            None => 1,
            Some(Value::Int(i)) if *i >= 0 => *i,
            Some(v) => {
                return Err(err(
                    conn,
                    format!("min_matrix_radius must be a non-negative integer, got {v:?}"),
                ))
            }
        };
        let mask_threshold = match c.get("mask_threshold") {
            None => 0.5,
            Some(v) => v
                .as_f64()
                .ok_or_else(|| err(conn, format!("mask_threshold must be a number, got {v:?}")))?,
        };
        let weights_output_fns = WeightsOutputFn::list_from_value(c.get("weights_output_fns"))
            .map_err(|m| err(conn, m))?;
        let hash_format = match c.get("hash_format") {
            None => "{name}-{src}-{dest}".to_string(),
            Some(Value::Str(s)) => s.clone(),
            Some(v) => {
                return Err(err(
                    conn,
                    format!("hash_format must be a string, got {v:?}"),
                ))
            }
        };
        let seed = match c.get("seed") {
            None | Some(Value::None) => None,
            Some(Value::Int(i)) => Some(*i),
            Some(v) => return Err(err(conn, format!("seed must be an integer, got {v:?}"))),
        };
        let coord_mapper = match c.get("coord_mapper") {
            None => None,
            Some(Value::Object(m)) if m.short_class() == "IdentityMF" => None,
            Some(Value::Object(m)) if m.class.starts_with("__main__.") => Some((**m).clone()),
            Some(v) => {
                return Err(err(
                    conn,
                    format!(
                        "coord_mapper {v:?} is not supported (IdentityMF or a model file's \
                         CoordinateMapperFn subclass)"
                    ),
                ))
            }
        };
        if coord_mapper.is_some() && kind == ProjectionKind::SharedWeight {
            return Err(err(
                conn,
                "a coord_mapper on a SharedWeightCFProjection is not supported (its units \
                 share one CF at the source's centre)",
            ));
        }
        Ok(CfParams {
            coord_mapper,
            kind,
            nominal_bounds_template,
            min_matrix_radius,
            cf_shape: object(conn, "cf_shape")?,
            autosize_mask: boolean(conn, "autosize_mask", true)?,
            mask_threshold,
            same_cf_shape_for_all_cfs: boolean(conn, "same_cf_shape_for_all_cfs", true)?,
            weights_generator: object(conn, "weights_generator")?,
            apply_output_fns_init: boolean(conn, "apply_output_fns_init", true)?,
            weights_output_fns,
            allow_null_cfs: boolean(conn, "allow_null_cfs", false)?,
            label: super::name::cf_label(&hash_format, &conn.name, &conn.src, &conn.dest, seed),
        })
    }
}
