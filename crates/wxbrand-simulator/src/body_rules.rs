//! Declarative request bodies: a serde type per body, its fields [`Received`] whatever their JSON
//! type, and a short table of [`FieldRule`]s that says which fields are required strings and
//! which rule of `wxbrand_core::validate` each obeys (the client's own rules).
//!
//! What serde's derive decides, for every body alike: a body that is not a JSON object, or
//! names a known field twice, is refused (`PARAM_ERROR`, field `body` or the repeated field);
//! unknown fields are ignored (as a newer client may send fields this simulator does not know).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
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

/// Decodes and checks a body; `Err` is the `PARAM_ERROR` answer naming the field.
pub(crate) fn decode<B: RequestBody>(bytes: &[u8]) -> Result<B, Answer> {
    let body_error = |value: &str, issue: &str| {
        Answer::param_error("body", value, issue, "body", errno::PARAM_INVALID)
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(body_error("", "the body is not UTF-8"));
    };
    // serde's derive would take an array for a struct too: a body is an object.
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => body_error(text, "the body must be a JSON object"),
            Err(_) => body_error(text, "the body is not well-formed JSON"),
        });
    }
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
