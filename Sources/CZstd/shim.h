// Headers for zstd. Imported only by Compression. zstd's API has no variadics or function-like macros.
// ZSTD_STATIC_LINKING_ONLY declares the workspace functions (ZSTD_estimateCCtxSize, ZSTD_initStaticCCtx), stable since
// zstd 1.3 and exported by Debian's shared libzstd.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>
