//! The one way out: every answer is counted, signed ([`AnswerSigner`]) and turned into the hyper
//! response here, whole or cut by a fault.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use hyper::body::{Body, Frame, SizeHint};

use crate::answer::{pad_body, Answer};
use crate::conn::ConnControl;
use crate::faults::Fault;
use crate::shared::Shared;

/// How long a cut body waits (so the first half is flushed) before the reset.
const CUT_PAUSE: Duration = Duration::from_millis(30);

/// The handler gave up on the request: hyper closes the connection without an answer.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// An answer body: whole, or cut in the middle ([`Fault::ResetMidBody`](crate::Fault::ResetMidBody)).
#[derive(Debug)]
pub(crate) struct AnswerBody {
    kind: BodyKind,
}

#[derive(Debug)]
enum BodyKind {
    Full(Option<Bytes>),
    Cut {
        first: Option<Bytes>,
        pause: Pin<Box<tokio::time::Sleep>>,
        control: Arc<ConnControl>,
    },
}

impl AnswerBody {
    pub(crate) fn full(bytes: Bytes) -> Self {
        AnswerBody {
            kind: BodyKind::Full((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// Sends the first half, pauses so it is flushed, then fails (and the connection is reset).
    pub(crate) fn cut(bytes: Bytes, control: Arc<ConnControl>) -> Self {
        let half = bytes.slice(..bytes.len() / 2);
        AnswerBody {
            kind: BodyKind::Cut {
                first: (!half.is_empty()).then_some(half),
                pause: Box::pin(tokio::time::sleep(CUT_PAUSE)),
                control,
            },
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        match &mut self.get_mut().kind {
            BodyKind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            BodyKind::Cut {
                first,
                pause,
                control,
            } => {
                if let Some(half) = first.take() {
                    return Poll::Ready(Some(Ok(Frame::data(half))));
                }
                match pause.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => {
                        control.reset_on_close();
                        Poll::Ready(Some(Err(Dropped)))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.kind, BodyKind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            BodyKind::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            BodyKind::Cut { .. } => SizeHint::default(),
        }
    }
}

/// Signs the answer, counts it, and builds the response (with the fault's alterations).
pub(crate) fn respond(
    shared: &Shared,
    conn: &Arc<ConnControl>,
    seq: u64,
    answer: Answer,
    fault: Option<&Fault>,
) -> Response<AnswerBody> {
    shared.stats.record_answer(&answer);
    let body = match fault {
        Some(Fault::OversizedBody(size)) => pad_body(answer.body.clone(), *size),
        _ => answer.body.clone(),
    };
    let headers = shared
        .signer
        .headers(&answer, &body, seq, shared.clock.seconds(), fault);
    let full_length = body.len();
    let response_body = match fault {
        Some(Fault::ResetMidBody) => AnswerBody::cut(body, Arc::clone(conn)),
        _ => AnswerBody::full(body),
    };
    let mut response = Response::new(response_body);
    *response.status_mut() = answer.status;
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    if matches!(fault, Some(Fault::ResetMidBody)) {
        // The whole length is announced, so the client knows the body was cut short.
        response.headers_mut().insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(full_length),
        );
    }
    response
}
