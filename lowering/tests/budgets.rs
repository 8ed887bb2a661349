//! Lowering keeps to the value budget for values only known at build time: build args that
//! make args multiply are an error at the arg that passes the budget, reported once, and
//! nothing of that size is built.

mod common;

use kiln_dsl::Code;
use kiln_lowering::{LowerOptions, lower};

#[test]
fn a_build_arg_that_makes_args_multiply_is_one_located_limit_error() {
    let mut text = String::from("version: 1\nargs:\n  A0:\n");
    for i in 1..40 {
        text.push_str(&format!("  A{i}: \"${{A{}}}${{A{}}}\"\n", i - 1, i - 1));
    }
    text.push_str("stages:\n  app:\n    from: scratch\n    workdir: /${A39}\n");
    let (model, file) = common::load_text("t.kiln.yaml", &text);
    let options = LowerOptions {
        // 16 bytes doubled 39 times would be 8 TiB.
        build_args: [("A0".into(), "x".repeat(16))].into(),
        ..Default::default()
    };
    let errors = lower(&model, &file, &options).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, Code::Limit);
    // A13 is the first over 64 KiB: 16 * 2^13 = 128 KiB.
    let a13 = text.find("  A13: ").unwrap() + "  A13: ".len();
    assert_eq!(errors[0].position(), a13);
    assert!(
        errors[0].message.contains("64 KiB"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_value_just_within_the_budget_lowers() {
    let text = "version: 1\nargs:\n  A:\nstages:\n  app:\n    from: scratch\n    workdir: /${A}\n";
    let (model, file) = common::load_text("t.kiln.yaml", text);
    let budget = kiln_dsl::budget::MAX_VALUE_BYTES;
    let options = LowerOptions {
        build_args: [("A".into(), "x".repeat(budget - 1))].into(),
        ..Default::default()
    };
    assert!(lower(&model, &file, &options).is_ok());
    let options = LowerOptions {
        build_args: [("A".into(), "x".repeat(budget))].into(),
        ..Default::default()
    };
    let errors = lower(&model, &file, &options).unwrap_err();
    assert_eq!(errors[0].code, Code::Limit, "{errors:#?}");
}

/// One build makes at most `MAX_BUILD_TARGETS` targets: a bigger group is refused before
/// anything is lowered (BuildKit's exporters stall past a few hundred results).
#[test]
fn a_group_over_the_build_budget_is_refused_with_the_fix() {
    let most = kiln_dsl::budget::MAX_BUILD_TARGETS;
    let mut text = String::from("version: 1\nstages:\n  app:\n    from: scratch\ntargets:\n");
    for i in 0..=most {
        text.push_str(&format!("  t{i}: {{ stage: app }}\n"));
    }
    let members: Vec<String> = (0..=most).map(|i| format!("t{i}")).collect();
    text.push_str(&format!("groups:\n  default: [{}]\n", members.join(", ")));
    let (model, _) = common::load_text("t.kiln.yaml", &text);
    let error = kiln_lowering::select(&model, None).unwrap_err();
    assert!(
        error.contains(&format!("has {} targets, more than the {most}", most + 1)),
        "{error}"
    );
    // At the budget, it builds.
    let text = text.replace(&format!(", t{most}]"), "]");
    let (model, _) = common::load_text("t.kiln.yaml", &text);
    assert!(kiln_lowering::select(&model, None).is_ok());
}
