// Headers for zstd. Imported only by Compression. zstd's API has no variadics or function-like macros.
#include <zstd.h>
#include <zstd_errors.h>
