//! `body_operation!`: the declaration of an operation on one resource that sends a validated
//! body — its struct, its constructor (path ids and body checked, nothing sent when that fails)
//! and its [`Operation`](crate::Operation) impl, from the facts that differ.

/// Declares `$name`: `new(<the key's path ids>, body)` validates the ids through `$key::new`
/// and the body through its `validate()`; the `Operation` impl states name, method, path,
/// repeat-safety, body and answer types, and the answer check (`check(this, answer) { … }`).
///
/// The key is written `Key(first_id, second_id)` with the names of `Key::new`'s parameters, in
/// order; `Key: id` is short for `Key(product_coupon_id, id)` (a stock or a stock bundle).
macro_rules! body_operation {
    (
        $(#[$doc:meta])*
        $name:ident($key:ident: $id:ident, $body:ty) -> $response:ty {
            $($facts:tt)*
        }
        check($this:ident, $answer:ident) $check:block
    ) => {
        $crate::product_coupon::declare::body_operation! {
            $(#[$doc])*
            $name($key(product_coupon_id, $id), $body) -> $response {
                $($facts)*
            }
            check($this, $answer) $check
        }
    };
    (
        $(#[$doc:meta])*
        $name:ident($key:ident($($param:ident),+), $body:ty) -> $response:ty {
            name: $op:literal,
            method: $method:ident,
            repeat_safe: $safe:literal,
            path: $path:literal,
        }
        check($this:ident, $answer:ident) $check:block
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            key: $key,
            body: $body,
        }

        impl $name {
            #[doc = concat!(
                "Validates the path ids (", $("`", stringify!($param), "` "),+,
                ") and the body (its `validate()`); nothing is sent when this fails."
            )]
            pub fn new(
                $($param: impl Into<String>,)+
                body: $body,
            ) -> Result<Self, ValidationError> {
                let key = <$key>::new($($param.into()),+)?;
                body.validate()?;
                Ok($name { key, body })
            }
        }

        impl Operation for $name {
            const NAME: &'static str = $op;
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            const REPEAT_SAFE: bool = $safe;
            type Body = $body;
            type Response = $response;

            fn path_parameter(&self, name: &str) -> Option<&str> {
                self.key.path_parameter(name)
            }
            fn body(&self) -> Option<&$body> {
                Some(&self.body)
            }
            fn check_answer(&self, $answer: &$response) -> Result<(), AnswerMismatch> {
                let $this = self;
                $check
            }
        }
    };
}
pub(crate) use body_operation;
