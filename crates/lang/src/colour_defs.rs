//! Colour helpers of a model file used as numbergen operators:
//! `def h_to_r(h): from colorsys import hsv_to_rgb; return
//! hsv_to_rgb(h, 1.0, 1.0)[0]` (models/lissom.ty's `h_to_r`, `h_to_g`,
//! `h_to_b`, passed to `numbergen.UnaryOperator` for the colour retinas
//! of dims `cr`/`rg`). Such a function is recognised by its shape and
//! becomes the operator named by `topo_numbergen::colour`; any other
//! function with parameters stays unusable.

use rustpython_parser::ast;

/// The channel, saturation and value of `f` when its body is (after
/// imports of colorsys) `return hsv_to_rgb(<arg>, S, V)[channel]` or
/// `return colorsys.hsv_to_rgb(<arg>, S, V)[channel]`, with one
/// parameter and numeric constants S, V and channel 0..2.
pub(crate) fn hsv_channel(f: &ast::StmtFunctionDef) -> Option<(usize, f64, f64)> {
    let a = &f.args;
    if a.args.len() != 1
        || a.args[0].default.is_some()
        || !a.posonlyargs.is_empty()
        || !a.kwonlyargs.is_empty()
        || a.vararg.is_some()
        || a.kwarg.is_some()
        || !f.decorator_list.is_empty()
    {
        return None;
    }
    let param = a.args[0].def.arg.as_str();
    let mut ret = None;
    for s in &f.body {
        match s {
            ast::Stmt::ImportFrom(i)
                if i.module.as_ref().map(|m| m.as_str()) == Some("colorsys")
                    && i.names
                        .iter()
                        .all(|n| n.name.as_str() == "hsv_to_rgb" && n.asname.is_none()) => {}
            ast::Stmt::Import(i)
                if i.names
                    .iter()
                    .all(|n| n.name.as_str() == "colorsys" && n.asname.is_none()) => {}
            ast::Stmt::Return(r) if ret.is_none() => ret = r.value.as_deref(),
            _ => return None,
        }
    }
    let ast::Expr::Subscript(sub) = ret? else {
        return None;
    };
    let channel = usize::try_from(int(&sub.slice)?).ok().filter(|c| *c < 3)?;
    let ast::Expr::Call(call) = sub.value.as_ref() else {
        return None;
    };
    let named = match call.func.as_ref() {
        ast::Expr::Name(n) => n.id.as_str() == "hsv_to_rgb",
        ast::Expr::Attribute(at) => {
            at.attr.as_str() == "hsv_to_rgb"
                && matches!(at.value.as_ref(), ast::Expr::Name(n) if n.id.as_str() == "colorsys")
        }
        _ => false,
    };
    if !named || call.args.len() != 3 || !call.keywords.is_empty() {
        return None;
    }
    match &call.args[0] {
        ast::Expr::Name(n) if n.id.as_str() == param => {}
        _ => return None,
    }
    Some((channel, number(&call.args[1])?, number(&call.args[2])?))
}

fn int(e: &ast::Expr) -> Option<i64> {
    match e {
        ast::Expr::Constant(c) => match &c.value {
            ast::Constant::Int(i) => i.to_string().parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn number(e: &ast::Expr) -> Option<f64> {
    match e {
        ast::Expr::Constant(c) => match &c.value {
            ast::Constant::Float(f) => Some(*f),
            ast::Constant::Int(i) => i.to_string().parse().ok(),
            _ => None,
        },
        _ => None,
    }
}
