//! HCL build files: syntax, blocks that do not fit, expressions that cannot be evaluated,
//! matrices, `inherits`, variables and their validations.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest;

/// Not valid HCL; `parser_message` is the parser's words.
pub fn hcl_syntax(parser_message: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Syntax, format!("not valid HCL: {parser_message}"))
        .with_label(span, parser_message)
        .with_help("check the brackets and quotes around here; attributes are `name = value`, blocks are `name \"label\" { ... }`")
}

/// Brackets nested deeper than `max`, refused before the parser recurses into them.
pub fn hcl_too_deep(max: usize, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Limit, format!("brackets nest more than {max} deep"))
        .with_label(span, "too deep here")
        .with_help("kiln refuses deeply nested expressions; split them with variables or functions")
}

/// An attribute or block kiln does not know in `place` ("in a variable"), with a
/// suggestion from `known`.
pub fn unknown_hcl_key(name: &str, place: &str, span: Span, known: &[&str]) -> Diagnostic {
    unknown_here(name, place, span).with_help(suggest::help_for(name, known))
}

fn unknown_here(name: &str, place: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::UnknownKey, format!("unknown `{name}` {place}"))
        .with_label(span, "unknown here")
}

/// A target attribute in the model's spelling (`cache_from`), refused in HCL so a file
/// means the same to kiln and to bake; `bake` is bake's spelling (`cache-from`).
pub fn model_spelling_in_hcl(name: &str, bake: &str, span: Span) -> Diagnostic {
    unknown_here(name, "in a target", span)
        .with_help(format!("did you mean `{bake}`? (bake's spelling)"))
}

/// A `stage`, `target`, `group` or `function` block (`kind`) without exactly one label.
pub fn block_needs_one_label(kind: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidName,
        format!("a `{kind}` block takes one name, as in `{kind} \"name\" {{ ... }}`"),
    )
    .with_label(span, "needs exactly one label")
}

/// A nested block (`name`) written with a label, which it does not take.
pub fn block_takes_no_label(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidName,
        format!("a `{name}` block here takes no label"),
    )
    .with_label(span, "unexpected label")
}

/// A block (`kind`: a step block, `function`, `validation`) without an attribute it needs
/// (`attribute`: `run`, `result`, `condition`); `example` is the value shown in the help
/// (`...`, `<expression>`).
pub fn block_without_attribute(
    kind: &str,
    attribute: &str,
    example: &str,
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::MissingKey,
        format!("a `{kind}` block needs `{attribute}`"),
    )
    .with_label(span, "missing here")
    .with_help(format!("add `{attribute} = {example}`"))
}

/// A step block other than `run` (`kind`) with attributes beside its value (`attribute`).
pub fn block_takes_only(kind: &str, attribute: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownKey,
        format!("a `{kind}` block takes only `{attribute}`"),
    )
    .with_label(span, "unknown here")
}

/// More `function` blocks than `max`.
pub fn too_many_functions(max: usize, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Limit, format!("more than {max} functions"))
        .with_label(span, "one too many")
}

/// A `for` expression inside another one.
pub fn nested_for(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Limit, "a `for` expression inside another one")
        .with_label(span, "nested here")
        .with_help("kiln refuses nested `for` expressions (their product can be huge); use a variable or `flatten` over one level")
}

/// An expression whose value is over the size limits; `why` says which ("a list of ...").
pub fn value_too_big(why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Limit, format!("this expression makes {why}"))
        .with_label(span, "too big")
        .with_help("kiln keeps values small; build big lists or strings outside the file")
}

/// A build-time name (`TARGETPLATFORM`, ...) used inside an expression, where it has no
/// value yet.
pub fn build_time_variable(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Eval,
        format!("`{name}` is known only when the build runs"),
    )
    .with_label(span, "here")
    .with_help(format!(
        "use it alone, as `${{{name}}}`, so kiln expands it for each platform"
    ))
}

/// An expression using a variable that is not declared.
pub fn unknown_hcl_variable(name: &str, span: Span, near: Option<&str>) -> Diagnostic {
    let help = match near {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "declare it with `variable \"{name}\" {{ default = ... }}`; names from a stage's env can only be used alone, as `${{{name}}}`"
        ),
    };
    Diagnostic::error(
        Code::Eval,
        format!("unknown variable `{name}` in this expression"),
    )
    .with_label(span, "here")
    .with_help(help)
}

/// A call to a function kiln does not have.
pub fn unknown_function(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Eval, format!("unknown function `{name}`"))
        .with_label(span, "here")
        .with_help(
            "see docs/hcl.md for the functions kiln has, or declare it with a `function` block",
        )
}

/// Any other evaluation error (wrong argument types, a function's error), in its words.
pub fn cannot_evaluate(error: &dyn std::fmt::Display, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Eval,
        format!("cannot evaluate this expression: {error}"),
    )
    .with_label(span, "here")
}

/// An object key that evaluates to something other than text.
pub fn key_not_text(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Eval, "this key must be text").with_label(span, "not a string")
}

/// A list or object (`what`, as described) interpolated into a string.
pub fn not_interpolatable(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Eval, format!("{what} cannot be put in a string"))
        .with_label(span, "interpolated here")
        .with_help("interpolate a string, number or bool (use `join` or `jsonencode` for lists)")
}

/// Two targets (or matrix combinations) with one name.
pub fn duplicate_target(name: &str, second: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateName,
        format!("two targets are named `{name}`"),
    )
    .with_label(second, "second target with this name")
    .with_label(first, "first one here")
    .with_help("give each target (and each matrix combination) its own name")
}

/// A target with a `matrix` but no `name` for its combinations.
pub fn matrix_without_name(label: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingKey,
        format!("matrix target `{label}` has no `name`"),
    )
    .with_label(span, "each combination needs its own name")
    .with_help("add `name = \"<label>-${<matrix key>}\"`")
}

/// A target's `name` that evaluates to something other than text.
pub fn target_name_not_text(span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidName, "a target name must be text")
        .with_label(span, "not a string")
}

/// `inherits` that is not a list.
pub fn inherits_not_list(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        "`inherits` takes a list of target names",
    )
    .with_label(span, "not a list")
    .with_help("write `inherits = [\"base\"]`")
}

/// A `matrix` that is not an object.
pub fn matrix_not_object(span: Span) -> Diagnostic {
    Diagnostic::error(Code::TypeMismatch, "`matrix` takes an object of lists")
        .with_label(span, "not an object")
        .with_help("write `matrix = { tgt = [\"a\", \"b\"] }`")
}

/// A matrix key whose values are not a list.
pub fn matrix_key_not_list(key: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        format!("matrix key `{key}` must be a list"),
    )
    .with_label(span, "not a list")
}

/// A matrix with more than `max` combinations.
pub fn matrix_too_large(total: usize, max: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Limit,
        format!("this matrix makes {total} targets, more than {max}"),
    )
    .with_label(span, "too many combinations")
    .with_help("split it into several targets, or use fewer values")
}

/// `inherits` naming no target; `targets` are the names there are (for a suggestion).
pub fn unknown_parent_target(
    target: &str,
    parent: &str,
    span: Span,
    targets: &[&str],
) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownTarget,
        format!("`{target}` inherits from `{parent}`, which is not a target"),
    )
    .with_label(span, "unknown target")
    .with_help(suggest::help_for(parent, targets))
}

/// Targets inheriting from each other in a cycle: `target` inherits (at `span`) from
/// `parent`, defined at `parent_span`, which is already on the way.
pub fn inherits_cycle(target: &str, parent: &str, span: Span, parent_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InheritsCycle,
        format!("targets inherit from each other in a cycle: {target} → {parent}"),
    )
    .with_label(span, "inherits here")
    .with_label(parent_span, format!("`{parent}` is defined here"))
    .with_help("remove one of the `inherits` in the cycle")
}

/// A value given for a variable (`--var`, build arg, environment) that does not fit its
/// type; `why` says how.
pub fn invalid_variable_value(name: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("the value given for `{name}` is not valid: {why}"),
    )
    .with_label(span, "this variable")
    .with_help("give a value of the variable's type (lists as `a,b,c` or JSON, maps as `k:v,k2:v2` or JSON)")
}

/// `name` in a target without `matrix`: it names a matrix's combinations only.
pub fn name_without_matrix(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        "`name` requires a `matrix`: it names each combination of one",
    )
    .with_label(span, "no matrix in this target")
    .with_help("rename the block itself (`target \"NAME\" { ... }`), or add `matrix = { ... }`")
}

/// A `--set` whose target pattern matches no target of the file.
pub fn set_matches_no_target(pattern: &str) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownTarget,
        format!("--set: no target matches `{pattern}`"),
    )
    .with_help(
        "`--set TARGET.FIELD=VALUE` names a target of the file, or a pattern such as `web*` or `*`",
    )
}

/// `-f a -f b` with a file that is not HCL: only HCL files merge.
pub fn several_files_not_hcl(name: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        format!("`{name}` is not an HCL file: only HCL build files are read several at once"),
    )
    .with_help("give one YAML file, or write the files in HCL (`*.hcl`) to combine them")
}

/// A variable's `default` that is not of its declared `type`.
pub fn default_wrong_type(name: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("the default of `{name}` is not of its type: {why}"),
    )
    .with_label(span, "this default")
    .with_help("give a default of the declared `type`, or change the type")
}

/// A variable's `type` that is not a type.
pub fn not_a_type(span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, "not a type")
        .with_label(span, "unknown type")
        .with_help("write string, number, bool, any, list(...), set(...), map(...), object(...) or tuple(...)")
}

/// Variable defaults that use each other in a cycle.
pub fn default_depends_on_itself(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Eval,
        format!("the default of `{name}` depends on itself"),
    )
    .with_label(span, "part of a cycle of variables")
    .with_help("give one of the variables a value that does not use the others")
}

/// A variable's validation whose condition is false; `message` is its `error_message`.
pub fn validation_failed(message: impl Into<String>, variable: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Validation, message)
        .with_label(span, "this condition is false")
        .with_help(format!(
            "change the value of `{variable}`: `kiln --var {variable}=...`, or `--build-arg {variable}=...` when building"
        ))
}

/// A validation condition that is not a bool (`what` is its value, described).
pub fn condition_not_bool(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Eval,
        format!("a condition must be true or false, not {what}"),
    )
    .with_label(span, "not a bool")
}
