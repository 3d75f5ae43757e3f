//! `body_operation!`: the declaration of an operation on one stock or stock bundle that sends a
//! validated body — its struct, its constructor (ids and body checked, nothing sent when that
//! fails) and its [`Operation`](crate::Operation) impl, from the facts that differ.

/// Declares `$name`: `new(product_coupon_id, $id, body)` validates the ids through `$key` and the
/// body through its `validate()`; the `Operation` impl states name, method, path, repeat-safety,
/// body and answer types, and the answer check (`check(this, answer) { … }`).
macro_rules! body_operation {
    (
        $(#[$doc:meta])*
        $name:ident($key:ident: $id:ident, $body:ty) -> $response:ty {
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
                "Validates `product_coupon_id` and `", stringify!($id),
                "` ([`Id`](crate::field::Id)) and the body (its `validate()`); nothing is sent when this fails."
            )]
            pub fn new(
                product_coupon_id: impl Into<String>,
                $id: impl Into<String>,
                body: $body,
            ) -> Result<Self, ValidationError> {
                let key = <$key>::new(product_coupon_id.into(), $id.into())?;
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
