/// Crypto owns OpenSSL: AES-256-GCM, SHA-256, HMAC-SHA-256, HKDF, scrypt, randomness and constant-time comparison behind Swift types.
public enum Crypto {}
