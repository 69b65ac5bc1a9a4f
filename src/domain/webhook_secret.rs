//! A tenant's webhook signing secret: `whsec_` + base64 of random bytes, as the Standard Webhooks
//! libraries expect. Created when a tenant is and on rotation; `channels::signing` reads it.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rand::RngCore as _;

pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh tenant secret: `whsec_` + base64 of 24 random bytes (192 bits).
pub fn new_webhook_secret() -> String {
    let mut key = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", BASE64.encode(key))
}
