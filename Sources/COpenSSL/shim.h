// The system OpenSSL (libssl-dev), for the KielTLS module. OpenSSL spells a few calls as
// macros over SSL_ctrl, which Swift cannot import; the inline functions below name them.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static inline int kiel_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int kiel_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int kiel_ERR_GET_REASON(unsigned long code) {
    return ERR_GET_REASON(code);
}

/// SSL_OP_* are 64-bit shift expressions, which Swift does not import as constants.
static inline uint64_t kiel_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t kiel_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
