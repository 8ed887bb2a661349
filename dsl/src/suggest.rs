//! "Did you mean ...?" suggestions by edit distance.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    let allowed = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&input_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(distance, c)| distance <= allowed && c != input)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

/// A help line: the suggestion if there is one, otherwise the list of valid choices.
pub fn help_for(input: &str, candidates: &[&str]) -> String {
    match did_you_mean(input, candidates.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected one of: {}", quoted_list(candidates)),
    }
}

pub fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("stgaes", ["stages", "targets"]),
            Some("stages")
        );
        assert_eq!(did_you_mean("buil", ["build", "app"]), Some("build"));
        assert_eq!(did_you_mean("zzzzzz", ["stages", "targets"]), None);
        assert_eq!(did_you_mean("Stages", ["stages"]), Some("stages"));
    }
}
