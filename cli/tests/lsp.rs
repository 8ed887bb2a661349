//! `kiln lsp` is wired: the binary answers `initialize` over stdio with the capabilities of
//! the language server, publishes `kiln check`'s diagnostics for an opened file, and exits
//! cleanly on `shutdown` and `exit`. (Every feature is tested end to end by
//! scripts/lsp-test.sh, with pytest-lsp and Neovim.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn frame(message: serde_json::Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The next message the server writes.
fn read_message(reader: &mut impl BufRead) -> serde_json::Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().expect("a length");
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("the body");
    serde_json::from_slice(&body).expect("JSON")
}

#[test]
fn kiln_lsp_serves_over_stdio() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("kiln lsp starts");
    let mut stdin = server.stdin.take().unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());

    let initialize = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "capabilities": {} },
    });
    stdin.write_all(&frame(initialize)).unwrap();
    let reply = read_message(&mut stdout);
    let capabilities = &reply["result"]["capabilities"];
    assert_eq!(capabilities["textDocumentSync"], 1, "full sync: {reply}");
    for provider in ["hoverProvider", "definitionProvider", "referencesProvider"] {
        assert_eq!(capabilities[provider], true, "{provider}: {reply}");
    }

    let text = "version: 1\nstages:\n  app:\n    from: biuld\n  build:\n    from: scratch\n";
    let messages = [
        serde_json::json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        serde_json::json!({
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": {
                "uri": "file:///tmp/kiln.yaml", "languageId": "yaml", "version": 1, "text": text,
            } },
        }),
    ];
    for message in messages {
        stdin.write_all(&frame(message)).unwrap();
    }
    let published = read_message(&mut stdout);
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["kiln::unknown-stage"], "{published}");
    let range = &diagnostics[0]["range"];
    assert_eq!(
        range["start"],
        serde_json::json!({ "line": 3, "character": 10 })
    );
    assert_eq!(
        range["end"],
        serde_json::json!({ "line": 3, "character": 15 })
    );

    let shutdown = serde_json::json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" });
    stdin.write_all(&frame(shutdown)).unwrap();
    assert_eq!(read_message(&mut stdout)["id"], 2);
    let exit = serde_json::json!({ "jsonrpc": "2.0", "method": "exit" });
    stdin.write_all(&frame(exit)).unwrap();
    drop(stdin);
    assert!(server.wait().unwrap().success());
}
