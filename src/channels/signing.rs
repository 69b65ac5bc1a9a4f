//! Webhook signatures per the Standard Webhooks specification
//! (<https://www.standardwebhooks.com/>).
//!
//! The signed content is `"{webhook-id}.{webhook-timestamp}.{body}"`; the signature is
//! `v1,` + base64(HMAC-SHA256(key, content)), where the key is the base64-decoded part of the
//! tenant secret after `whsec_`. Receivers can verify with any Standard Webhooks library.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub use crate::domain::webhook_secret::new_webhook_secret;
use crate::domain::webhook_secret::SECRET_PREFIX;

const SIGNATURE_VERSION: &str = "v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    #[error("webhook secret is not valid base64 after \"whsec_\"")]
    InvalidSecret,
    #[error("webhook secret is empty")]
    EmptySecret,
    #[error("no valid v1 signature matches")]
    NoMatchingSignature,
}

/// The HMAC key inside a `whsec_…` secret. The prefix is optional, as in the reference
/// libraries.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, SigningError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = BASE64
        .decode(encoded)
        .map_err(|_| SigningError::InvalidSecret)?;
    if key.is_empty() {
        return Err(SigningError::EmptySecret);
    }
    Ok(key)
}

fn mac(key: &[u8], msg_id: &str, timestamp: i64, payload: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The `webhook-signature` header value for one delivery.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> Result<String, SigningError> {
    let key = decode_secret(secret)?;
    let tag = mac(&key, msg_id, timestamp, payload)
        .finalize()
        .into_bytes();
    Ok(format!("{SIGNATURE_VERSION},{}", BASE64.encode(tag)))
}

/// The `webhook-signature` header value signed by each of `secrets` (the current one first):
/// space-separated `v1,…` entries, as Standard Webhooks allows during a secret rotation, so a
/// receiver verifying with either secret accepts the delivery.
pub fn sign_with_each(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> Result<String, SigningError> {
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp, payload))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// Checks a `webhook-signature` header (a space-separated list such as `v1,… v1,…`, as sent
/// during a secret rotation) against the payload, in constant time.
///
/// This checks the signature only; a receiver should also reject timestamps far from its
/// clock (the spec suggests five minutes) to limit replays.
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
    signature_header: &str,
) -> Result<(), SigningError> {
    let key = decode_secret(secret)?;
    let expected = mac(&key, msg_id, timestamp, payload);
    let matches = signature_header
        .split_whitespace()
        .filter_map(|candidate| candidate.split_once(','))
        .filter(|(version, _)| *version == SIGNATURE_VERSION)
        .filter_map(|(_, encoded)| BASE64.decode(encoded).ok())
        .any(|tag| expected.clone().verify_slice(&tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SigningError::NoMatchingSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector published with the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1614265330;
    const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        assert_eq!(sign(SECRET, MSG_ID, TIMESTAMP, PAYLOAD).unwrap(), SIGNATURE);
        verify(SECRET, MSG_ID, TIMESTAMP, PAYLOAD, SIGNATURE).unwrap();
    }

    #[test]
    fn verify_rejects_tampering() {
        let wrong = [
            (MSG_ID, TIMESTAMP, &br#"{"test": 2432232315}"#[..]),
            ("msg_other", TIMESTAMP, PAYLOAD),
            (MSG_ID, TIMESTAMP + 1, PAYLOAD),
        ];
        for (id, ts, payload) in wrong {
            assert_eq!(
                verify(SECRET, id, ts, payload, SIGNATURE),
                Err(SigningError::NoMatchingSignature)
            );
        }
        let other_secret = new_webhook_secret();
        assert!(verify(&other_secret, MSG_ID, TIMESTAMP, PAYLOAD, SIGNATURE).is_err());
        assert!(verify(SECRET, MSG_ID, TIMESTAMP, PAYLOAD, "v2,abc").is_err());
        assert!(verify(SECRET, MSG_ID, TIMESTAMP, PAYLOAD, "").is_err());
    }

    #[test]
    fn verify_accepts_any_of_several_signatures() {
        let header = format!("v1,Zm9v v1a,xyz {SIGNATURE}");
        verify(SECRET, MSG_ID, TIMESTAMP, PAYLOAD, &header).unwrap();
    }

    #[test]
    fn each_secret_signs_during_a_rotation() {
        let new = new_webhook_secret();
        let header = sign_with_each(&[&new, SECRET], MSG_ID, TIMESTAMP, PAYLOAD).unwrap();
        let entries: Vec<&str> = header.split(' ').collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1], SIGNATURE);
        verify(&new, MSG_ID, TIMESTAMP, PAYLOAD, &header).unwrap();
        verify(SECRET, MSG_ID, TIMESTAMP, PAYLOAD, &header).unwrap();
        assert!(verify(&new_webhook_secret(), MSG_ID, TIMESTAMP, PAYLOAD, &header).is_err());
        assert_eq!(
            sign_with_each(&[SECRET], MSG_ID, TIMESTAMP, PAYLOAD).unwrap(),
            SIGNATURE
        );
    }

    #[test]
    fn new_secrets_are_random_and_usable() {
        let a = new_webhook_secret();
        let b = new_webhook_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_"));
        assert_eq!(decode_secret(&a).unwrap().len(), 24);
        let sig = sign(&a, "id", 1, b"{}").unwrap();
        verify(&a, "id", 1, b"{}", &sig).unwrap();
    }

    #[test]
    fn bad_secrets_are_reported() {
        assert_eq!(
            decode_secret("whsec_not base64!"),
            Err(SigningError::InvalidSecret)
        );
        assert_eq!(decode_secret("whsec_"), Err(SigningError::EmptySecret));
        // The prefix is optional.
        assert_eq!(
            decode_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
            decode_secret(SECRET).unwrap()
        );
    }
}
