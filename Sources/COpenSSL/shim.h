// Headers and macro shims for OpenSSL 3. Imported only by Crypto.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bn.h>

/// OPENSSL_free is a function-like macro in OpenSSL 3.
static inline void COpenSSL_free(void *p) { OPENSSL_free(p); }

/// SSL_CTX_set_min_proto_version is a function-like macro in OpenSSL 3.
static inline int COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
