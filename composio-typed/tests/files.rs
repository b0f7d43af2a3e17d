//! File arguments (`file_uploadable`) and file results (`file_downloadable`) through the
//! generated gmail module and the local server's presigned URLs.

mod common;

use common::{API_KEY, builder, client, server};
use composio_testserver::{ExecuteReply, Fault, FaultRule, Route, TestServer};
use composio_typed::toolkits::gmail;
use composio_typed::{Error, FileDownload, FileInput};
use serde_json::{Value, json};

fn draft_reply() -> ExecuteReply {
    ExecuteReply::Data(
        json!({"response_data": {"id": "r-1", "message": {"id": "m-1", "threadId": "t-1", "labelIds": ["DRAFT"]}}}),
    )
}

fn draft(attachment: FileInput) -> gmail::CreateEmailDraftInput {
    gmail::CreateEmailDraftInput::new("pat@example.org", "Notes", "See attached.").attachment(attachment)
}

/// `md5` of `bytes`, as hex, computed independently of the runtime.
fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn bytes_are_uploaded_to_the_presigned_url_and_sent_as_name_mimetype_s3key() {
    let server = server().await;
    server.respond("GMAIL_CREATE_EMAIL_DRAFT", |_| draft_reply());
    let client = builder(&server).header("x-tenant", "acme").build().unwrap();
    let bytes = b"meeting notes\n".to_vec();

    let out = gmail::create_email_draft(&client, draft(FileInput::bytes("notes.txt", bytes.clone()))).await.unwrap();
    assert_eq!(out.response_data.unwrap().message.thread_id, "t-1");

    let requests = server.requests();
    let routes: Vec<_> = requests.iter().map(|r| r.route.unwrap()).collect();
    assert_eq!(routes, [Route::FileUploadRequest, Route::FilePut, Route::Execute]);

    let ask = &requests[0];
    assert_eq!(ask.path, "/api/v3/files/upload/request");
    assert_eq!(ask.header("x-api-key"), Some(API_KEY));
    assert_eq!(
        ask.json().unwrap(),
        json!({
            "toolkit_slug": "gmail",
            "tool_slug": "GMAIL_CREATE_EMAIL_DRAFT",
            "filename": "notes.txt",
            "mimetype": "text/plain",
            "md5": md5_hex(&bytes),
        })
    );

    let put = &requests[1];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.body, bytes);
    assert_eq!(put.header("content-type"), Some("text/plain"));
    // Storage gets neither the API key nor the API's custom headers.
    assert_eq!(put.header("x-api-key"), None);
    assert_eq!(put.header("x-tenant"), None);

    let execute = requests[2].json().unwrap();
    let attachment = &execute["arguments"]["attachment"];
    let key = attachment["s3key"].as_str().unwrap().to_owned();
    assert_eq!(attachment, &json!({"name": "notes.txt", "mimetype": "text/plain", "s3key": key}));
    assert_eq!(requests[2].header("x-tenant"), Some("acme"));
    assert_eq!(server.uploaded(&key), Some(bytes));
}

#[tokio::test]
async fn a_file_composio_already_has_is_not_put_again() {
    let server = server().await;
    server.respond("GMAIL_CREATE_EMAIL_DRAFT", |_| draft_reply());
    let client = client(&server);
    for _ in 0..2 {
        gmail::create_email_draft(&client, draft(FileInput::bytes("a.csv", b"x,y\n1,2\n".to_vec()))).await.unwrap();
    }
    assert_eq!(server.count(Route::FileUploadRequest), 2);
    assert_eq!(server.count(Route::FilePut), 1);
    let keys: Vec<Value> = server
        .requests_for(Route::Execute)
        .iter()
        .map(|r| r.json().unwrap()["arguments"]["attachment"]["s3key"].clone())
        .collect();
    assert_eq!(keys[0], keys[1]);
}

#[tokio::test]
async fn a_local_path_is_read_named_after_the_file_and_typed_from_its_extension() {
    let server = server().await;
    server.respond("GMAIL_CREATE_EMAIL_DRAFT", |_| draft_reply());
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, b"%PDF-1.7 fake").unwrap();

    gmail::create_email_draft(&client, draft(path.as_path().into())).await.unwrap();
    let ask = server.requests_for(Route::FileUploadRequest)[0].json().unwrap();
    assert_eq!((ask["filename"].as_str(), ask["mimetype"].as_str()), (Some("report.pdf"), Some("application/pdf")));
    let sent = &server.requests_for(Route::Execute)[0].json().unwrap()["arguments"]["attachment"];
    assert_eq!(server.uploaded(sent["s3key"].as_str().unwrap()).unwrap(), b"%PDF-1.7 fake");

    // An explicit MIME type wins over the guess.
    server.clear_requests();
    let file = FileInput::bytes("data.bin", vec![1, 2, 3]).mimetype("application/x-custom");
    gmail::create_email_draft(&client, draft(file)).await.unwrap();
    let ask = server.requests_for(Route::FileUploadRequest)[0].json().unwrap();
    assert_eq!(ask["mimetype"], "application/x-custom");
}

#[tokio::test]
async fn a_missing_file_fails_before_anything_is_sent() {
    let server = server().await;
    let client = client(&server);
    let err = gmail::create_email_draft(&client, draft("/nonexistent/dir/x.txt".into())).await.unwrap_err();
    let Error::File { path, .. } = &err else { panic!("expected File, got {err:?}") };
    assert_eq!(path, "/nonexistent/dir/x.txt");
    assert!(!err.may_have_run());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_invalid_mimetype_fails_before_anything_is_sent() {
    let server = server().await;
    let file = FileInput::bytes("a.txt", b"a".to_vec()).mimetype("text/plain\nx-evil: 1");
    let err = gmail::create_email_draft(&client(&server), draft(file)).await.unwrap_err();
    assert!(
        matches!(&err, Error::File { path, message } if path == "a.txt" && message.contains("not a valid MIME type"))
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn upload_steps_are_retried_like_reads() {
    let server = server().await;
    server.respond("GMAIL_CREATE_EMAIL_DRAFT", |_| draft_reply());
    server
        .fault(FaultRule::new(Route::FileUploadRequest, Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "x")));
    server.fault(FaultRule::new(Route::FilePut, Fault::DropConnection));
    let client = client(&server);
    gmail::create_email_draft(&client, draft(FileInput::bytes("n.txt", b"n".to_vec()))).await.unwrap();
    assert_eq!(
        (server.count(Route::FileUploadRequest), server.count(Route::FilePut), server.count(Route::Execute)),
        (2, 2, 1)
    );
}

#[tokio::test]
async fn a_failed_upload_never_executes_the_tool() {
    let server = server().await;
    server.fault(FaultRule::new(Route::FilePut, Fault::api_error(403, 0, "AccessDenied", "denied")).forever());
    let client = client(&server);
    let err = gmail::create_email_draft(&client, draft(FileInput::bytes("n.txt", b"n".to_vec()))).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(!err.may_have_run());
    assert_eq!(server.count(Route::Execute), 0);
}

#[tokio::test]
async fn a_downloadable_result_is_saved_into_a_directory_with_one_call() {
    let server = server().await;
    let url = server.register_download("att/receipt-1", b"%PDF receipt".to_vec());
    server.respond("GMAIL_GET_ATTACHMENT", move |req| {
        ExecuteReply::Data(json!({"file": {
            "name": req.arguments["file_name"],
            "mimetype": "application/pdf",
            "s3url": url,
        }}))
    });
    let client = client(&server);
    let out =
        gmail::get_attachment(&client, gmail::GetAttachmentInput::new("m-1", "att-1", "receipt.pdf")).await.unwrap();
    assert_eq!((out.file.name.as_str(), out.file.mimetype.as_str()), ("receipt.pdf", "application/pdf"));

    let dir = tempfile::tempdir().unwrap();
    let saved = client.download(&out.file, dir.path().join("inbox")).await.unwrap();
    assert_eq!(saved, dir.path().join("inbox").join("receipt.pdf"));
    assert_eq!(std::fs::read(&saved).unwrap(), b"%PDF receipt");
    let download = &server.requests_for(Route::FileDownload)[0];
    assert_eq!(download.header("x-api-key"), None, "the API key must not travel to storage");

    // A hostile name stays inside the directory.
    let hostile = FileDownload { name: "../../escape.pdf".into(), ..out.file.clone() };
    let saved = client.download(&hostile, dir.path()).await.unwrap();
    assert_eq!(saved, dir.path().join("escape.pdf"));
    let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["escape.pdf", "inbox"], "no temporary file is left behind");
}

#[tokio::test]
async fn a_missing_download_is_an_error_and_writes_nothing() {
    let server = server().await;
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let file = FileDownload {
        name: "gone.pdf".into(),
        mimetype: "application/pdf".into(),
        s3url: server.url("/_s3/download/nothing-here"),
    };
    let err = client.download(&file, dir.path()).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_storage_url_may_redirect_to_another_host() {
    // Presigned storage URLs carry no key, so unlike API requests they follow a redirect to
    // another origin (a storage region redirect, for one).
    let api = server().await;
    let storage = TestServer::builder().start().await;
    let moved = TestServer::builder().start().await;
    let url = moved.register_download("att/moved", b"%PDF moved".to_vec());
    let redirect = Fault::Reply { status: 307, headers: vec![("location".into(), url)], body: String::new() };
    storage.fault(FaultRule::new(Route::FileDownload, redirect));
    let file = FileDownload {
        name: "moved.pdf".into(),
        mimetype: "application/pdf".into(),
        s3url: storage.url("/_s3/download/att/moved"),
    };
    let bytes = client(&api).download_bytes(&file).await.unwrap();
    assert_eq!(bytes, b"%PDF moved");
    assert_eq!(moved.count(Route::FileDownload), 1);
}
