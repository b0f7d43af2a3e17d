//! The build-script mode and the CLI give the same code.

#[test]
fn build_script_output_equals_the_committed_modules() {
    let pairs = [
        (
            include_str!(concat!(env!("OUT_DIR"), "/github.rs")),
            include_str!("../composio-typed/src/toolkits/github.rs"),
        ),
        (include_str!(concat!(env!("OUT_DIR"), "/gmail.rs")), include_str!("../composio-typed/src/toolkits/gmail.rs")),
    ];
    for (built, committed) in pairs {
        assert!(built == committed, "the build script generated different code than the committed module");
    }
}

#[test]
fn both_modes_pin_the_same_version() {
    assert_eq!(composio_example::github::VERSION, "20251027_00");
    assert_eq!(composio_example::gmail::TOOLKIT, "gmail");
}
