//! The crate layering of ARCHITECTURE.md holds: no cycles, and only the allowed edges.

#[test]
fn internal_dependencies_follow_the_architecture() {
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata");
    let allowed: &[(&str, &[&str])] = &[
        (
            "isolate-browser",
            &[
                "isolate-browser-browser",
                "isolate-browser-matchers",
                "isolate-browser-profiles",
                "isolate-browser-reporters",
            ],
        ),
        ("isolate-browser-matchers", &["isolate-browser-browser"]),
        ("isolate-browser-browser", &[]),
        ("isolate-browser-profiles", &[]),
        ("isolate-browser-reporters", &[]),
    ];
    for package in &metadata.workspace_packages() {
        let Some((_, ok)) = allowed
            .iter()
            .find(|(name, _)| *name == package.name.as_str())
        else {
            continue;
        };
        for dep in &package.dependencies {
            if dep.name.starts_with("isolate-browser")
                && dep.kind == cargo_metadata::DependencyKind::Normal
            {
                assert!(
                    ok.contains(&dep.name.as_str()),
                    "{} must not depend on {}",
                    package.name,
                    dep.name
                );
            }
        }
    }
    // Only the runner knows V8 (the bench harness and these tests measure and drive it, and are
    // not part of the product).
    for package in &metadata.workspace_packages() {
        if !allowed
            .iter()
            .any(|(name, _)| *name == package.name.as_str())
            || package.name.as_str() == "isolate-browser"
        {
            continue;
        }
        assert!(
            !package
                .dependencies
                .iter()
                .any(|d| d.name.starts_with("deno_") || d.name == "v8"),
            "{} must not depend on deno_core or v8",
            package.name
        );
    }
}
