//! BuildKit's failure messages, said in the terms of the kiln file where BuildKit's own words
//! leave the user guessing.

/// BuildKit's message, or kiln's explanation of it.
pub fn failure(message: &str) -> String {
    checksum_mismatch(message).unwrap_or_else(|| message.to_string())
}

/// A `download` whose file did not match its `sha256:`. BuildKit says it two ways, neither
/// naming which digest is which:
/// - v0.8: `digest mismatch sha256:<got>: sha256:<expected>`;
/// - newer: `digest mismatch for <url>: sha256:<got> (expected: sha256:<expected>)`.
fn checksum_mismatch(message: &str) -> Option<String> {
    let at = message.find("digest mismatch ")?;
    let rest = &message[at + "digest mismatch ".len()..];
    let (got, expected) = match rest.strip_prefix("for ") {
        Some(newer) => {
            let (url_and_got, expected) = newer.split_once(" (expected: ")?;
            let (_, got) = url_and_got.rsplit_once(": ")?;
            (got, expected.trim_end_matches(')'))
        }
        None => rest.split_once(": ")?,
    };
    let hex = |digest: &str| {
        let hex = digest.trim().strip_prefix("sha256:")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_string())
    };
    let (got, expected) = (hex(got)?, hex(expected)?);
    Some(format!(
        "the downloaded file does not match its checksum: the file says sha256: {expected}, \
         the download's sha256 is {got}. If the file at that URL changed on purpose, put the \
         new digest in `sha256:`; if not, the download was tampered with or truncated \
         (BuildKit: {message})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOT: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const WANT: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn a_checksum_mismatch_names_the_expected_and_the_downloaded_digest() {
        let v08 = format!("failed to load cache key: digest mismatch sha256:{GOT}: sha256:{WANT}");
        let newer = format!(
            "failed to load cache key: digest mismatch for http://127.0.0.1:8000/f.txt: \
             sha256:{GOT} (expected: sha256:{WANT})"
        );
        for message in [v08, newer] {
            let said = failure(&message);
            assert!(
                said.starts_with(&format!(
                    "the downloaded file does not match its checksum: the file says sha256: \
                     {WANT}, the download's sha256 is {GOT}."
                )),
                "{said}"
            );
            assert!(said.ends_with(&format!("(BuildKit: {message})")), "{said}");
        }
    }

    #[test]
    fn other_messages_are_kept() {
        for message in [
            "process \"/bin/sh -c false\" did not complete successfully: exit code: 1",
            "digest mismatch sha256:abc: sha256:def",
            "digest mismatch for x",
        ] {
            assert_eq!(failure(message), message);
        }
    }
}
