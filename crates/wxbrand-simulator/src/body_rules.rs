//! Declarative request bodies: a serde type per body, its fields [`Received`] whatever their JSON
//! type, and a short table of [`FieldRule`]s that says which fields are required strings and
//! which rule of `wxbrand_core::validate` each obeys (the client's own rules).
//!
//! What serde's derive decides, for every body alike: a body that is not a JSON object, or
//! names a known field twice, is refused (`PARAM_ERROR`, field `body` or the repeated field);
//! unknown fields are ignored (as a newer client may send fields this simulator does not know).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use wxbrand_core::product_coupon as pc;
use wxbrand_core::ValidationError;

use crate::answer::{errno, Answer};

/// A body field as received: absent (or `null`), of the wrong JSON type, or given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Received<T> {
    /// Not in the body, or `null`.
    #[default]
    Missing,
    /// Of another JSON type; the JSON text as received.
    WrongType(String),
    /// Given, of the right type.
    Given(T),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Received<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Received::Missing);
        }
        let text = value.to_string();
        Ok(match serde_json::from_value(value) {
            Ok(given) => Received::Given(given),
            Err(_) => Received::WrongType(text),
        })
    }
}

impl Received<String> {
    /// The text (empty unless [`Given`](Received::Given); handlers run only on checked bodies).
    pub(crate) fn text(&self) -> &str {
        match self {
            Received::Given(text) => text,
            _ => "",
        }
    }
}

/// One field of a body: a required string obeying `check`.
pub(crate) struct FieldRule<B> {
    /// The field's JSON name.
    pub(crate) name: &'static str,
    /// Where the body keeps it.
    pub(crate) get: fn(&B) -> &Received<String>,
    /// Its rule (a `wxbrand_core::field` type's constructor).
    pub(crate) check: fn(&str) -> Result<(), ValidationError>,
}

impl<B> std::fmt::Debug for FieldRule<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldRule")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A request body type: serde decodes it, [`RULES`](RequestBody::RULES) check it, in order.
pub(crate) trait RequestBody: DeserializeOwned + 'static {
    /// The field rules, in the order they are checked (the first broken one is answered).
    const RULES: &'static [FieldRule<Self>];
}

/// The `PARAM_ERROR` about the body as a whole.
fn body_error(value: &str, issue: &str) -> Answer {
    Answer::param_error("body", value, issue, "body", errno::PARAM_INVALID)
}

/// The body as text, if it is UTF-8 and starts as a JSON object (serde's derive would take an
/// array for a struct too: a body is an object).
fn object_text(bytes: &[u8]) -> Result<&str, Answer> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(body_error("", "the body is not UTF-8"));
    };
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => body_error(text, "the body must be a JSON object"),
            Err(_) => body_error(text, "the body is not well-formed JSON"),
        });
    }
    Ok(text)
}

/// Decodes and checks a body; `Err` is the `PARAM_ERROR` answer naming the field.
pub(crate) fn decode<B: RequestBody>(bytes: &[u8]) -> Result<B, Answer> {
    let text = object_text(bytes)?;
    let decoded: B = match serde_json::from_str(text) {
        Ok(decoded) => decoded,
        Err(e) if e.is_data() => {
            // serde's derive words a repeated field as "duplicate field `name`".
            let message = e.to_string();
            return Err(match repeated_field(&message) {
                Some(field) => Answer::param_error(
                    field,
                    "",
                    &format!("duplicate field: {field} may appear once"),
                    "body",
                    errno::PARAM_INVALID,
                ),
                None => body_error(text, "the body must be a JSON object"),
            });
        }
        Err(_) => return Err(body_error(text, "the body is not well-formed JSON")),
    };
    for rule in B::RULES {
        match (rule.get)(&decoded) {
            Received::Missing => {
                return Err(Answer::param_error(
                    rule.name,
                    "",
                    "required",
                    "body",
                    errno::PARAM_INVALID,
                ))
            }
            Received::WrongType(raw) => {
                return Err(Answer::param_error(
                    rule.name,
                    raw,
                    "must be a string",
                    "body",
                    errno::PARAM_INVALID,
                ))
            }
            Received::Given(text) => {
                (rule.check)(text).map_err(|e| Answer::rule_broken(rule.name, &e, "body"))?;
            }
        }
    }
    Ok(decoded)
}

/// Decodes a body as core's body type `B`, whose validated field types check the client's own
/// rules while they are deserialized; `Err` is the `PARAM_ERROR` answer naming the field by its
/// path (`stock.stock_send_rule.max_count_per_user`), as `serde_path_to_error` tracks it.
pub(crate) fn decode_typed<B: DeserializeOwned>(bytes: &[u8]) -> Result<B, Answer> {
    let text = object_text(bytes)?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let decoded = serde_path_to_error::deserialize::<_, B>(&mut deserializer);
    match decoded {
        Ok(decoded) => match deserializer.end() {
            Ok(()) => Ok(decoded),
            Err(_) => Err(body_error(text, "the body is not well-formed JSON")),
        },
        Err(e) if e.inner().is_data() => {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            // serde_json appends the position; the field path says more.
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            let (field, issue) = field_and_issue(&path, message);
            Err(Answer::param_error(
                &field,
                "",
                &issue,
                "body",
                errno::PARAM_INVALID,
            ))
        }
        Err(_) => Err(body_error(text, "the body is not well-formed JSON")),
    }
}

/// The field path and the issue of a data error at `path` (`.` when at the top).
fn field_and_issue(path: &str, message: &str) -> (String, String) {
    let within = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name.to_string())
    };
    if let Some(name) = named("missing field `") {
        return (within(&name), "required".into());
    }
    if let Some(name) = named("duplicate field `") {
        return (
            within(&name),
            format!("duplicate field: {name} may appear once"),
        );
    }
    if named("unknown field `").is_some() {
        // The path already ends with the unknown field.
        return (path.to_string(), "unknown field".into());
    }
    if path == "." {
        // A body type's own cross-field check (`TryFrom` on its wire form) words its
        // `ValidationError` as "<field> must be …": name that field.
        if let Some((name, _)) = message.split_once(" must be ") {
            let field_like = |c: char| c.is_ascii_alphanumeric() || "_.[]".contains(c);
            if !name.is_empty() && name.chars().all(field_like) {
                return (name.to_string(), message.to_string());
            }
        }
    }
    let field = if path == "." {
        "body".to_string()
    } else {
        path.to_string()
    };
    // A validated field type says "the value must be …; got …".
    let issue = message.strip_prefix("the value ").unwrap_or(message);
    (field, issue.to_string())
}

/// A body type of `wxbrand_core` with the rules its types cannot check alone (across fields).
pub(crate) trait CoreBody: DeserializeOwned + serde::Serialize + 'static {
    /// The body's cross-field rules (core's `validate`), naming the field by its path.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// Implements [`CoreBody`] for core body types, with their `validate` where they have one.
macro_rules! core_bodies {
    (validated: $($validated:ty),* ; plain: $($plain:ty),* $(,)?) => {
        $(impl CoreBody for $validated {
            fn validate(&self) -> Result<(), ValidationError> {
                <$validated>::validate(self)
            }
        })*
        $(impl CoreBody for $plain {})*
    };
}

core_bodies! {
    validated: pc::CreateCouponBody, pc::UpdateCouponBody, pc::CreateStockBody,
        pc::UpdateStockBody, pc::UpdateBudgetBody, pc::StoreListBody, pc::UploadCouponCodesBody,
        pc::CreateStockBundleBody, pc::SendUserCouponBody, pc::PreSendUserCouponBody,
        pc::UserCouponBody, pc::DeactivateUserCouponBody, pc::UseUserCouponBody;
    plain: pc::DeactivateCouponBody,
}

/// Decodes a core body and checks its cross-field rules; `Err` is the `PARAM_ERROR` answer.
pub(crate) fn decode_checked<B: CoreBody>(bytes: &[u8]) -> Result<B, Answer> {
    let body = decode_typed::<B>(bytes)?;
    body.validate()
        .map_err(|e| Answer::rule_broken(e.field(), &e, "body"))?;
    Ok(body)
}

/// The field named by serde's "duplicate field `name`" message, if that is what it says.
fn repeated_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("duplicate field `")?;
    rest.split_once('`').map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(default)]
        name: Received<String>,
    }

    impl RequestBody for Sample {
        const RULES: &'static [FieldRule<Self>] = &[FieldRule {
            name: "name",
            get: |b| &b.name,
            check: |value| wxbrand_core::field::OutRequestNo::new(value).map(drop),
        }];
    }

    fn field_of(body: &str) -> String {
        let answer = decode::<Sample>(body.as_bytes()).unwrap_err();
        let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(v["code"], "PARAM_ERROR");
        v["detail"]["field"].as_str().unwrap().to_string()
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        out_request_no: wxbrand_core::field::OutRequestNo,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        list: Vec<wxbrand_core::field::Id>,
    }

    fn typed_field_of(body: &str) -> (String, String) {
        let answer = decode_typed::<Nested>(body.as_bytes()).unwrap_err();
        let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(v["code"], "PARAM_ERROR");
        (
            v["detail"]["field"].as_str().unwrap().to_string(),
            v["detail"]["issue"].as_str().unwrap().to_string(),
        )
    }

    #[test]
    fn typed_bodies_name_the_field_path() {
        assert!(decode_typed::<Nested>(br#"{"out_request_no":"abc_123"}"#).is_ok());
        assert_eq!(typed_field_of("{").0, "body");
        assert_eq!(typed_field_of("[1]").0, "body");
        assert_eq!(
            typed_field_of(r#"{"out_request_no":"abc_123"} x"#).0,
            "body"
        );
        assert_eq!(
            typed_field_of("{}"),
            ("out_request_no".into(), "required".into())
        );
        let (field, issue) = typed_field_of(r#"{"out_request_no":"abc"}"#);
        assert_eq!(field, "out_request_no");
        assert!(issue.starts_with("must be 6 to 40"), "{issue}");
        assert_eq!(
            typed_field_of(r#"{"out_request_no":"abc_123","inner":{"list":["1","a/b"]}}"#).0,
            "inner.list[1]"
        );
        assert_eq!(
            typed_field_of(r#"{"out_request_no":"abc_123","inner":{}}"#).0,
            "inner.list"
        );
        assert_eq!(
            typed_field_of(r#"{"out_request_no":"abc_123","x":1}"#),
            ("x".into(), "unknown field".into())
        );
        assert_eq!(
            typed_field_of(r#"{"out_request_no":"abc_123","out_request_no":"abc_124"}"#).0,
            "out_request_no"
        );
    }

    #[test]
    fn rules_name_the_field() {
        assert_eq!(
            decode::<Sample>(br#"{"name":"abc_123","x":1}"#)
                .unwrap()
                .name
                .text(),
            "abc_123"
        );
        assert_eq!(field_of("{"), "body");
        assert_eq!(field_of("[1]"), "body");
        assert_eq!(field_of("{}"), "name");
        assert_eq!(field_of(r#"{"name":null}"#), "name");
        assert_eq!(field_of(r#"{"name":12345678}"#), "name");
        assert_eq!(field_of(r#"{"name":"abc"}"#), "name");
        assert_eq!(field_of(r#"{"name":"abc_123","name":"abc_124"}"#), "name");
        assert_eq!(repeated_field("duplicate field `a` at line 1"), Some("a"));
        assert_eq!(repeated_field("missing field `a`"), None);
    }
}
