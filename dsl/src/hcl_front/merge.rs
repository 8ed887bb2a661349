//! Several build files as one HCL text, for a build: the frontend reads one build file, so
//! `kiln bake -f a.hcl -f b.hcl` hands it this text. Reading it is reading the files: the
//! HCL front end takes the files' blocks in order either way (a later target or variable
//! block overrides an earlier one of its name), and a top-level attribute set again later
//! is blanked where it was set first, as the later one wins when the files are read.

use hcl_edit::structure::Structure;

/// The files (name, text), in order, as one HCL text; bake JSON files become the HCL they
/// stand for. An error names a file that is neither.
pub fn merged(files: &[(String, String)]) -> Result<String, String> {
    let mut texts: Vec<(String, String)> = Vec::new();
    for (name, text) in files {
        let hcl = if name.to_ascii_lowercase().ends_with(".json") {
            super::bake_json::to_hcl(text, true)
                .ok_or_else(|| format!("{name} is not a bake JSON file"))?
        } else {
            text.clone()
        };
        texts.push((name.clone(), hcl));
    }
    // Top-level attributes of each file, with where they are.
    let mut parsed = Vec::new();
    for (name, text) in &texts {
        let body = hcl_edit::parser::parse_body(text)
            .map_err(|e| format!("{name}: not valid HCL: {}", e.message()))?;
        let attributes: Vec<(String, std::ops::Range<usize>)> = body
            .iter()
            .filter_map(|s| match s {
                Structure::Attribute(a) => {
                    hcl_edit::Span::span(a).map(|r| (a.key.as_str().to_string(), r))
                }
                Structure::Block(_) => None,
            })
            .collect();
        parsed.push(attributes);
    }
    let mut out = String::new();
    for (i, (name, text)) in texts.iter().enumerate() {
        let later: Vec<&str> = parsed[i + 1..]
            .iter()
            .flat_map(|a| a.iter().map(|(k, _)| k.as_str()))
            .collect();
        let mut text = text.clone();
        for (key, range) in &parsed[i] {
            if later.contains(&key.as_str()) {
                let blank: String = text[range.clone()]
                    .chars()
                    .map(|c| {
                        if c == '\n' {
                            "\n".to_string()
                        } else {
                            " ".repeat(c.len_utf8())
                        }
                    })
                    .collect();
                text.replace_range(range.clone(), &blank);
            }
        }
        out.push_str(&format!("# ---- {name}\n{text}"));
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
