use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// An AfterShip API key. It cannot be printed: `Debug` shows `ApiKey(<redacted>)` and there
/// is no `Display`; the only way to read it is [`ApiKey::expose`], used once when the
/// `as-api-key` header is built.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key. Surrounding white space (a trailing newline from a secrets file) is trimmed.
    pub fn new(key: impl Into<String>) -> Self {
        let key: String = key.into();
        Self(SecretString::from(key.trim().to_owned()))
    }

    /// The raw key, for building the request header and for constant-time comparison.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_never_contains_the_key() {
        let k = super::ApiKey::new("sk_live_supersecret\n");
        assert_eq!(format!("{k:?}"), "ApiKey(<redacted>)");
        assert_eq!(k.expose(), "sk_live_supersecret");
    }
}
