use crate::domain::AccessCode;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::Write;
use std::path::Path;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// Keeps access codes out of storage in clear: a keyed hash to find a group by its code,
/// and a sealed copy for the compat listing. The key is the node's own secret.
#[derive(Clone)]
pub struct CodeCipher {
    key: [u8; KEY_BYTES],
}

impl CodeCipher {
    /// A cipher with a fresh random key (tests, or a store that needs no persistence).
    pub fn random() -> Self {
        Self {
            key: XChaCha20Poly1305::generate_key(&mut OsRng).into(),
        }
    }

    /// A cipher with the given key (shared by several nodes).
    pub fn from_key(key: [u8; KEY_BYTES]) -> Self {
        Self { key }
    }

    /// The key, to share it with other nodes.
    pub fn key_bytes(&self) -> [u8; KEY_BYTES] {
        self.key
    }

    /// Loads the key from `path`, creating it (readable by the owner only) on first start.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let key = bytes.try_into().map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "key file is not 32 bytes")
                })?;
                Ok(Self { key })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let cipher = Self::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                options.open(path)?.write_all(&cipher.key)?;
                Ok(cipher)
            }
            Err(e) => Err(e),
        }
    }

    /// The keyed hash (HMAC-SHA-256) that identifies `code` in storage.
    pub fn fingerprint(&self, code: &AccessCode) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("any key length");
        mac.update(code.expose().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// `code` encrypted and authenticated, with its random nonce in front.
    pub fn seal(&self, code: &AccessCode) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .aead()
            .encrypt(&nonce, code.expose().as_bytes())
            .expect("encrypting a short code cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// The code sealed in `bytes`, or `None` if they were not sealed with this key.
    pub fn open(&self, bytes: &[u8]) -> Option<AccessCode> {
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .aead()
            .decrypt(XNonce::from_slice(nonce), sealed)
            .ok()?;
        AccessCode::parse(std::str::from_utf8(&plain).ok()?)
    }

    fn aead(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.key.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_code_opens_with_the_same_key_only() {
        let code = AccessCode::parse("ab12cd34ef").unwrap();
        let cipher = CodeCipher::random();
        let sealed = cipher.seal(&code);
        assert!(!sealed.windows(10).any(|w| w == b"ab12cd34ef"));
        assert_eq!(cipher.open(&sealed), Some(code));
        assert_eq!(CodeCipher::random().open(&sealed), None);
    }

    #[test]
    fn the_fingerprint_depends_on_the_key() {
        let code = AccessCode::parse("ab12cd34ef").unwrap();
        let cipher = CodeCipher::random();
        assert_eq!(cipher.fingerprint(&code), cipher.fingerprint(&code));
        assert_ne!(
            cipher.fingerprint(&code),
            CodeCipher::random().fingerprint(&code)
        );
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let code = AccessCode::parse("ab12cd34ef").unwrap();
        let first = CodeCipher::load_or_create(&path).unwrap();
        let again = CodeCipher::load_or_create(&path).unwrap();
        assert_eq!(first.fingerprint(&code), again.fingerprint(&code));
    }
}
