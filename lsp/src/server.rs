//! The stdio loop: documents kept in full sync, analysed on open and on every change;
//! requests answered from the last analysis.

use crate::convert;
use crate::document::Document;
use crate::schema_docs::SchemaDocs;
use crate::tree::Index;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, References, Request as _,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Open {
    document: Document,
    /// The names of the last version that parsed, for completion while a line is broken.
    names: Index,
}

struct Server {
    documents: HashMap<String, Open>,
    docs: SchemaDocs,
}

/// Serve one client over stdin and stdout until it says `exit`.
pub fn run_stdio() -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                ["{", ":", "=", "\"", "-", "[", ","]
                    .map(String::from)
                    .into(),
            ),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    connection.initialize(serde_json::to_value(capabilities)?)?;
    let mut server = Server {
        documents: HashMap::new(),
        docs: SchemaDocs::new(),
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    break;
                }
                let id = request.id.clone();
                // A bug in one answer must not take the editor's server down with it.
                let response = catch_unwind(AssertUnwindSafe(|| server.request(request)))
                    .unwrap_or_else(|_| {
                        let code = lsp_server::ErrorCode::InternalError as i32;
                        Response::new_err(id, code, "kiln lsp failed on this request".into())
                    });
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                let replies = catch_unwind(AssertUnwindSafe(|| server.notification(notification)));
                for reply in replies.unwrap_or_default() {
                    connection.sender.send(Message::Notification(reply))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(connection);
    io_threads.join()?;
    Ok(())
}

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

impl Server {
    fn notification(&mut self, notification: Notification) -> Vec<Notification> {
        let changed = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                decode::<lsp_types::DidOpenTextDocumentParams>(notification.params)
                    .map(|p| (p.text_document.uri, p.text_document.text))
            }
            DidChangeTextDocument::METHOD => {
                decode::<lsp_types::DidChangeTextDocumentParams>(notification.params).and_then(
                    // Full sync: the last change is the whole text.
                    |p| {
                        p.content_changes
                            .into_iter()
                            .last()
                            .map(|c| (p.text_document.uri, c.text))
                    },
                )
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = decode::<lsp_types::DidCloseTextDocumentParams>(notification.params)
                else {
                    return Vec::new();
                };
                self.documents.remove(p.text_document.uri.as_str());
                return vec![publish(p.text_document.uri, Vec::new())];
            }
            _ => None,
        };
        let Some((uri, text)) = changed else {
            return Vec::new();
        };
        let document = Document::analyse(&file_name(&uri), &text);
        let diagnostics = convert::diagnostics(&uri, &document);
        let previous = self.documents.remove(uri.as_str());
        let names = match previous {
            Some(open) if document.index.names.is_empty() => open.names,
            _ => document.index.clone(),
        };
        self.documents
            .insert(uri.as_str().to_string(), Open { document, names });
        vec![publish(uri, diagnostics)]
    }

    fn request(&self, request: Request) -> Response {
        let Request { id, method, params } = request;
        let result = match method.as_str() {
            HoverRequest::METHOD => self.at(params, |open, offset, _| {
                convert::hover(&open.document, &self.docs, offset)
            }),
            Completion::METHOD => self.at(params, |open, offset, _| {
                convert::completion(&open.document, &open.names, &self.docs, offset)
            }),
            GotoDefinition::METHOD => self.at(params, |open, offset, uri| {
                convert::definition(uri, &open.document, offset)
            }),
            References::METHOD => self.references(params),
            DocumentSymbolRequest::METHOD => decode::<lsp_types::DocumentSymbolParams>(params)
                .and_then(|p| {
                    let open = self.documents.get(p.text_document.uri.as_str())?;
                    serde_json::to_value(convert::symbols(&open.document)).ok()
                }),
            _ => return method_not_found(id, &method),
        };
        Response::new_ok(id, result.unwrap_or(serde_json::Value::Null))
    }

    /// A request about a position: the open document and the byte offset there.
    fn at(
        &self,
        params: serde_json::Value,
        answer: impl Fn(&Open, usize, &Uri) -> Option<serde_json::Value>,
    ) -> Option<serde_json::Value> {
        let p = decode::<lsp_types::TextDocumentPositionParams>(params)?;
        let open = self.documents.get(p.text_document.uri.as_str())?;
        let offset = open.document.lines.offset(open.document.text(), p.position);
        answer(open, offset, &p.text_document.uri)
    }

    fn references(&self, params: serde_json::Value) -> Option<serde_json::Value> {
        let p = decode::<lsp_types::ReferenceParams>(params)?;
        let position = p.text_document_position;
        let open = self.documents.get(position.text_document.uri.as_str())?;
        let doc = &open.document;
        let offset = doc.lines.offset(doc.text(), position.position);
        let uri = &position.text_document.uri;
        convert::references(uri, doc, offset, p.context.include_declaration)
    }
}

fn method_not_found(id: RequestId, method: &str) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::MethodNotFound as i32,
        format!("kiln lsp does not handle {method}"),
    )
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Notification {
    let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
    Notification::new(PublishDiagnostics::METHOD.to_string(), params)
}

/// The file name in a URI (`file:///src/kiln.hcl` → `/src/kiln.hcl`): kiln picks the
/// syntax by its extension, and names the file in messages.
fn file_name(uri: &Uri) -> String {
    let path = uri.path().as_str();
    let decoded = percent_decode(path);
    if decoded.is_empty() {
        uri.as_str().to_string()
    } else {
        decoded
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[i] == b'%' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
