// Headers and macro shims for zlib. Imported only by Compression.
#include <zlib.h>

/// deflateInit2 is a function-like macro (it passes ZLIB_VERSION and sizeof(z_stream)); Swift cannot import it.
static inline int CZlib_deflateInit2(z_streamp strm, int level, int method,
                                     int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

/// inflateInit2 is a function-like macro; Swift cannot import it.
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
